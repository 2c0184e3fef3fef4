// GraphML export of the workbench view (http://graphml.graphdrawing.org/), which Gephi, yEd and
// i2 Analyst's Notebook import. Only what is drawn is exported, with properties as displayed
// (already masked for the user's role), so an export never reveals more than the screen.
import type { TimeRange, WorkGraph } from './model';
import { chinaDay, edgeVisible, nodeVisible } from './model';

function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

// XML 1.0 forbids most control characters even when escaped.
function clean(s: string): string {
  return esc(s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, ''));
}

/** toGraphML serialises the visible nodes and edges of g, with kind, label, score, position and properties. */
export function toGraphML(g: WorkGraph, range: TimeRange): string {
  const propKeys = new Set<string>();
  const nodes: string[] = [];
  g.forEachNode((k, a) => {
    if (!nodeVisible(a, range)) return;
    nodes.push(k);
    for (const p of Object.keys(a.props)) propKeys.add(p);
  });
  const props = [...propKeys].sort();
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">');
  out.push('  <key id="type" for="node" attr.name="type" attr.type="string"/>');
  out.push('  <key id="label" for="node" attr.name="label" attr.type="string"/>');
  out.push('  <key id="score" for="node" attr.name="score" attr.type="double"/>');
  out.push('  <key id="x" for="node" attr.name="x" attr.type="double"/>');
  out.push('  <key id="y" for="node" attr.name="y" attr.type="double"/>');
  props.forEach((p, i) => out.push(`  <key id="p${i}" for="node" attr.name="${clean(p)}" attr.type="string"/>`));
  out.push('  <key id="rel" for="edge" attr.name="type" attr.type="string"/>');
  out.push('  <key id="claims" for="edge" attr.name="claims" attr.type="int"/>');
  out.push('  <key id="fund" for="edge" attr.name="fund_amount" attr.type="double"/>');
  out.push('  <key id="first" for="edge" attr.name="first" attr.type="string"/>');
  out.push('  <key id="last" for="edge" attr.name="last" attr.type="string"/>');
  out.push('  <graph id="ringtrace" edgedefault="directed">');
  const visible = new Set(nodes);
  for (const k of nodes) {
    const a = g.getNodeAttributes(k);
    out.push(`    <node id="${clean(k)}">`);
    out.push(`      <data key="type">${clean(a.type)}</data>`);
    out.push(`      <data key="label">${clean(a.label)}</data>`);
    if (a.score !== undefined) out.push(`      <data key="score">${a.score}</data>`);
    out.push(`      <data key="x">${a.x.toFixed(2)}</data>`);
    out.push(`      <data key="y">${a.y.toFixed(2)}</data>`);
    props.forEach((p, i) => {
      const v = a.props[p];
      if (v !== undefined) out.push(`      <data key="p${i}">${clean(v)}</data>`);
    });
    out.push('    </node>');
  }
  g.forEachEdge((e, attrs, s, t, sa, ta) => {
    if (!visible.has(s) || !visible.has(t) || !edgeVisible(attrs, sa, ta, range)) return;
    let data = `<data key="rel">${clean(attrs.rel)}</data>`;
    if (attrs.claims !== undefined) data += `<data key="claims">${attrs.claims}</data>`;
    if (attrs.fund !== undefined) data += `<data key="fund">${attrs.fund.toFixed(2)}</data>`;
    if (attrs.first !== undefined) data += `<data key="first">${chinaDay(attrs.first)}</data>`;
    if (attrs.last !== undefined) data += `<data key="last">${chinaDay(attrs.last)}</data>`;
    out.push(`    <edge id="${clean(e)}" source="${clean(s)}" target="${clean(t)}">${data}</edge>`);
  });
  out.push('  </graph>');
  out.push('</graphml>');
  return out.join('\n') + '\n';
}
