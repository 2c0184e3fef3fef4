import { describe, expect, it } from 'vitest';
import type { Subgraph } from '../api/types';
import { toGraphML } from './graphml';
import { claimLabel, claimTime, convexHull, heaviestEdges, concentricLayout, dayEnd, dayStart, edgeVisible, hiddenKeys, localPath, mergeSubgraph, mulberry32, newGraph, parseKey, pathEdges, setHidden, timeExtent, togglePin, visibleCounts } from './model';

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

// The same ring in the aggregate view: claims folded into party-to-party edges.
const agg: Subgraph = {
  truncated: false,
  view: 'aggregate',
  parties: 6,
  claims: 3,
  nodes: [
    { type: 'patient', id: 'P1', label: '王*明', score: 0.8 },
    { type: 'patient', id: 'P2', label: '李*' },
    { type: 'institution', id: 'H1', label: '某某医院' },
    { type: 'doctor', id: 'D1', label: '赵医生' },
  ],
  edges: [
    { from: { type: 'patient', id: 'P1' }, to: { type: 'institution', id: 'H1' }, type: 'CLAIMED_AT', claims: 2, fund_amount: 900000, first: '2024-01-10', last: '2024-01-20' },
    { from: { type: 'patient', id: 'P1' }, to: { type: 'doctor', id: 'D1' }, type: 'SEEN_BY', claims: 2, fund_amount: 900000, first: '2024-01-10', last: '2024-01-20' },
    { from: { type: 'patient', id: 'P2' }, to: { type: 'institution', id: 'H1' }, type: 'CLAIMED_AT', claims: 1, fund_amount: 100, first: '2024-03-10', last: '2024-03-10' },
    { from: { type: 'doctor', id: 'D1' }, to: { type: 'institution', id: 'H1' }, type: 'WORKS_AT' },
  ],
};

describe('aggregated edges', () => {
  it('keep claims, amount and date span, and filter by overlap with the time range', () => {
    const g = newGraph();
    mergeSubgraph(g, agg, undefined, mulberry32(1));
    const e = g.getEdgeAttributes('patient:P1>CLAIMED_AT>institution:H1');
    expect(e).toMatchObject({ rel: 'CLAIMED_AT', claims: 2, fund: 900000 });
    // Dates are whole days in China time: 2024-01-10 00:00 +08:00 to 2024-01-20 23:59:59.999 +08:00.
    expect(e.first).toBe(Date.parse('2024-01-09T16:00:00Z'));
    expect(e.last).toBe(dayEnd('2024-01-20'));
    expect(dayStart('nonsense')).toBeUndefined();
    expect(timeExtent(g)).toEqual({ min: dayStart('2024-01-10'), max: dayEnd('2024-03-10') });
    expect(visibleCounts(g, all)).toEqual({ nodes: 4, edges: 4 });
    // February on: P1's January edges drop, P2's March edge and WORKS_AT (no dates) stay.
    const feb = { from: Date.parse('2024-02-01T00:00:00+08:00'), to: null };
    expect(visibleCounts(g, feb)).toEqual({ nodes: 4, edges: 2 });
    // A range that only touches the last day of a span keeps the edge.
    const lastDay = { from: Date.parse('2024-01-20T12:00:00+08:00'), to: Date.parse('2024-01-25T00:00:00+08:00') };
    const p1 = g.getNodeAttributes('patient:P1');
    const h1 = g.getNodeAttributes('institution:H1');
    expect(edgeVisible(e, p1, h1, lastDay)).toBe(true);
    expect(edgeVisible(e, p1, h1, { from: null, to: Date.parse('2024-01-09T23:00:00+08:00') })).toBe(false);
    // The path search goes only through edges inside the range.
    expect(localPath(g, 'patient:P1', 'patient:P2', all)).toEqual(['patient:P1', 'institution:H1', 'patient:P2']);
    // From February P1's only ties (January claims) are filtered out, so no path reaches it.
    expect(localPath(g, 'patient:P1', 'patient:P2', feb)).toBeNull();
  });
  it('size parties by the money on their edges and keep the larger of two pictures of one pair', () => {
    const g = newGraph();
    mergeSubgraph(g, agg, undefined, mulberry32(1));
    const rich = g.getNodeAttribute('patient:P1', 'size');
    const poor = g.getNodeAttribute('patient:P2', 'size');
    expect(rich).toBeGreaterThan(poor);
    mergeSubgraph(g, { ...agg, edges: [{ ...agg.edges[0]!, claims: 1, fund_amount: 1 }] });
    expect(g.getEdgeAttribute('patient:P1>CLAIMED_AT>institution:H1', 'claims')).toBe(2);
    mergeSubgraph(g, { ...agg, edges: [{ ...agg.edges[0]!, claims: 5, fund_amount: 1000000 }] });
    expect(g.getEdgeAttribute('patient:P1>CLAIMED_AT>institution:H1', 'claims')).toBe(5);
  });
  it('label only the heaviest edges of a selected node', () => {
    const g = newGraph();
    mergeSubgraph(g, agg);
    expect(heaviestEdges(g, 'institution:H1', 1)).toEqual(['patient:P1>CLAIMED_AT>institution:H1']);
    // WORKS_AT carries no claims and is never labelled.
    expect(heaviestEdges(g, 'doctor:D1')).toEqual(['patient:P1>SEEN_BY>doctor:D1']);
    expect(heaviestEdges(g, 'nobody')).toEqual([]);
  });
  it('outline a group by the convex hull of its members', () => {
    const hull = convexHull([{ x: 0, y: 0 }, { x: 2, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 2 }, { x: 0, y: 2 }]);
    expect(hull).toEqual([{ x: 0, y: 0 }, { x: 2, y: 0 }, { x: 2, y: 2 }, { x: 0, y: 2 }]);
    expect(convexHull([{ x: 1, y: 1 }])).toEqual([{ x: 1, y: 1 }]);
  });
  it('label claims by day and amount', () => {
    expect(claimLabel({ type: 'claim', id: 'C1', label: 'C1', props: { start_time: '2024-01-10T17:00:00Z', fund_amount: '320.00' } })).toBe('2024-01-11 ¥320.00');
    expect(claimLabel({ type: 'claim', id: 'C1', label: 'C1', props: {} })).toBe('C1');
  });
  it('export with their figures to GraphML', () => {
    const g = newGraph();
    mergeSubgraph(g, agg);
    const xml = toGraphML(g, all);
    expect(xml).toContain('source="patient:P1" target="institution:H1"><data key="rel">CLAIMED_AT</data><data key="claims">2</data><data key="fund">900000.00</data><data key="first">2024-01-10</data><data key="last">2024-01-20</data></edge>');
    expect((toGraphML(g, { from: Date.parse('2024-02-01T00:00:00+08:00'), to: null }).match(/<edge /g) ?? []).length).toBe(2);
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
