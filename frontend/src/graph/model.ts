// The workbench's graph model on graphology: merging API subgraphs, hide/pin, the claim-time
// filter, local shortest paths and layouts. Pure logic, no DOM, so it is unit-tested in Node.
import Graph from 'graphology';
import { bidirectional } from 'graphology-shortest-path/unweighted';
import type { ApiNode, EntityType, Ref, RelType, Subgraph } from '../api/types';
import { nodeSize, typeStyles } from './style';

/** NodeAttrs are the attributes the workbench keeps on every node. */
export interface NodeAttrs {
  type: EntityType;
  id: string;
  label: string;
  props: Record<string, string>;
  masked: boolean;
  score?: number;
  x: number;
  y: number;
  size: number;
  color: string;
  hidden: boolean; // hidden by the user
  fixed: boolean; // pinned: layouts leave it where it is
  time?: number; // claim start time in ms, for claim nodes
  [k: string]: unknown;
}

/**
 * EdgeAttrs are the attributes kept on every edge. Aggregated edges (CLAIMED_AT, SEEN_BY,
 * BILLED_AT) fold the claims between two parties and carry how many, their fund amount and the
 * span of their dates (first day's start to last day's end, China time, in ms).
 */
export interface EdgeAttrs {
  rel: RelType;
  claims?: number;
  fund?: number;
  first?: number;
  last?: number;
  [k: string]: unknown;
}

/** aggregatedRels are the relationships that stand for claims between two parties. */
export const aggregatedRels: ReadonlySet<string> = new Set(['CLAIMED_AT', 'SEEN_BY', 'BILLED_AT']);

const chinaOffset = '+08:00';

/** chinaDay writes a time in ms as its YYYY-MM-DD day in China time. */
export function chinaDay(ms: number): string {
  return new Date(ms + 8 * 3600000).toISOString().slice(0, 10);
}

/** dayStart and dayEnd read a YYYY-MM-DD date as the first and last millisecond of that day in China. */
export function dayStart(d: string | undefined): number | undefined {
  if (!d) return undefined;
  const ms = Date.parse(`${d}T00:00:00${chinaOffset}`);
  return Number.isNaN(ms) ? undefined : ms;
}
export function dayEnd(d: string | undefined): number | undefined {
  const ms = dayStart(d);
  return ms === undefined ? undefined : ms + 86400000 - 1;
}

export type WorkGraph = Graph<NodeAttrs, EdgeAttrs>;

/** key returns the graph key of a ref, "type:id" as the API writes refs. */
export function key(r: Ref | { type: string; id: string }): string {
  return `${r.type}:${r.id}`;
}

/** parseKey splits a "type:id" key back into a ref (ids may contain colons). */
export function parseKey(k: string): Ref {
  const i = k.indexOf(':');
  return { type: k.slice(0, i) as EntityType, id: k.slice(i + 1) };
}

/** newGraph returns an empty multi-relation graph. */
export function newGraph(): WorkGraph {
  return new Graph<NodeAttrs, EdgeAttrs>({ type: 'directed', multi: false, allowSelfLoops: false });
}

/** claimTime reads a claim node's start time (ms) from its properties, or undefined. */
export function claimTime(n: Pick<ApiNode, 'type' | 'props'>): number | undefined {
  if (n.type !== 'claim') return undefined;
  const v = n.props?.start_time ?? n.props?.start ?? n.props?.time;
  if (!v) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * claimLabel labels a claim by what a reader of a path needs — its day (China time) and fund
 * amount — rather than its number, which stays in the properties: "2024-01-10 ¥320.00".
 */
export function claimLabel(n: Pick<ApiNode, 'type' | 'id' | 'label' | 'props'>): string {
  const ms = claimTime(n);
  if (ms === undefined) return n.label || n.id;
  const day = chinaDay(ms);
  const fund = n.props?.fund_amount;
  return fund ? `${day} ¥${fund}` : day;
}

/**
 * mergeSubgraph adds the nodes and edges of sub that are not in g yet and refreshes the labels,
 * properties and scores of those that are. New nodes are placed near an anchor (the expanded
 * node) so an expansion grows out of where the analyst was looking; it returns the new keys.
 */
export function mergeSubgraph(g: WorkGraph, sub: Subgraph, anchor?: string, rand: () => number = Math.random): string[] {
  const added: string[] = [];
  const ax = anchor && g.hasNode(anchor) ? g.getNodeAttribute(anchor, 'x') : 0;
  const ay = anchor && g.hasNode(anchor) ? g.getNodeAttribute(anchor, 'y') : 0;
  const spread = anchor ? 30 : 200;
  for (const n of sub.nodes) {
    const k = key(n);
    const type = n.type as EntityType;
    const style = typeStyles[type] ?? typeStyles.claim;
    const attrs = {
      type,
      id: n.id,
      label: type === 'claim' ? claimLabel(n) : n.label || n.id,
      props: n.props ?? {},
      masked: n.masked ?? false,
      score: n.score,
      size: nodeSize(type, n.score),
      color: style.color,
      time: claimTime(n),
    };
    if (g.hasNode(k)) {
      g.mergeNodeAttributes(k, attrs);
    } else {
      g.addNode(k, { ...attrs, x: ax + (rand() - 0.5) * spread, y: ay + (rand() - 0.5) * spread, hidden: false, fixed: false });
      added.push(k);
    }
  }
  for (const e of sub.edges) {
    const s = key(e.from);
    const t = key(e.to);
    if (!g.hasNode(s) || !g.hasNode(t) || s === t) continue;
    const ek = `${s}>${e.type}>${t}`;
    const attrs: EdgeAttrs = { rel: e.type };
    if (e.claims !== undefined) {
      attrs.claims = e.claims;
      attrs.fund = e.fund_amount;
      attrs.first = dayStart(e.first);
      attrs.last = dayEnd(e.last);
    }
    // A later picture of the same pair (a wider neighbourhood) may fold more claims: keep its figures.
    if (!g.hasEdge(ek)) g.addDirectedEdgeWithKey(ek, s, t, attrs);
    else if (attrs.claims !== undefined && attrs.claims > (g.getEdgeAttribute(ek, 'claims') ?? -1)) g.mergeEdgeAttributes(ek, attrs);
  }
  sizeByAmount(g);
  return added;
}

/** partyAmounts sums, per party, the fund amount on its aggregated patient–provider edges. */
export function partyAmounts(g: WorkGraph): Map<string, number> {
  const out = new Map<string, number>();
  g.forEachEdge((_, a, s, t) => {
    if (a.rel !== 'CLAIMED_AT' || a.fund === undefined) return;
    out.set(s, (out.get(s) ?? 0) + a.fund);
    out.set(t, (out.get(t) ?? 0) + a.fund);
  });
  return out;
}

/**
 * sizeByAmount grows parties with the fund amount their drawn claims carry, on a log scale (a
 * ¥1,000 patient and a ¥1,000,000 pharmacy differ by a few pixels, not a thousandfold), on top
 * of the kind's base size and the risk term, so the eye lands on the money and the risk first.
 */
export function sizeByAmount(g: WorkGraph): void {
  const amounts = partyAmounts(g);
  g.forEachNode((k, a) => {
    const amt = amounts.get(k);
    const extra = amt && amt > 0 ? Math.min(8, 2 * Math.log10(1 + amt / 1000)) : 0;
    g.setNodeAttribute(k, 'size', nodeSize(a.type, a.score) + extra);
  });
}

/** TimeRange bounds claim start times in ms; null ends are open. */
export interface TimeRange {
  from: number | null;
  to: number | null;
}

/**
 * timeExtent returns the earliest and latest claim time in g — claim nodes' start times and the
 * date spans of aggregated edges — or null when nothing carries a time.
 */
export function timeExtent(g: WorkGraph): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  g.forEachNode((_, a) => {
    if (a.time !== undefined) {
      min = Math.min(min, a.time);
      max = Math.max(max, a.time);
    }
  });
  g.forEachEdge((_, a) => {
    if (a.first !== undefined) min = Math.min(min, a.first);
    if (a.last !== undefined) max = Math.max(max, a.last);
  });
  return min === Infinity ? null : { min, max };
}

/** inRange reports whether a claim time lies in [from, to]; nodes without a time always do. */
export function inRange(time: number | undefined, r: TimeRange): boolean {
  if (time === undefined) return true;
  if (r.from !== null && time < r.from) return false;
  if (r.to !== null && time > r.to) return false;
  return true;
}

/**
 * nodeVisible reports whether a node is drawn: not hidden by the user and, for claims, inside
 * the time range. Edges are drawn when both ends are, so the time slider filters every
 * relationship that goes through a claim by that claim's time.
 */
export function nodeVisible(a: NodeAttrs, r: TimeRange): boolean {
  return !a.hidden && inRange(a.time, r);
}

/**
 * edgeVisible reports whether an edge is drawn: both ends are, and an aggregated edge has at
 * least one claim day inside the time range (its [first, last] span overlaps it). The span is
 * what the edge knows; the claims behind an edge open on demand for the exact days.
 */
export function edgeVisible(a: EdgeAttrs, sa: NodeAttrs, ta: NodeAttrs, r: TimeRange): boolean {
  if (!nodeVisible(sa, r) || !nodeVisible(ta, r)) return false;
  if (a.first === undefined || a.last === undefined) return true;
  if (r.from !== null && a.last < r.from) return false;
  if (r.to !== null && a.first > r.to) return false;
  return true;
}

/** visibleCounts counts the nodes and edges currently drawn. */
export function visibleCounts(g: WorkGraph, r: TimeRange): { nodes: number; edges: number } {
  let nodes = 0;
  let edges = 0;
  g.forEachNode((_, a) => {
    if (nodeVisible(a, r)) nodes++;
  });
  g.forEachEdge((_, a, __, ___, sa, ta) => {
    if (edgeVisible(a, sa, ta, r)) edges++;
  });
  return { nodes, edges };
}

/** setHidden hides or shows nodes; hidden nodes stay in the model so they can be brought back. */
export function setHidden(g: WorkGraph, keys: string[], hidden: boolean): void {
  for (const k of keys) if (g.hasNode(k)) g.setNodeAttribute(k, 'hidden', hidden);
}

/** hiddenKeys lists the nodes the user hid. */
export function hiddenKeys(g: WorkGraph): string[] {
  return g.filterNodes((_, a) => a.hidden);
}

/** togglePin pins or unpins a node and returns its new state. */
export function togglePin(g: WorkGraph, k: string): boolean {
  const v = !g.getNodeAttribute(k, 'fixed');
  g.setNodeAttribute(k, 'fixed', v);
  return v;
}

/**
 * localPath finds a shortest undirected path between a and b among the visible nodes, or null.
 * The workbench tries this first (instant, on what is drawn) and asks the server's /api/paths
 * when the drawn graph holds no path.
 */
export function localPath(g: WorkGraph, a: string, b: string, r: TimeRange): string[] | null {
  if (!g.hasNode(a) || !g.hasNode(b)) return null;
  const view = new Graph({ type: 'undirected', multi: false });
  g.forEachNode((k, attrs) => {
    if (nodeVisible(attrs, r)) view.addNode(k);
  });
  g.forEachEdge((_, ea, s, t, sa, ta) => {
    if (view.hasNode(s) && view.hasNode(t) && !view.hasEdge(s, t) && edgeVisible(ea, sa, ta, r)) view.addEdge(s, t);
  });
  if (!view.hasNode(a) || !view.hasNode(b)) return null;
  return bidirectional(view, a, b);
}

/** pathEdges returns the keys of g's edges along a node path, in either direction. */
export function pathEdges(g: WorkGraph, path: string[]): string[] {
  const out = new Set<string>();
  for (let i = 1; i < path.length; i++) {
    const p = path[i - 1]!;
    const q = path[i]!;
    // graphology's edges(p, q) may already include q→p; the set keeps each edge once.
    for (const e of g.edges(p, q)) out.add(e);
    for (const e of g.edges(q, p)) out.add(e);
  }
  return [...out];
}

/** LayoutName is a layout the workbench offers. */
export type LayoutName = 'force' | 'circle' | 'concentric';

/**
 * concentricLayout places nodes on rings by kind (providers in the centre, then doctors and
 * terminals, patients, then claims, phones and addresses), the reading order of a collusion
 * ring: who organised it, who was recruited, what ties them. Pinned nodes stay put.
 */
export function concentricLayout(g: WorkGraph): void {
  const rings = new Map<number, string[]>();
  g.forEachNode((k, a) => {
    if (a.fixed) return;
    const r = (typeStyles[a.type] ?? typeStyles.claim).ring;
    const list = rings.get(r) ?? [];
    list.push(k);
    rings.set(r, list);
  });
  for (const [r, list] of rings) {
    list.sort();
    const radius = r === 0 && list.length === 1 ? 0 : 60 + r * 120 + Math.sqrt(list.length) * 6;
    list.forEach((k, i) => {
      const th = (2 * Math.PI * i) / list.length;
      g.mergeNodeAttributes(k, { x: radius * Math.cos(th), y: radius * Math.sin(th) });
    });
  }
}

/** circleLayout puts every unpinned node on one circle, in key order (deterministic). */
export function circleLayout(g: WorkGraph): void {
  const list = g.filterNodes((_, a) => !a.fixed).sort();
  const radius = 40 + list.length * 3;
  list.forEach((k, i) => {
    const th = (2 * Math.PI * i) / list.length;
    g.mergeNodeAttributes(k, { x: radius * Math.cos(th), y: radius * Math.sin(th) });
  });
}

/** mulberry32 is a small seeded PRNG so layouts and tests are reproducible for a seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** maxLabelledEdges is how many edges of one selected node are labelled: more overlap into a blur. */
export const maxLabelledEdges = 12;

/** heaviestEdges returns the keys of node k's aggregated edges with the most claims, at most n. */
export function heaviestEdges(g: WorkGraph, k: string, n = maxLabelledEdges): string[] {
  if (!g.hasNode(k)) return [];
  return g
    .edges(k)
    .filter((e) => g.getEdgeAttribute(e, 'claims') !== undefined)
    .sort((a, b) => (g.getEdgeAttribute(b, 'claims') ?? 0) - (g.getEdgeAttribute(a, 'claims') ?? 0) || a.localeCompare(b))
    .slice(0, n);
}

/** convexHull returns the convex hull of points, counter-clockwise (Andrew's monotone chain). */
export function convexHull(points: { x: number; y: number }[]): { x: number; y: number }[] {
  const pts = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (pts.length < 3) return pts;
  const cross = (o: { x: number; y: number }, a: { x: number; y: number }, b: { x: number; y: number }) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const lower: { x: number; y: number }[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: { x: number; y: number }[] = [];
  for (const p of [...pts].reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}
