// The WebGL renderer of the workbench: sigma.js v3 over the graphology model (see
// docs/decisions/ui.md for why sigma rather than Cytoscape.js). Kinds are drawn with their colour
// and a white pictogram, risk as a red/amber border; dragging a node pins it.
import Sigma from 'sigma';
import { createNodeCompoundProgram, EdgeLineProgram } from 'sigma/rendering';
import { createNodeBorderProgram } from '@sigma/node-border';
import { createNodeImageProgram } from '@sigma/node-image';
import FA2Layout from 'graphology-layout-forceatlas2/worker';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import { edgeVisible, nodeVisible, type EdgeAttrs, type NodeAttrs, type TimeRange, type WorkGraph } from './model';
import { iconURL, riskColor } from './style';

/** ViewState is what the reducers read on every frame. */
export interface ViewState {
  range: TimeRange;
  selected: Set<string>;
  path: Set<string>;
  pathEdges: Set<string>;
  /** the edge whose claims the side panel shows */
  edge?: string | null;
  /** edges labelled beside the selection (the heaviest few of each selected node) */
  labelled?: Set<string>;
}

/**
 * edgeWidth draws an aggregated edge thicker the more claims it folds, on a log scale (1 claim:
 * 1 px, 10: ~2.7 px, 100: ~4.3 px, capped at 6), so the heavy ties of a ring stand out.
 */
export function edgeWidth(claims: number | undefined): number {
  if (!claims || claims <= 1) return 1;
  return Math.min(6, 1 + Math.log2(claims) * 0.5);
}

/** GraphView owns a sigma renderer and an optional background layout. */
export class GraphView {
  readonly sigma: Sigma;
  private layout: FA2Layout | null = null;
  private layoutTimer: ReturnType<typeof setTimeout> | null = null;
  private dragged: string | null = null;
  /** onClickNode gets the clicked node and whether Shift (path pair) or Ctrl/⌘ (add to selection) was held. */
  onClickNode: (key: string, shift: boolean, add?: boolean) => void = () => {};
  onDoubleClickNode: (key: string) => void = () => {};
  onClickStage: () => void = () => {};
  onClickEdge: (key: string) => void = () => {};
  /** onDragStart runs when a drag first moves a node (before it is pinned); onDragEnd when it is dropped. */
  onDragStart: (key: string) => void = () => {};
  onDragEnd: (key: string) => void = () => {};
  /** onAfterRender runs after every frame (overlays such as canvas notes follow the camera). */
  onAfterRender: () => void = () => {};
  private moved = false;
  /** edgeLabel writes the label of an aggregated edge next to a selected node. */
  edgeLabel: (a: EdgeAttrs) => string = () => '';

  constructor(
    container: HTMLElement,
    readonly graph: WorkGraph,
    readonly state: ViewState,
  ) {
    const program = createNodeCompoundProgram([
      createNodeBorderProgram({
        borders: [
          { size: { attribute: 'borderSize', defaultValue: 0.1 }, color: { attribute: 'borderColor' } },
          { size: { fill: true }, color: { attribute: 'color' } },
        ],
      }),
      createNodeImageProgram({ drawingMode: 'color', colorAttribute: 'pictoColor', padding: 0.28, keepWithinCircle: true }),
    ]);
    // Sigma picks a node's program by its "type" attribute, which holds the entity kind here; the
    // reducer below maps every kind to the one "rt" program (one program instance per key would
    // multiply draw calls and texture work by eight).
    this.sigma = new Sigma(graph, container, {
      nodeProgramClasses: { rt: program },
      defaultNodeType: 'rt',
      // Plain lines: arrows double the edge geometry and a ring's edge directions are fixed by
      // kind (patient → claim → provider), which the legend explains.
      defaultEdgeType: 'line',
      edgeProgramClasses: { line: EdgeLineProgram },
      // Edge labels (claims and amount) are drawn only for the edges of selected nodes and of a
      // path: the reducer gives only those a label, so a hairball never fills with text.
      renderEdgeLabels: true,
      enableEdgeEvents: true,
      edgeLabelFont: '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif',
      edgeLabelSize: 11,
      edgeLabelColor: { color: '#333333' },
      labelRenderedSizeThreshold: 9,
      labelFont: '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif',
      zIndex: true,
      // Software-rendered WebGL (no GPU, as in headless CI) cannot redraw thousands of edges at 60 fps.
      hideEdgesOnMove: graph.order > 1000,
      minCameraRatio: 0.02,
      maxCameraRatio: 20,
      nodeReducer: (key, a) => {
        const visible = nodeVisible(a as NodeAttrs, this.state.range);
        const risk = riskColor(a.score);
        const inPath = this.state.path.has(key);
        const sel = this.state.selected.has(key);
        return {
          ...a,
          type: 'rt',
          hidden: !visible,
          image: iconURL(a.type),
          // At 5 px a pictogram is a white smudge; small linking nodes show their colour only.
          pictoColor: a.size > 6 ? '#ffffff' : a.color,
          // Parties get a thin white ring to stand out on edges; small linking nodes (claims,
          // phones, addresses) are drawn solid so their colour stays readable at 5 px.
          borderColor: inPath ? '#111111' : risk ?? (a.fixed ? '#333333' : a.size > 6 ? '#ffffff' : a.color),
          borderSize: inPath || risk ? 0.2 : a.fixed ? 0.15 : 0.08,
          highlighted: sel,
          forceLabel: sel || inPath,
          zIndex: sel || inPath ? 2 : risk ? 1 : 0,
          size: sel ? a.size * 1.3 : a.size,
        };
      },
      edgeReducer: (key, a) => {
        const ea = a as EdgeAttrs;
        const s = this.graph.source(key);
        const t = this.graph.target(key);
        if (!edgeVisible(ea, this.graph.getNodeAttributes(s), this.graph.getNodeAttributes(t), this.state.range)) return { ...a, hidden: true };
        const inPath = this.state.pathEdges.has(key);
        const picked = this.state.edge === key;
        const near = picked || inPath || this.state.selected.has(s) || this.state.selected.has(t);
        const labelled = ea.claims !== undefined && (picked || inPath || (this.state.labelled?.has(key) ?? false));
        const w = edgeWidth(ea.claims);
        return {
          ...a,
          color: inPath || picked ? '#111111' : near ? '#7a828f' : '#c5cad3',
          size: inPath || picked ? Math.max(3, w + 1) : w,
          label: labelled ? this.edgeLabel(ea) : undefined,
          forceLabel: labelled,
          zIndex: inPath || picked ? 2 : near ? 1 : 0,
        };
      },
    });
    this.sigma.on('clickNode', ({ node, event }) => {
      const o = event.original as MouseEvent;
      this.onClickNode(node, o.shiftKey, o.ctrlKey || o.metaKey);
    });
    this.sigma.on('doubleClickNode', ({ node, event, preventSigmaDefault }) => {
      preventSigmaDefault();
      // Sigma counts any two clicks within 300 ms as a double click, even on two nodes; a quick
      // Shift-click on a second node is a selection for the shortest path, not an expansion.
      const o = event.original as MouseEvent;
      if (o.ctrlKey || o.metaKey) this.onClickNode(node, false, true);
      else if (o.shiftKey) this.onClickNode(node, true);
      else this.onDoubleClickNode(node);
    });
    this.sigma.on('clickStage', () => this.onClickStage());
    this.sigma.on('clickEdge', ({ edge }) => this.onClickEdge(edge));
    this.sigma.on('afterRender', () => this.onAfterRender());
    // Dragging a node moves and pins it, as in Linkurious and Bloom.
    // A plain click must not pin: the node is pinned on the first move of a drag.
    this.sigma.on('downNode', ({ node }) => {
      this.dragged = node;
      this.moved = false;
    });
    this.sigma.getMouseCaptor().on('mousemovebody', (e) => {
      if (!this.dragged) return;
      if (!this.moved) {
        this.moved = true;
        this.onDragStart(this.dragged);
      }
      const p = this.sigma.viewportToGraph(e);
      this.graph.mergeNodeAttributes(this.dragged, { x: p.x, y: p.y, fixed: true });
      e.preventSigmaDefault();
      e.original.preventDefault();
      e.original.stopPropagation();
    });
    this.sigma.getMouseCaptor().on('mouseup', () => {
      if (this.dragged && this.moved) this.onDragEnd(this.dragged);
      this.dragged = null;
      this.moved = false;
    });
  }

  /** refresh redraws after a change of view state (selection, time range, hidden nodes). */
  refresh(): void {
    this.sigma.refresh();
  }

  /**
   * runForce runs ForceAtlas2 (Jacomy et al. 2014, doi:10.1371/journal.pone.0098679) for a
   * bounded time: in a web worker for big graphs so the page stays interactive while it settles,
   * synchronously for small ones where a worker costs more than it saves.
   */
  runForce(ms = 1500): void {
    this.stopLayout();
    const n = this.graph.order;
    if (n === 0) return;
    const settings = { ...forceAtlas2.inferSettings(this.graph), barnesHutOptimize: n > 500, adjustSizes: false };
    if (n <= 300) {
      forceAtlas2.assign(this.graph, { iterations: 150, settings });
      return;
    }
    this.layout = new FA2Layout(this.graph, { settings });
    this.layout.start();
    this.layoutTimer = setTimeout(() => this.stopLayout(), ms);
  }

  /** layoutRunning reports whether a background layout is still moving nodes. */
  layoutRunning(): boolean {
    return this.layout?.isRunning() ?? false;
  }

  stopLayout(): void {
    if (this.layoutTimer) clearTimeout(this.layoutTimer);
    this.layoutTimer = null;
    this.layout?.kill();
    this.layout = null;
  }

  /** toViewport converts graph coordinates to pixels in the canvas. */
  toViewport(x: number, y: number): { x: number; y: number } {
    return this.sigma.graphToViewport({ x, y });
  }

  /** fromViewport converts pixels in the canvas to graph coordinates. */
  fromViewport(x: number, y: number): { x: number; y: number } {
    return this.sigma.viewportToGraph({ x, y });
  }

  /** fit resets the camera to show the whole graph. */
  fit(): void {
    void this.sigma.getCamera().animatedReset({ duration: 300 });
  }

  /** focus centres the camera on one node. */
  focus(key: string): void {
    const d = this.sigma.getNodeDisplayData(key);
    if (d) void this.sigma.getCamera().animate({ x: d.x, y: d.y, ratio: 0.5 }, { duration: 300 });
  }

  dispose(): void {
    this.stopLayout();
    this.sigma.kill();
  }
}
