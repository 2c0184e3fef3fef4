import { describe, expect, it } from 'vitest';
import type { Subgraph } from '../api/types';
import { toGraphML } from './graphml';
import { claimTime, concentricLayout, hiddenKeys, localPath, mergeSubgraph, mulberry32, newGraph, parseKey, pathEdges, setHidden, timeExtent, togglePin, visibleCounts } from './model';

// A small ring: two patients file claims at one hospital with one doctor; P3 is linked only by phone.
const sub: Subgraph = {
  truncated: false,
  nodes: [
    { type: 'patient', id: 'P1', label: '王*明', score: 0.8 },
    { type: 'patient', id: 'P2', label: '李*' },
    { type: 'patient', id: 'P3', label: 'P3' },
    { type: 'institution', id: 'H1', label: '某某医院' },
    { type: 'doctor', id: 'D1', label: '赵医生' },
    { type: 'claim', id: 'C1', label: 'C1', props: { start_time: '2024-01-10T02:00:00Z' } },
    { type: 'claim', id: 'C2', label: 'C2', props: { start_time: '2024-03-10T02:00:00Z' } },
    { type: 'phone', id: '13800000000', label: '138****0000' },
  ],
  edges: [
    { from: { type: 'patient', id: 'P1' }, to: { type: 'claim', id: 'C1' }, type: 'FILED' },
    { from: { type: 'claim', id: 'C1' }, to: { type: 'institution', id: 'H1' }, type: 'AT' },
    { from: { type: 'claim', id: 'C1' }, to: { type: 'doctor', id: 'D1' }, type: 'TREATED_BY' },
    { from: { type: 'patient', id: 'P2' }, to: { type: 'claim', id: 'C2' }, type: 'FILED' },
    { from: { type: 'claim', id: 'C2' }, to: { type: 'institution', id: 'H1' }, type: 'AT' },
    { from: { type: 'patient', id: 'P2' }, to: { type: 'phone', id: '13800000000' }, type: 'HAS_PHONE' },
    { from: { type: 'patient', id: 'P3' }, to: { type: 'phone', id: '13800000000' }, type: 'HAS_PHONE' },
    { from: { type: 'patient', id: 'P9' }, to: { type: 'phone', id: '13800000000' }, type: 'HAS_PHONE' },
  ],
};
const all = { from: null, to: null };

describe('graph model', () => {
  it('merges subgraphs idempotently and skips edges to absent nodes', () => {
    const g = newGraph();
    expect(mergeSubgraph(g, sub, undefined, mulberry32(1))).toHaveLength(8);
    expect(g.size).toBe(7);
    expect(mergeSubgraph(g, sub, undefined, mulberry32(1))).toEqual([]);
    expect(g.order).toBe(8);
    expect(g.getNodeAttribute('patient:P1', 'score')).toBe(0.8);
    expect(parseKey('terminal:P53/T1:2')).toEqual({ type: 'terminal', id: 'P53/T1:2' });
  });
  it('filters claims and their relationships by claim time', () => {
    const g = newGraph();
    mergeSubgraph(g, sub);
    expect(claimTime({ type: 'claim', props: { start_time: 'x' } })).toBeUndefined();
    expect(timeExtent(g)).toEqual({ min: Date.parse('2024-01-10T02:00:00Z'), max: Date.parse('2024-03-10T02:00:00Z') });
    expect(visibleCounts(g, all)).toEqual({ nodes: 8, edges: 7 });
    const feb = { from: Date.parse('2024-02-01T00:00:00Z'), to: null };
    // C1 and its three relationships drop out.
    expect(visibleCounts(g, feb)).toEqual({ nodes: 7, edges: 4 });
  });
  it('hides, pins and finds paths over what is visible', () => {
    const g = newGraph();
    mergeSubgraph(g, sub);
    const p = localPath(g, 'patient:P1', 'patient:P3', all);
    expect(p).toEqual(['patient:P1', 'claim:C1', 'institution:H1', 'claim:C2', 'patient:P2', 'phone:13800000000', 'patient:P3']);
    expect(pathEdges(g, p!)).toHaveLength(6);
    setHidden(g, ['claim:C2'], true);
    expect(hiddenKeys(g)).toEqual(['claim:C2']);
    expect(localPath(g, 'patient:P1', 'patient:P3', all)).toBeNull();
    setHidden(g, ['claim:C2'], false);
    expect(localPath(g, 'patient:P1', 'patient:P3', { from: Date.parse('2024-02-01T00:00:00Z'), to: null })).toBeNull();
    expect(togglePin(g, 'patient:P1')).toBe(true);
    const { x, y } = g.getNodeAttributes('patient:P1');
    concentricLayout(g);
    expect(g.getNodeAttributes('patient:P1')).toMatchObject({ x, y });
    expect(g.getNodeAttributes('institution:H1')).toMatchObject({ x: expect.any(Number) });
  });
});

describe('GraphML export', () => {
  it('writes visible nodes and edges with escaped properties', () => {
    const g = newGraph();
    mergeSubgraph(g, {
      ...sub,
      nodes: [...sub.nodes, { type: 'institution', id: 'H2', label: 'A & B <诊所>', props: { name: 'A & B "x"\u0001' } }],
    });
    setHidden(g, ['patient:P3'], true);
    const xml = toGraphML(g, all);
    expect(xml).toContain('<graphml xmlns="http://graphml.graphdrawing.org/xmlns"');
    expect(xml).toContain('<data key="label">A &amp; B &lt;诊所&gt;</data>');
    expect(xml).toContain('A &amp; B &quot;x&quot;</data>');
    expect(xml).not.toContain('\u0001');
    expect(xml).not.toContain('id="patient:P3"');
    expect((xml.match(/<node /g) ?? []).length).toBe(8);
    expect((xml.match(/<edge /g) ?? []).length).toBe(6);
    expect(xml).toContain('source="patient:P1" target="claim:C1"><data key="rel">FILED</data>');
  });
});
