// The workbench's view state as data: what was expanded (in order), which aggregated edges were
// opened into claims, what is hidden and pinned (with where), the claim-time range and the
// layout. It is kept in the URL (so a reload or a shared link rebuilds the same canvas by replaying
// the expansions) and in saved views; and an undo history of canvas snapshots. Pure logic.
import type { LayoutName, TimeRange, WorkGraph } from './model';

/** ViewSpec is a canvas described by the actions that built it. */
export interface ViewSpec {
  /** nodes whose neighbourhood was expanded, in order */
  x: string[];
  /** aggregated edges expanded into single claims, in order */
  c: string[];
  /** paths the server was asked for (their nodes were added), in order; a third element is the
   * maximum gap in days of a time-ordered path */
  s?: ([string, string] | [string, string, number])[];
  /** hidden nodes */
  h: string[];
  /** pinned nodes and where they were pinned */
  p: [string, number, number][];
  /** claim-time range in ms, open ends null */
  t?: [number | null, number | null];
  /** layout picked */
  l?: LayoutName;
  /** canvas notes: [anchor node key or "", x, y (graph coordinates when not anchored), text] */
  n?: CanvasNote[];
  /** groups: a name and the member nodes, outlined together on the canvas */
  gr?: [string, string[]][];
}

/** CanvasNote is a note on the canvas, pinned to a node (it follows it) or to a place. */
export type CanvasNote = [anchor: string, x: number, y: number, text: string];

/** maxNoteLength bounds a note's text (it travels in the URL). */
export const maxNoteLength = 500;

export function emptySpec(): ViewSpec {
  return { x: [], c: [], h: [], p: [] };
}

/** specOf reads the hidden and pinned nodes of g into spec (expansions are recorded as they happen). */
export function specOf(g: WorkGraph, spec: ViewSpec, range: TimeRange, layout?: LayoutName): ViewSpec {
  const out: ViewSpec = { x: [...spec.x], c: [...spec.c], h: [], p: [] };
  if (spec.s?.length) out.s = spec.s.map((e) => [...e] as [string, string] | [string, string, number]);
  if (spec.n?.length) out.n = spec.n.map((e) => [...e] as CanvasNote);
  if (spec.gr?.length) out.gr = spec.gr.map(([name, ks]) => [name, [...ks]]);
  g.forEachNode((k, a) => {
    if (a.hidden) out.h.push(k);
    if (a.fixed) out.p.push([k, Math.round(a.x * 10) / 10, Math.round(a.y * 10) / 10]);
  });
  out.h.sort();
  out.p.sort((a, b) => a[0].localeCompare(b[0]));
  if (range.from !== null || range.to !== null) out.t = [range.from, range.to];
  if (layout) out.l = layout;
  return out;
}

/** applyMarks sets the hidden and pinned nodes of spec on g (nodes g lacks are skipped). */
export function applyMarks(g: WorkGraph, spec: ViewSpec): void {
  const hidden = new Set(spec.h);
  g.forEachNode((k) => g.mergeNodeAttributes(k, { hidden: hidden.has(k), fixed: false }));
  for (const [k, x, y] of spec.p) if (g.hasNode(k)) g.mergeNodeAttributes(k, { fixed: true, x, y });
}

/** encodeSpec writes spec compactly for a URL (base64url of its JSON); an empty spec is "". */
export function encodeSpec(spec: ViewSpec): string {
  if (!spec.x.length && !spec.c.length && !spec.s?.length && !spec.n?.length && !spec.gr?.length && !spec.h.length && !spec.p.length && !spec.t && !spec.l) return '';
  const bytes = new TextEncoder().encode(JSON.stringify(spec));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** decodeSpec reads what encodeSpec wrote; anything malformed gives null (the link is ignored, not trusted). */
export function decodeSpec(s: string | null): ViewSpec | null {
  if (!s) return null;
  try {
    const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
    const v = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)))) as Partial<ViewSpec>;
    const strs = (a: unknown): string[] => (Array.isArray(a) ? a.filter((x): x is string => typeof x === 'string') : []);
    const spec: ViewSpec = { x: strs(v.x), c: strs(v.c), h: strs(v.h), p: [] };
    if (Array.isArray(v.s)) {
      const paths = (v.s as unknown[])
        .filter((e): e is unknown[] => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string')
        .map((e) => (Number.isInteger(e[2]) ? [e[0], e[1], e[2]] : [e[0], e[1]]) as [string, string] | [string, string, number]);
      if (paths.length) spec.s = paths;
    }
    if (Array.isArray(v.p)) {
      for (const e of v.p) if (Array.isArray(e) && typeof e[0] === 'string' && Number.isFinite(e[1]) && Number.isFinite(e[2])) spec.p.push([e[0], e[1], e[2]]);
    }
    if (Array.isArray(v.n)) {
      const notes = (v.n as unknown[])
        .filter((e): e is unknown[] => Array.isArray(e) && typeof e[0] === 'string' && Number.isFinite(e[1]) && Number.isFinite(e[2]) && typeof e[3] === 'string')
        .map((e) => [e[0], e[1], e[2], (e[3] as string).slice(0, maxNoteLength)] as CanvasNote);
      if (notes.length) spec.n = notes;
    }
    if (Array.isArray(v.gr)) {
      const groups = (v.gr as unknown[])
        .filter((e): e is [string, unknown[]] => Array.isArray(e) && typeof e[0] === 'string' && Array.isArray(e[1]))
        .map(([name, ks]) => [name.slice(0, 100), ks.filter((k): k is string => typeof k === 'string')] as [string, string[]]);
      if (groups.length) spec.gr = groups;
    }
    const num = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? n : null);
    if (Array.isArray(v.t)) spec.t = [num(v.t[0]), num(v.t[1])];
    if (v.l === 'force' || v.l === 'circle' || v.l === 'concentric') spec.l = v.l;
    return spec;
  } catch {
    return null;
  }
}

/** Snapshot is a canvas as it was: the graph (with positions and marks) and its spec. */
export interface Snapshot {
  graph: ReturnType<WorkGraph['export']>;
  spec: ViewSpec;
}

/**
 * History keeps canvas snapshots for undo and redo: record() before every change, undo() and
 * redo() return the snapshot to restore. A new change after undos drops the redo branch, as in
 * every editor; at most limit snapshots are kept.
 */
export class History {
  private past: Snapshot[] = [];
  private future: Snapshot[] = [];
  constructor(private readonly limit = 50) {}

  record(s: Snapshot): void {
    this.past.push(s);
    if (this.past.length > this.limit) this.past.shift();
    this.future = [];
  }
  /** undo takes the current canvas and returns the one before it, or null. */
  undo(current: Snapshot): Snapshot | null {
    const s = this.past.pop();
    if (!s) return null;
    this.future.push(current);
    return s;
  }
  /** redo takes the current canvas and returns the one undone last, or null. */
  redo(current: Snapshot): Snapshot | null {
    const s = this.future.pop();
    if (!s) return null;
    this.past.push(current);
    return s;
  }
  /** clear forgets every snapshot (a rebuilt canvas is the new starting point). */
  clear(): void {
    this.past = [];
    this.future = [];
  }
  get canUndo(): boolean {
    return this.past.length > 0;
  }
  get canRedo(): boolean {
    return this.future.length > 0;
  }
}

/** snapshot captures g and spec; restore puts a snapshot back into g. */
export function snapshot(g: WorkGraph, spec: ViewSpec): Snapshot {
  return { graph: g.export(), spec: structuredClone(spec) };
}
export function restore(g: WorkGraph, s: Snapshot): ViewSpec {
  g.clear();
  g.import(s.graph);
  return structuredClone(s.spec);
}
