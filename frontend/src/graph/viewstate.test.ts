import { describe, expect, it } from 'vitest';
import type { Subgraph } from '../api/types';
import { mergeSubgraph, mulberry32, newGraph, setHidden, togglePin } from './model';
import { applyMarks, decodeSpec, emptySpec, encodeSpec, History, restore, snapshot, specOf } from './viewstate';

const sub: Subgraph = {
  truncated: false,
  nodes: [
    { type: 'patient', id: 'P1', label: '王*明' },
    { type: 'patient', id: 'P2', label: '李*' },
    { type: 'institution', id: 'H1', label: '某某医院' },
  ],
  edges: [
    { from: { type: 'patient', id: 'P1' }, to: { type: 'institution', id: 'H1' }, type: 'CLAIMED_AT', claims: 2, fund_amount: 10, first: '2024-01-01', last: '2024-01-02' },
    { from: { type: 'patient', id: 'P2' }, to: { type: 'institution', id: 'H1' }, type: 'CLAIMED_AT', claims: 1, fund_amount: 5, first: '2024-02-01', last: '2024-02-01' },
  ],
};
const more: Subgraph = { truncated: false, nodes: [{ type: 'doctor', id: 'D1', label: '赵医生' }, { type: 'institution', id: 'H1', label: '某某医院' }], edges: [{ from: { type: 'doctor', id: 'D1' }, to: { type: 'institution', id: 'H1' }, type: 'WORKS_AT' }] };
const all = { from: null, to: null };

describe('view state', () => {
  it('round-trips through the URL and rejects what it did not write', () => {
    const spec = { x: ['institution:H1'], c: ['patient:P1>CLAIMED_AT>institution:H1'], s: [['patient:P1', 'doctor:D9'] as [string, string]], h: ['patient:P2'], n: [['patient:P1', 0, 0, '组织者？<b>'] as [string, number, number, string], ['', 10.5, -3, '同一天']] as [string, number, number, string][], gr: [['同一户', ['patient:P1', 'patient:P2']]] as [string, string[]][], p: [['patient:P1', 1.5, -2] as [string, number, number]], t: [1000, null] as [number | null, number | null], l: 'circle' as const };
    const s = encodeSpec(spec);
    expect(s).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeSpec(s)).toEqual(spec);
    expect(encodeSpec(emptySpec())).toBe('');
    expect(decodeSpec('%%%')).toBeNull();
    expect(decodeSpec(btoa('{"x":[1,"a"],"p":[["k","x",2]],"l":"bogus"}'))).toEqual({ x: ['a'], c: [], h: [], p: [] });
  });
  it('reads and re-applies hidden and pinned nodes', () => {
    const g = newGraph();
    mergeSubgraph(g, sub, undefined, mulberry32(1));
    setHidden(g, ['patient:P2'], true);
    togglePin(g, 'patient:P1');
    g.mergeNodeAttributes('patient:P1', { x: 12.34, y: -5 });
    const spec = specOf(g, { ...emptySpec(), x: ['institution:H1'] }, { from: 5, to: null }, 'force');
    expect(spec).toEqual({ x: ['institution:H1'], c: [], h: ['patient:P2'], p: [['patient:P1', 12.3, -5]], t: [5, null], l: 'force' });
    const g2 = newGraph();
    mergeSubgraph(g2, sub, undefined, mulberry32(9));
    applyMarks(g2, spec);
    expect(g2.getNodeAttributes('patient:P2').hidden).toBe(true);
    expect(g2.getNodeAttributes('patient:P1')).toMatchObject({ fixed: true, x: 12.3, y: -5 });
  });
  it('undoes and redoes canvas changes exactly, and a new change drops the redo branch', () => {
    const g = newGraph();
    const hist = new History(3);
    let spec = emptySpec();
    mergeSubgraph(g, sub, undefined, mulberry32(1));
    const before = g.export();
    hist.record(snapshot(g, spec));
    mergeSubgraph(g, more, 'institution:H1', mulberry32(2));
    spec = { ...spec, x: ['institution:H1'] };
    const after = g.export();
    expect(g.order).toBe(4);
    const back = hist.undo(snapshot(g, spec))!;
    spec = restore(g, back);
    expect(g.export()).toEqual(before);
    expect(spec.x).toEqual([]);
    expect(hist.canRedo).toBe(true);
    spec = restore(g, hist.redo(snapshot(g, spec))!);
    expect(g.export()).toEqual(after);
    expect(spec.x).toEqual(['institution:H1']);
    hist.undo(snapshot(g, spec));
    hist.record(snapshot(g, spec));
    expect(hist.canRedo).toBe(false);
    for (let i = 0; i < 5; i++) hist.record(snapshot(g, spec));
    let n = 0;
    while (hist.undo(snapshot(g, spec))) n++;
    expect(n).toBe(3);
    expect(specOf(g, spec, all).h).toEqual([]);
  });
});
