// Graph workbench: draws a ring or a party's neighbourhood; expand, hide/pin, shortest path,
// claim-time filter, layouts, legend, PNG and GraphML export, and the entity panel beside it.
import { downloadAsPNG } from '@sigma/export-image';
import type { Ctx, Route, View } from '../screen';
import type { ApiEdge, ApiNode, Case, Claim, EntityType, Ring, Subgraph, Timeline } from '../api/types';
import { formatDate, formatDateTime, formatMoney, formatScore, formatInt, lang, t, tEnum, type MessageKey } from '../i18n';
import {
  circleLayout,
  concentricLayout,
  convexHull,
  heaviestEdges,
  hiddenKeys,
  key,
  localPath,
  mergeSubgraph,
  mulberry32,
  newGraph,
  nodeVisible,
  parseKey,
  pathEdges,
  setHidden,
  timeExtent,
  togglePin,
  visibleCounts,
  type EdgeAttrs,
  type LayoutName,
  type TimeRange,
  type WorkGraph,
} from '../graph/model';
import { toGraphML } from '../graph/graphml';
import { applyMarks, decodeSpec, emptySpec, encodeSpec, History, maxNoteLength, restore, snapshot, specOf, type CanvasNote, type ViewSpec } from '../graph/viewstate';
import { iconSVG } from '../graph/style';
import { GraphView, type ViewState } from '../graph/view';
import { can } from '../logic/roles';
import { maskLabel } from '../logic/mask';
import { h, replace, svg, download } from '../ui/dom';
import { empty, errorText, failure, loading, toast } from '../ui/states';
import { entityPanel } from '../ui/entityPanel';
import { scoreBar } from '../ui/scoreBar';
import { timelineStrip } from '../ui/timelineStrip';

const dayMs = 86400000;
// maxEdgeClaims bounds the single claims drawn for one aggregated edge.
const maxEdgeClaims = 2000;

/** render builds the workbench; #/rings/ID opens a ring, #/workbench?entity=type:id a party. */
export function render(ctx: Ctx, route: Route): View {
  const g: WorkGraph = newGraph();
  const state: ViewState = { range: { from: null, to: null }, selected: new Set(), path: new Set(), pathEdges: new Set(), edge: null };
  let view: GraphView | null = null;
  let disposed = false;
  // What built the canvas (expansions, opened edges) and the undo history of canvas snapshots.
  let spec: ViewSpec = emptySpec();
  const hist = new History();
  // record snapshots the canvas before a change, so that the change can be undone.
  const record = () => {
    hist.record(snapshot(g, spec));
  };
  // syncURL writes the view state into the location, without a navigation: a reload or a copied
  // link rebuilds this canvas.
  let restoring = false;
  const syncURL = () => {
    if (restoring || disposed) return;
    const q = new URLSearchParams(location.hash.split('?')[1] ?? '');
    const v = encodeSpec(specOf(g, spec, state.range, layoutSel.value as LayoutName));
    if (v) q.set('v', v);
    else q.delete('v');
    const base = location.hash.split('?')[0];
    const next = base + (q.toString() ? '?' + q : '');
    if (next !== location.hash) history.replaceState(history.state, '', next);
  };

  const canvas = h('div', { class: 'canvas', id: 'graph-canvas', role: 'img', 'aria-label': t('workbench.canvas') });
  // Canvas notes are drawn over the renderer and follow the camera (and their node when pinned to one).
  const notesLayer = h('div', { class: 'notes-layer', id: 'notes-layer' });
  // Groups are outlined under the notes: a padded hull around their members, with a label.
  const SVGNS = 'http://www.w3.org/2000/svg';
  const hullSvg = document.createElementNS(SVGNS, 'svg');
  hullSvg.setAttribute('class', 'groups-svg');
  hullSvg.setAttribute('aria-hidden', 'true');
  const groupsLayer = h('div', { class: 'groups-layer', id: 'groups-layer' }, hullSvg);
  const stage = h('div', { class: 'stage' }, canvas, groupsLayer, notesLayer);
  // The side panel keeps its width even when empty, so selecting a node never resizes (and
  // re-renders) the canvas.
  const sideHint = () => h('p', { class: 'side-hint' }, t('workbench.sideHint'));
  const side = h('aside', { class: 'side', 'aria-label': t('entity.title') }, sideHint());
  const header = h('div', { class: 'wb-head' });
  const stats = h('span', { class: 'stats', 'aria-live': 'polite', id: 'graph-stats' });
  const status = h('div', { class: 'wb-status', 'aria-live': 'polite', id: 'wb-status' });
  // What part of the whole picture is drawn, when a cap left parties out: "显示 300 / 5,250".
  const shown = h('div', { class: 'wb-shown', id: 'wb-shown', 'aria-live': 'polite', hidden: true });
  const stripBox = h('div', { class: 'wb-strip' });
  const hiddenBtn = h('button', { type: 'button', class: 'btn', id: 'btn-unhide', onclick: () => { record(); setHidden(g, hiddenKeys(g), false); update(); syncURL(); } });

  const ensureView = (): GraphView => {
    if (view) return view;
    view = new GraphView(canvas, g, state);
    view.onClickNode = (k, shift, add) => select(k, shift, add);
    view.onDoubleClickNode = (k) => void expand(k);
    view.onClickStage = () => {
      state.selected.clear();
      state.labelled?.clear();
      state.edge = null;
      replace(side, sideHint());
      update();
    };
    view.onClickEdge = (ek) => void openEdge(ek);
    view.onAfterRender = () => {
      placeNotes();
      placeGroups();
    };
    view.onDragStart = () => record();
    view.onDragEnd = () => {
      update();
      syncURL();
    };
    view.edgeLabel = (a: EdgeAttrs) => t('workbench.edgeLabel', { claims: formatInt(a.claims ?? 0), amount: formatMoney(a.fund ?? 0) });
    return view;
  };

  const update = () => {
    const c = visibleCounts(g, state.range);
    stats.textContent = t('workbench.stats', { nodes: formatInt(c.nodes), edges: formatInt(c.edges) });
    const n = hiddenKeys(g).length;
    hiddenBtn.textContent = t('workbench.showHidden', { n });
    hiddenBtn.disabled = n === 0;
    const sel = [...state.selected];
    for (const b of [expandBtn, hideBtn, pinBtn]) b.disabled = sel.length === 0;
    pathBtn.disabled = sel.length !== 2;
    groupBtn.disabled = sel.length < 2;
    undoBtn.disabled = !hist.canUndo;
    redoBtn.disabled = !hist.canRedo;
    const last = sel[sel.length - 1];
    pinBtn.textContent = last && g.hasNode(last) && g.getNodeAttribute(last, 'fixed') ? t('workbench.unpin') : t('workbench.pin');
    view?.refresh();
  };

  // select: a click selects one node; Shift-click a second one (the pair a path joins);
  // Ctrl/⌘-click adds or removes nodes without limit (for hiding or grouping several).
  const select = (k: string, shift: boolean, add = false) => {
    if (!shift && !add) state.selected.clear();
    if (state.selected.has(k)) state.selected.delete(k);
    else state.selected.add(k);
    if (!add && state.selected.size > 2) state.selected.delete([...state.selected][0]!);
    state.labelled = new Set([...state.selected].flatMap((x) => heaviestEdges(g, x)));
    state.edge = null;
    state.path.clear();
    state.pathEdges.clear();
    update();
    performance.mark('rt:select');
    const a = g.getNodeAttributes(k);
    status.textContent = t('workbench.selected', { label: maskLabel(ctx.role, a.type, a.label, a.id) });
    if (a.type === 'claim' && !can(ctx.role, 'entity')) return;
    replace(side, entityPanel(ctx, parseKey(k), { compact: true }));
  };

  const afterMerge = (added: string[], force = true) => {
    timeControls.reset();
    update();
    if (force && added.length) view?.runForce(added.length > 500 ? 2000 : 1000);
  };

  const loadSubgraph = async (sub: Subgraph, anchor?: string) => {
    const first = view === null;
    const added = mergeSubgraph(g, sub, anchor, mulberry32(7));
    if (!anchor) concentricLayout(g);
    // A big first view keeps the concentric-by-kind layout: it is O(n), reads like a ring
    // (providers, doctors, patients, claims) and is drawn at once; ForceAtlas2 on 2,000 nodes
    // would cost most of the 2 s budget on a software-rendered canvas (docs/bench/ui.md). The
    // analyst can still pick the force layout, which then runs in a worker.
    if (first && g.order > 300) layoutSel.value = 'concentric';
    const v = ensureView();
    // A new renderer already frames the whole graph; an animated fit would re-render it for 300 ms.
    if (!anchor && !first) v.fit();
    // Marks for the performance test (docs/bench/ui.md): the first frame after a load.
    requestAnimationFrame(() => performance.mark('rt:first-frame'));
    noteCoverage(sub);
    afterMerge(added, !first || g.order <= 300);
    canvas.dataset.ready = '1';
    canvas.dataset.nodes = String(g.order);
    // Test hook for the end-to-end suite: where a node is drawn, so a test can click it as a person would.
    (window as unknown as { __ringtrace?: unknown }).__ringtrace = {
      nodeViewport: (k: string) => {
        const d = v.sigma.getNodeDisplayData(k);
        return d ? v.sigma.framedGraphToViewport(d) : null;
      },
      keys: () => g.nodes(),
      aggregatedEdges: () => g.filterEdges((_, a) => a.claims !== undefined).map((e) => ({ key: e, source: g.source(e), target: g.target(e) })),
      layoutRunning: () => v.layoutRunning(),
    };
  };

  // noteCoverage says how much of the whole picture the last load drew, when a cap left some out.
  const noteCoverage = (sub: Subgraph) => {
    const parties = sub.nodes.filter((n) => isParty(n.type as EntityType)).length;
    const notes: string[] = [];
    if (sub.parties && sub.parties > parties) notes.push(t('workbench.shown', { shown: formatInt(parties), total: formatInt(sub.parties) }));
    else if (sub.truncated) notes.push(t('workbench.truncated'));
    if (sub.claims_capped) notes.push(t('workbench.claimsCapped'));
    shown.textContent = notes.join('；');
    shown.hidden = notes.length === 0;
    if (notes.length) toast(notes.join('；'));
  };

  // openEdge shows an aggregated edge in the side panel: the two parties, what the edge folds,
  // the claims behind it (first 50), and a button that draws them as single claims.
  const openEdge = async (ek: string) => {
    if (!g.hasEdge(ek)) return;
    const a = g.getEdgeAttributes(ek);
    if (a.claims === undefined) return;
    const sk = g.source(ek);
    const tk = g.target(ek);
    state.edge = ek;
    state.selected.clear();
    update();
    const party = (k: string) => {
      const n = g.getNodeAttributes(k);
      return h('span', { class: 'edge-party' }, svg(iconSVG(n.type, 16)), ' ', maskLabel(ctx.role, n.type, n.label, n.id));
    };
    const facts = t('workbench.edgeFacts', {
      claims: formatInt(a.claims),
      amount: formatMoney(a.fund ?? 0),
      first: a.first !== undefined ? formatDate(a.first) : '—',
      last: a.last !== undefined ? formatDate(a.last) : '—',
    });
    const body = h('div', { class: 'edge-claims' });
    const panel = h(
      'section',
      { class: 'edge-panel', id: 'edge-panel', 'data-edge': ek, 'aria-labelledby': 'edge-h' },
      h('h2', { id: 'edge-h' }, t('workbench.edgeTitle'), ' ', h('span', { class: 'tag' }, t(`rel.${a.rel}` as MessageKey))),
      h('p', { class: 'edge-ends' }, party(sk), ' → ', party(tk)),
      h('p', { class: 'edge-facts' }, facts),
      body,
    );
    replace(side, panel);
    status.textContent = facts;
    if (!can(ctx.role, 'entity')) return;
    replace(body, loading());
    const other = parseKey(tk);
    try {
      const page = await ctx.client.claims(other.type, other.id, { with: sk, limit: 50 });
      if (state.edge !== ek) return;
      const expandClaims = h(
        'button',
        {
          type: 'button',
          class: 'btn',
          id: 'btn-expand-claims',
          onclick: async () => {
            expandClaims.disabled = true;
            try {
              const n = await expandEdgeClaims(ek, page.total > page.claims.length ? undefined : page.claims);
              syncURL();
              status.textContent = t('workbench.expandedClaims', { n: formatInt(n) });
            } catch (e) {
              status.textContent = errorText(e);
              expandClaims.disabled = false;
            }
          },
        },
        t('workbench.expandClaims'),
      );
      replace(
        body,
        h('h3', null, t('workbench.edgeClaims')),
        h(
          'table',
          { class: 'grid compact' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('claim.start')), h('th', { scope: 'col' }, t('claim.type')), h('th', { scope: 'col', class: 'num' }, t('claim.fund')))),
          h(
            'tbody',
            null,
            page.claims.map((c) => h('tr', { 'data-claim': c.id }, h('td', null, formatDate(c.start_time)), h('td', null, tEnum('claimType.', c.claim_type)), h('td', { class: 'num money' }, formatMoney(c.fund_amount)))),
          ),
        ),
        page.total > page.claims.length ? h('p', { class: 'muted small' }, t('workbench.edgeMore', { n: formatInt(page.total - page.claims.length) })) : null,
        expandClaims,
      );
    } catch (e) {
      replace(body, h('p', { class: 'form-error' }, errorText(e)));
    }
  };

  // expandEdgeClaims draws the claims behind aggregated edge ek as single claims (recorded for
  // undo and in the view state); claims already read may be passed in.
  const expandEdgeClaims = async (ek: string, claims?: Claim[]): Promise<number> => {
    const [sk, , tk] = ek.split('>') as [string, string, string];
    if (!g.hasNode(sk) || !g.hasNode(tk)) return 0;
    const other = parseKey(tk);
    let cs = claims;
    if (!cs) {
      // The claims route pages by at most 500; an edge is drawn with at most maxEdgeClaims claims.
      cs = [];
      for (let total = Infinity; cs.length < Math.min(total, maxEdgeClaims); ) {
        const page = await ctx.client.claims(other.type, other.id, { with: sk, offset: cs.length, limit: 500 });
        total = page.total;
        if (page.claims.length === 0) break;
        cs.push(...page.claims);
      }
    }
    record();
    const added = mergeSubgraph(g, claimSubgraph(cs, sk, tk), sk, mulberry32(13));
    if (!spec.c.includes(ek)) spec.c.push(ek);
    afterMerge(added, !restoring);
    canvas.dataset.nodes = String(g.order);
    return cs.length;
  };

  // expandNode merges a node's depth-1 neighbourhood (recorded for undo and in the view state).
  const expandNode = async (k: string): Promise<Subgraph> => {
    const r = parseKey(k);
    const sub = await ctx.client.neighbourhood(r.type, r.id, { depth: 1, limit: 200 });
    record();
    if (!spec.x.includes(k)) spec.x.push(k);
    // A party searched onto an empty canvas is its first picture, not an expansion of a node.
    await loadSubgraph(sub, g.hasNode(k) ? k : undefined);
    return sub;
  };

  // replay rebuilds a canvas from a view state after its base picture: the expansions in order,
  // then the opened edges, the marks, the time range and the layout.
  const replay = async (v: ViewSpec) => {
    restoring = true;
    try {
      for (const k of v.x) await expandNode(k);
      for (const ek of v.c) await expandEdgeClaims(ek);
      for (const [a, b, gap] of v.s ?? []) {
        const sub = gap ? await ctx.client.temporalPath(parseKey(a), parseKey(b), gap, 6) : await ctx.client.path(parseKey(a), parseKey(b), 6);
        mergeSubgraph(g, sub, a, mulberry32(11));
        spec.s = [...(spec.s ?? []), gap ? [a, b, gap] : [a, b]];
      }
      applyMarks(g, v);
      if (v.l && v.l !== layoutSel.value) {
        layoutSel.value = v.l;
        if (v.l !== 'force') applyLayout(v.l);
      }
      for (const [k, x, y] of v.p) if (g.hasNode(k)) g.mergeNodeAttributes(k, { x, y });
      timeControls.reset();
      if (v.t) timeControls.set(v.t[0], v.t[1]);
      if (v.n?.length) {
        spec.n = v.n.map((n) => [...n] as CanvasNote);
        drawNotes();
      }
      if (v.gr?.length) {
        spec.gr = v.gr.map(([name, ks]) => [name, [...ks]]);
        drawGroups();
      }
    } catch (e) {
      status.textContent = errorText(e);
    } finally {
      restoring = false;
    }
    // The replay is the starting point: undo goes no further back than the shared canvas.
    hist.clear();
    update();
    canvas.dataset.restored = '1';
  };

  // drawNotes rebuilds the note elements from the view state; placeNotes moves them each frame.
  const noteEls: HTMLElement[] = [];
  const drawNotes = () => {
    noteEls.length = 0;
    replace(
      notesLayer,
      (spec.n ?? []).map((n, i) => {
        const el = h(
          'div',
          { class: 'canvas-note', 'data-note': i, role: 'note' },
          h('span', { class: 'note-text' }, n[3]),
          h('button', { type: 'button', class: 'note-del', 'aria-label': t('workbench.noteDelete'), title: t('workbench.noteDelete'), onclick: () => deleteNote(i) }, '×'),
        );
        noteEls.push(el);
        return el;
      }),
    );
    placeNotes();
  };
  const placeNotes = () => {
    if (!view) return;
    (spec.n ?? []).forEach(([anchor, x, y], i) => {
      const el = noteEls[i];
      if (!el) return;
      let gx = x;
      let gy = y;
      if (anchor) {
        if (!g.hasNode(anchor) || !nodeVisible(g.getNodeAttributes(anchor), state.range)) {
          el.hidden = true;
          return;
        }
        gx = g.getNodeAttribute(anchor, 'x');
        gy = g.getNodeAttribute(anchor, 'y');
      }
      const p = view!.toViewport(gx, gy);
      el.hidden = false;
      el.style.transform = `translate(${Math.round(p.x + (anchor ? 14 : 0))}px, ${Math.round(p.y - (anchor ? 28 : 0))}px)`;
    });
  };
  const addNote = () => {
    const text = prompt(t('workbench.notePrompt'))?.trim();
    if (!text) return;
    const anchor = [...state.selected][0] ?? '';
    let x = 0;
    let y = 0;
    if (!anchor && view) {
      const box = canvas.getBoundingClientRect();
      ({ x, y } = view.fromViewport(box.width / 2, box.height / 2));
    }
    overlayChange(() => {
      spec.n = [...(spec.n ?? []), [anchor, Math.round(x * 10) / 10, Math.round(y * 10) / 10, text.slice(0, maxNoteLength)]];
    });
  };
  const deleteNote = (i: number) =>
    overlayChange(() => {
      spec.n = (spec.n ?? []).filter((_, j) => j !== i);
    });

  const groupColors = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'];
  const groupLabels: HTMLElement[] = [];
  const hullPaths: SVGPathElement[] = [];
  const drawGroups = () => {
    groupLabels.length = 0;
    hullPaths.length = 0;
    hullSvg.replaceChildren();
    for (const el of [...groupsLayer.querySelectorAll('.group-label')]) el.remove();
    (spec.gr ?? []).forEach(([name], i) => {
      const color = groupColors[i % groupColors.length]!;
      const path = document.createElementNS(SVGNS, 'path');
      path.setAttribute('fill', color);
      path.setAttribute('fill-opacity', '0.10');
      path.setAttribute('stroke', color);
      path.setAttribute('stroke-opacity', '0.10');
      path.setAttribute('stroke-width', '44');
      path.setAttribute('stroke-linejoin', 'round');
      path.setAttribute('stroke-linecap', 'round');
      hullSvg.append(path);
      hullPaths.push(path);
      const label = h(
        'div',
        { class: 'group-label', 'data-group': i, style: `border-color:${color}` },
        h('span', null, name),
        h('button', { type: 'button', class: 'note-del', 'aria-label': t('workbench.ungroup'), title: t('workbench.ungroup'), onclick: () => ungroup(i) }, '×'),
      );
      groupsLayer.append(label);
      groupLabels.push(label);
    });
    placeGroups();
  };
  const placeGroups = () => {
    if (!view) return;
    (spec.gr ?? []).forEach(([, members], i) => {
      const pts = members
        .filter((k) => g.hasNode(k) && nodeVisible(g.getNodeAttributes(k), state.range))
        .map((k) => view!.toViewport(g.getNodeAttribute(k, 'x'), g.getNodeAttribute(k, 'y')));
      const path = hullPaths[i];
      const label = groupLabels[i];
      if (!path || !label) return;
      if (pts.length === 0) {
        path.setAttribute('d', '');
        label.hidden = true;
        return;
      }
      const hull = convexHull(pts);
      path.setAttribute('d', 'M' + hull.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join('L') + 'Z');
      const top = hull.reduce((a, b) => (b.y < a.y ? b : a));
      label.hidden = false;
      label.style.transform = `translate(${Math.round(top.x - 20)}px, ${Math.round(top.y - 44)}px)`;
    });
  };
  const groupSelected = () => {
    const members = [...state.selected];
    if (members.length < 2) return;
    const name = prompt(t('workbench.groupPrompt'), t('workbench.groupDefault', { n: (spec.gr?.length ?? 0) + 1 }))?.trim();
    if (!name) return;
    overlayChange(() => {
      spec.gr = [...(spec.gr ?? []), [name.slice(0, 100), members]];
    });
  };
  const ungroup = (i: number) =>
    overlayChange(() => {
      spec.gr = (spec.gr ?? []).filter((_, j) => j !== i);
    });
  // overlayChange applies an undoable change to the notes or groups and redraws the overlays.
  function overlayChange(change: () => void): void {
    record();
    change();
    drawNotes();
    drawGroups();
    update();
    syncURL();
  }

  const undoRedo = (dir: 'undo' | 'redo') => {
    const cur = snapshot(g, spec);
    const s = dir === 'undo' ? hist.undo(cur) : hist.redo(cur);
    if (!s) return;
    view?.stopLayout();
    spec = restore(g, s);
    state.selected.clear();
    state.path.clear();
    state.pathEdges.clear();
    state.edge = null;
    replace(side, sideHint());
    timeControls.reset();
    drawNotes();
    drawGroups();
    update();
    syncURL();
    canvas.dataset.nodes = String(g.order);
    status.textContent = t(dir === 'undo' ? 'workbench.undone' : 'workbench.redone');
  };

  const expand = async (k: string) => {
    status.textContent = t('state.loading');
    try {
      const sub = await expandNode(k);
      syncURL();
      status.textContent = t('workbench.stats', { nodes: formatInt(sub.nodes.length), edges: formatInt(sub.edges.length) });
    } catch (e) {
      status.textContent = errorText(e);
    }
  };

  // findTemporalPath asks the server for a time-ordered path (each claim on or after the one
  // before, at most gap days later), draws its claims and lists the steps in order.
  const findTemporalPath = async (a: string, b: string, gap: number) => {
    try {
      const res = await ctx.client.temporalPath(parseKey(a), parseKey(b), gap, 6);
      if (!res.steps.length) {
        state.path.clear();
        state.pathEdges.clear();
        status.textContent = t('workbench.temporalNone', { gap });
        update();
        return;
      }
      record();
      mergeSubgraph(g, res, a, mulberry32(11));
      spec.s = [...(spec.s ?? []), [a, b, gap]];
      syncURL();
      canvas.dataset.nodes = String(g.order);
      const keys = [key(res.steps[0]!.from)];
      for (const st of res.steps) keys.push(`claim:${st.claim}`, key(st.to));
      state.path = new Set(keys);
      state.pathEdges = new Set(pathEdges(g, keys));
      const label = (r: { type: string; id: string }) => {
        const k = key(r);
        return g.hasNode(k) ? maskLabel(ctx.role, g.getNodeAttribute(k, 'type'), g.getNodeAttribute(k, 'label'), r.id) : r.id;
      };
      status.textContent = t('workbench.temporalFound', { n: res.steps.length });
      replace(
        side,
        h(
          'section',
          { class: 'path-steps', id: 'path-steps', 'aria-labelledby': 'path-steps-h' },
          h('h2', { id: 'path-steps-h' }, t('workbench.temporalTitle', { gap })),
          h('ol', null, res.steps.map((st) => h('li', null, h('strong', null, formatDateTime(st.at)), ' ', label(st.from), ' → ', label(st.to), ' · ', formatMoney(st.fund_amount)))),
        ),
      );
      update();
    } catch (e) {
      status.textContent = errorText(e);
    }
  };

  const findPath = async () => {
    const [a, b] = [...state.selected];
    if (!a || !b) return;
    if (temporalBox.checked) return findTemporalPath(a, b, Math.max(1, Math.min(366, Number(gapIn.value) || 30)));
    let p = localPath(g, a, b, state.range);
    if (!p) {
      try {
        const sub = await ctx.client.path(parseKey(a), parseKey(b), 6);
        if (sub.nodes.length) {
          record();
          mergeSubgraph(g, sub, a, mulberry32(11));
          spec.s = [...(spec.s ?? []), [a, b]];
          syncURL();
          canvas.dataset.nodes = String(g.order);
          p = localPath(g, a, b, { from: null, to: null });
        }
      } catch (e) {
        status.textContent = errorText(e);
        return;
      }
    }
    state.path = new Set(p ?? []);
    state.pathEdges = new Set(p ? pathEdges(g, p) : []);
    status.textContent = p ? t('workbench.pathFound', { n: p.length - 1 }) : t('workbench.pathNone');
    update();
  };

  const expandBtn = h('button', { type: 'button', class: 'btn', id: 'btn-expand', onclick: () => { for (const k of state.selected) void expand(k); } }, t('workbench.expand'));
  const hideBtn = h('button', { type: 'button', class: 'btn', id: 'btn-hide', onclick: () => { record(); setHidden(g, [...state.selected], true); state.selected.clear(); update(); syncURL(); } }, t('workbench.hide'));
  const pinBtn = h('button', { type: 'button', class: 'btn', id: 'btn-pin', onclick: () => { record(); for (const k of state.selected) togglePin(g, k); update(); syncURL(); } }, t('workbench.pin'));
  const groupBtn = h('button', { type: 'button', class: 'btn', id: 'btn-group', title: t('workbench.groupHint'), disabled: true, onclick: () => groupSelected() }, t('workbench.group'));
  const undoBtn = h('button', { type: 'button', class: 'btn', id: 'btn-undo', title: 'Ctrl+Z', disabled: true, onclick: () => undoRedo('undo') }, t('workbench.undo'));
  const redoBtn = h('button', { type: 'button', class: 'btn', id: 'btn-redo', title: 'Ctrl+Shift+Z / Ctrl+Y', disabled: true, onclick: () => undoRedo('redo') }, t('workbench.redo'));
  const onKey = (e: KeyboardEvent) => {
    const tgt = e.target as HTMLElement | null;
    if (tgt && (tgt.tagName === 'INPUT' || tgt.tagName === 'TEXTAREA' || tgt.tagName === 'SELECT' || tgt.isContentEditable)) return;
    if (!(e.ctrlKey || e.metaKey)) return;
    const k = e.key.toLowerCase();
    if (k === 'z' && !e.shiftKey) {
      e.preventDefault();
      undoRedo('undo');
    } else if ((k === 'z' && e.shiftKey) || k === 'y') {
      e.preventDefault();
      undoRedo('redo');
    }
  };
  document.addEventListener('keydown', onKey);
  // Time-ordered path: the path button then asks for claims in time order within a gap.
  const temporalBox = h('input', { type: 'checkbox', id: 'path-temporal' });
  const gapIn = h('input', { type: 'number', id: 'path-gap', min: 1, max: 366, value: 30, size: 3, 'aria-label': t('workbench.temporalGap') });
  const temporalCtl = h('span', { class: 'temporal' }, temporalBox, h('label', { for: 'path-temporal' }, t('workbench.temporal')), gapIn, h('span', { class: 'muted small' }, t('workbench.days')));
  const pathBtn = h('button', { type: 'button', class: 'btn', id: 'btn-path', title: t('workbench.pathHint'), onclick: () => void findPath() }, t('workbench.path'));
  const layoutSel = h(
    'select',
    {
      id: 'wb-layout',
      onchange: () => {
        record();
        applyLayout(layoutSel.value as LayoutName);
        syncURL();
      },
    },
    (
      [
        ['force', 'workbench.layoutForce'],
        ['concentric', 'workbench.layoutConcentric'],
        ['circle', 'workbench.layoutCircle'],
      ] as const
    ).map(([v, k]) => h('option', { value: v }, t(k))),
  );
  const applyLayout = (name: LayoutName) => {
    const v = ensureView();
    if (name === 'force') v.runForce(2000);
    else {
      v.stopLayout();
      if (name === 'circle') circleLayout(g);
      else concentricLayout(g);
    }
    v.refresh();
    v.fit();
  };

  const timeControls = timeRange(g, state.range, () => {
    update();
    syncURL();
  });

  const searchBox = partySearch(ctx, async (k) => {
    const r = parseKey(k);
    try {
      const sub = await ctx.client.neighbourhood(r.type, r.id, { depth: 1, limit: 200 });
      const first = g.order === 0;
      record();
      if (!spec.x.includes(k)) spec.x.push(k);
      await loadSubgraph(sub, first ? undefined : k);
      syncURL();
      select(k, false);
      view?.focus(k);
    } catch (e) {
      status.textContent = errorText(e);
    }
  });

  // Keyboard access to the canvas: a list of the parties drawn, riskiest first, filled when it
  // gets focus (building it on every redraw would cost more than the redraw).
  const nodePick = h('select', { id: 'wb-nodes', 'aria-label': t('workbench.pickNode') }, h('option', { value: '' }, t('workbench.pickNode')));
  const fillPick = () => {
    const parties = g
      .filterNodes((_, a) => nodeVisible(a, state.range) && a.type !== 'claim' && a.type !== 'phone' && a.type !== 'address' && a.type !== 'terminal')
      .map((k) => ({ k, a: g.getNodeAttributes(k) }))
      .sort((x, y) => (y.a.score ?? -1) - (x.a.score ?? -1) || x.k.localeCompare(y.k))
      .slice(0, 500);
    replace(
      nodePick,
      h('option', { value: '' }, t('workbench.pickNode')),
      parties.map(({ k, a }) => h('option', { value: k }, `${t(`type.${a.type}` as MessageKey)} · ${maskLabel(ctx.role, a.type, a.label, a.id)}${a.score !== undefined ? ' · ' + formatScore(a.score) : ''}`)),
    );
  };
  nodePick.addEventListener('focus', fillPick);
  nodePick.addEventListener('mousedown', fillPick);
  nodePick.addEventListener('change', () => {
    const k = nodePick.value;
    if (!k || !g.hasNode(k)) return;
    select(k, false);
    view?.focus(k);
  });

  const toolbar = h(
    'div',
    { class: 'toolbar', role: 'toolbar', 'aria-label': t('workbench.title') },
    searchBox,
    nodePick,
    h('div', { class: 'tb-group' }, expandBtn, hideBtn, pinBtn, pathBtn, temporalCtl, hiddenBtn),
    h('div', { class: 'tb-group' }, undoBtn, redoBtn, h('button', { type: 'button', class: 'btn', id: 'btn-note-add', title: t('workbench.noteHint'), onclick: () => addNote() }, t('workbench.noteAdd')), groupBtn, can(ctx.role, 'cases.work') ? saveViewControl(ctx, () => location.hash) : null),
    h('div', { class: 'tb-group' }, h('label', { for: 'wb-layout' }, t('workbench.layout')), layoutSel, h('button', { type: 'button', class: 'btn', id: 'btn-fit', onclick: () => view?.fit() }, t('workbench.fit'))),
    h(
      'div',
      { class: 'tb-group' },
      h('button', { type: 'button', class: 'btn', id: 'btn-png', onclick: () => view && void downloadAsPNG(view.sigma, { fileName: 'ringtrace-graph', backgroundColor: '#ffffff' }) }, t('workbench.exportPng')),
      h('button', { type: 'button', class: 'btn', id: 'btn-graphml', onclick: () => download('ringtrace-graph.graphml', toGraphML(g, state.range), 'application/graphml+xml') }, t('workbench.exportGraphml')),
    ),
  );

  const el = h(
    'section',
    { class: 'screen workbench', 'aria-labelledby': 'wb-h' },
    h('h1', { id: 'wb-h', class: 'sr-only' }, t('workbench.title')),
    header,
    toolbar,
    h('div', { class: 'wb-body' }, h('div', { class: 'wb-main' }, stage, stripBox, h('div', { class: 'wb-foot' }, timeControls.el, stats, shown, status), legend()), side),
  );
  update();

  // What to open: a ring, a party, or nothing yet.
  // The time strip over all the ring's or party's claims, once the base picture is drawn.
  const loadStrip = async (get: (bucket: 'week' | 'month') => Promise<Timeline>) => {
    let tl: Timeline;
    try {
      tl = await get('week');
    } catch {
      try {
        tl = await get('month');
      } catch {
        return; // the strip is an aid: the canvas works without it
      }
    }
    if (disposed) return;
    replace(
      stripBox,
      timelineStrip(tl, (span) => {
        timeControls.set(span?.from ?? null, span?.to ?? null);
      }),
    );
  };
  const ringId = route.parts[0] === 'rings' ? route.parts[1] : undefined;
  const entity = route.query.get('entity');
  const job = route.query.get('job') ?? undefined;
  const saved = decodeSpec(route.query.get('v'));
  if (ringId) {
    performance.mark('rt:ring-open');
    replace(stage, loading(), canvas, groupsLayer, notesLayer);
    Promise.all([ctx.client.ring(ringId, job), ctx.client.ringSubgraph(ringId, job)])
      .then(async ([ring, sub]) => {
        if (disposed) return;
        stage.firstChild?.remove();
        replace(header, ringHeader(ctx, ring, job));
        await loadSubgraph(sub);
        if (saved) await replay(saved);
        else canvas.dataset.restored = '1';
        void loadStrip((bucket) => ctx.client.ringTimeline(ringId, job, bucket));
      })
      .catch((e) => replace(stage, failure(e)));
  } else if (entity) {
    const r = parseKey(entity);
    ctx.client
      .neighbourhood(r.type, r.id, { depth: 1, limit: 200 })
      .then(async (sub) => {
        if (disposed) return;
        await loadSubgraph(sub);
        if (saved) await replay(saved);
        else canvas.dataset.restored = '1';
        select(key(r), false);
        if (can(ctx.role, 'entity')) void loadStrip((bucket) => ctx.client.timeline(r.type, r.id, { bucket }));
      })
      .catch((e) => replace(stage, failure(e)));
  } else if (saved) {
    void replay(saved);
  } else {
    stage.prepend(empty(t('workbench.empty')));
  }

  return {
    el,
    dispose: () => {
      disposed = true;
      document.removeEventListener('keydown', onKey);
      view?.dispose();
    },
  };
}

/**
 * saveViewControl saves the canvas (its location, which holds the view state) with one of the
 * user's open cases under a name, so that colleagues on the case open the same picture.
 */
function saveViewControl(ctx: Ctx, link: () => string): HTMLElement {
  const name = h('input', { id: 'view-name', required: true, maxlength: 100, placeholder: t('workbench.viewName') });
  const pick = h('select', { id: 'view-case', required: true, 'aria-label': t('workbench.viewCase') });
  const dlg = h(
    'dialog',
    { id: 'save-view', 'aria-labelledby': 'save-view-h' },
    h(
      'form',
      {
        method: 'dialog',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const c = cases.find((x) => x.id === pick.value);
          if (!c || !name.value.trim()) return;
          try {
            await ctx.client.saveView(c.id, name.value.trim(), link(), c.version);
            toast(t('workbench.viewSaved', { id: c.id }));
            dlg.close();
          } catch (err) {
            toast(errorText(err), 'error');
          }
        },
      },
      h('h2', { id: 'save-view-h' }, t('workbench.saveView')),
      h('label', { for: 'view-case' }, t('workbench.viewCase')),
      pick,
      h('label', { for: 'view-name' }, t('workbench.viewName')),
      name,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'btn-view-save' }, t('common.save')), h('button', { type: 'button', class: 'btn', onclick: () => dlg.close() }, t('common.cancel'))),
    ),
  );
  let cases: Case[] = [];
  const open = async () => {
    replace(pick, h('option', { value: '' }, t('state.loading')));
    dlg.showModal();
    try {
      cases = (await ctx.client.cases({ limit: 200 })).cases.filter((c) => c.status !== 'closed');
      replace(pick, cases.length ? cases.map((c) => h('option', { value: c.id }, `${c.id} · ${c.title}`)) : h('option', { value: '' }, t('cases.none')));
    } catch (err) {
      replace(pick, h('option', { value: '' }, errorText(err)));
    }
  };
  return h('span', null, h('button', { type: 'button', class: 'btn', id: 'btn-save-view', onclick: () => void open() }, t('workbench.saveView')), dlg);
}

/** isParty reports whether a node kind is a party (patient, doctor, institution, pharmacy). */
function isParty(t: EntityType): boolean {
  return t === 'patient' || t === 'doctor' || t === 'institution' || t === 'pharmacy';
}

/**
 * claimSubgraph draws the claims behind the aggregated edge from → to as single claims: each
 * claim tied to its patient (FILED), provider (AT) and doctor (TREATED_BY). The edge's two ends
 * are the parties already drawn; the third party of a claim is tied only if it is drawn too.
 */
export function claimSubgraph(claims: Claim[], from: string, to: string): Subgraph {
  const ends = [parseKey(from), parseKey(to)];
  const end = (pred: (r: { type: EntityType }) => boolean) => ends.find(pred);
  const nodes: ApiNode[] = [];
  const edges: ApiEdge[] = [];
  for (const c of claims) {
    const claim = { type: 'claim' as const, id: c.id };
    nodes.push({
      ...claim,
      label: c.id,
      props: { start_time: c.start_time, claim_type: c.claim_type, fund_amount: c.fund_amount.toFixed(2), total_amount: c.total_amount.toFixed(2) },
    });
    const patient = end((r) => r.type === 'patient') ?? { type: 'patient' as const, id: c.patient_id };
    const provider = end((r) => r.type === 'institution' || r.type === 'pharmacy') ?? { type: c.provider_type as EntityType, id: c.provider_id };
    const doctor = end((r) => r.type === 'doctor') ?? (c.doctor_id ? { type: 'doctor' as const, id: c.doctor_id } : undefined);
    edges.push({ from: patient, to: claim, type: 'FILED' }, { from: claim, to: provider, type: 'AT' });
    if (doctor) edges.push({ from: claim, to: doctor, type: 'TREATED_BY' });
  }
  return { nodes, edges, truncated: false };
}

function ringHeader(ctx: Ctx, ring: Ring, job?: string): HTMLElement {
  const reasons = [...ring.reasons].sort((a, b) => b.weight - a.weight);
  return h(
    'div',
    { class: 'ring-head', id: 'ring-head' },
    h('h2', null, t('ring.title', { id: ring.id }), ' ', h('span', { class: `tag kind-${ring.kind}` }, tEnum('kind.', ring.kind))),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, t('findings.score')),
      h('dd', null, scoreBar(ring.score)),
      h('dt', null, t('findings.amount')),
      h('dd', { class: 'money' }, formatMoney(ring.amount)),
      h('dt', null, t('ring.patients')),
      h('dd', null, formatInt(ring.patients ?? ring.members.filter((m) => m.type === 'patient').length)),
      h('dt', null, t('ring.members')),
      h('dd', null, formatInt(ring.members.length)),
      h('dt', null, t('findings.region')),
      h('dd', null, ring.region || '—'),
    ),
    h('ul', { class: 'reasons' }, reasons.slice(0, 3).map((r) => h('li', null, lang() === 'en' ? r.text_en : r.text))),
    can(ctx.role, 'cases.create')
      ? h(
          'button',
          {
            type: 'button',
            class: 'btn btn-primary',
            id: 'btn-open-case',
            onclick: async () => {
              try {
                const c = await ctx.client.createCase({ title: `${tEnum('kind.', ring.kind)} ${ring.id}`, ring_id: ring.id, job_id: job });
                ctx.go(`#/cases/${encodeURIComponent(c.id)}`);
              } catch (e) {
                toast(errorText(e), 'error');
              }
            },
          },
          t('ring.openCase'),
        )
      : null,
  );
}

/** timeRange builds the two-handle claim-time slider (day steps) over the graph's claim times. */
function timeRange(g: WorkGraph, range: TimeRange, changed: () => void): { el: HTMLElement; reset: () => void; set: (from: number | null, to: number | null) => void } {
  const from = h('input', { type: 'range', id: 'time-from', 'aria-label': t('workbench.time') + ' ≥', min: 0, max: 0, step: 1, value: 0 });
  const to = h('input', { type: 'range', id: 'time-to', 'aria-label': t('workbench.time') + ' ≤', min: 0, max: 0, step: 1, value: 0 });
  const label = h('span', { class: 'time-label', id: 'time-label' }, t('workbench.timeAll'));
  let base = 0;
  const show = () => {
    const a = Number(from.value);
    const b = Number(to.value);
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const max = Number(to.max);
    range.from = lo > 0 ? base + lo * dayMs : null;
    range.to = hi < max ? base + (hi + 1) * dayMs - 1 : null;
    label.textContent = range.from === null && range.to === null ? t('workbench.timeAll') : `${formatDate(base + lo * dayMs)} ~ ${formatDate(base + hi * dayMs)}`;
    changed();
  };
  from.addEventListener('input', show);
  to.addEventListener('input', show);
  const el = h('div', { class: 'time' }, h('span', null, t('workbench.time')), from, to, label);
  return {
    el,
    set: (lo: number | null, hi: number | null) => {
      const max = Number(to.max);
      from.value = String(lo === null ? 0 : Math.max(0, Math.min(max, Math.round((lo - base) / dayMs))));
      to.value = String(hi === null ? max : Math.max(0, Math.min(max, Math.round((hi + 1 - base) / dayMs) - 1)));
      show();
    },
    reset: () => {
      const ext = timeExtent(g);
      const disabled = !ext;
      from.disabled = to.disabled = disabled;
      if (!ext) return;
      // Day boundaries in China time, so a handle at a day means that whole local day.
      base = Math.floor((ext.min + 8 * 3600000) / dayMs) * dayMs - 8 * 3600000;
      const days = Math.max(1, Math.ceil((ext.max - base + 1) / dayMs) - 1);
      const keepTo = Number(to.value) === Number(to.max);
      from.max = to.max = String(days);
      if (range.from === null) from.value = '0';
      if (range.to === null || keepTo) to.value = String(days);
      label.textContent = range.from === null && range.to === null ? t('workbench.timeAll') : label.textContent;
    },
  };
}

/** legend explains kinds (colour + icon) and the risk borders. */
function legend(): HTMLElement {
  const kinds: EntityType[] = ['patient', 'doctor', 'institution', 'pharmacy', 'claim', 'phone', 'address', 'terminal'];
  return h(
    'div',
    { class: 'legend', 'aria-label': t('workbench.legend') },
    h('strong', null, t('workbench.legend')),
    kinds.map((k) => h('span', { class: 'legend-item' }, svg(iconSVG(k, 16)), t(`type.${k}` as MessageKey))),
    h('span', { class: 'legend-item' }, h('span', { class: 'risk-dot high', 'aria-hidden': 'true' }), t('workbench.riskHigh')),
    h('span', { class: 'legend-item' }, h('span', { class: 'risk-dot mid', 'aria-hidden': 'true' }), t('workbench.riskMid')),
  );
}

/** partySearch is the search box: prefix search over parties, results as a keyboard-usable list. */
function partySearch(ctx: Ctx, pick: (key: string) => void): HTMLElement {
  const input = h('input', { type: 'search', id: 'wb-search', placeholder: t('workbench.searchPlaceholder'), 'aria-label': t('common.search'), autocomplete: 'off', 'aria-controls': 'wb-search-results' });
  const list = h('ul', { class: 'search-results', id: 'wb-search-results', role: 'listbox' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = async () => {
    const q = input.value.trim();
    if (!q) return replace(list);
    try {
      const res = await ctx.client.search(q, ['patient', 'doctor', 'institution', 'pharmacy'], 12);
      replace(
        list,
        res.results.length === 0
          ? h('li', { class: 'muted' }, t('state.empty'))
          : res.results.map((n) =>
              h(
                'li',
                { role: 'option', tabindex: 0, onclick: () => { replace(list); pick(key(n)); }, onkeydown: (e: KeyboardEvent) => { if (e.key === 'Enter') { replace(list); pick(key(n)); } } },
                svg(iconSVG(n.type as EntityType, 16)),
                ' ',
                maskLabel(ctx.role, n.type as EntityType, n.label, n.id),
                ' ',
                h('span', { class: 'muted small' }, n.id, n.score !== undefined ? ` · ${formatScore(n.score)}` : ''),
              ),
            ),
      );
    } catch (e) {
      replace(list, h('li', { class: 'form-error' }, errorText(e)));
    }
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), 250);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') (list.querySelector('[role=option]') as HTMLElement | null)?.focus();
    if (e.key === 'Escape') replace(list);
  });
  return h('div', { class: 'search' }, input, list);
}

