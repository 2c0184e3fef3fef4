// Findings board: groups (团伙) and single-card leads (线索) on two tabs, ranked by expected
// improper amount (score × amount involved) by default, with kind, patients, amounts, the main
// provider/doctor by name and code, region and the main reason; filters, sort and paging in the
// URL; rows can be selected to open cases or export; a click opens the finding in the workbench.
import type { Ctx, Route, View } from '../screen';
import type { Ring, RingPage } from '../api/types';
import { formatInt, formatMoney, lang, t, tEnum, type MessageKey } from '../i18n';
import { can } from '../logic/roles';
import { download } from '../ui/dom';
import { errorText, toast } from '../ui/states';
import { mainParty, matchesQuery, patientCount } from '../logic/rings';
import { iconSVG } from '../graph/style';
import { h, replace, svg } from '../ui/dom';
import { scoreBar } from '../ui/scoreBar';
import { empty, failure, loading } from '../ui/states';

const ringKinds = ['collusion_ring', 'card_lending', 'pharmacy_card_collection', 'ghost_hospitalization'];
const leadKinds = ['card_lending', 'deceased_claims', 'screening_rule', 'ghost_hospitalization', 'billing_rule'];
type FindingClass = 'ring' | 'lead';
const pageSize = 50;

/** render builds the findings board; filters live in the URL so a view can be shared. */
export function render(ctx: Ctx, route: Route): View {
  // Marks for the performance test (docs/bench/ui.md): from render to the first frame with rows.
  performance.mark('rt:board-open');
  const q = route.query;
  const state = {
    cls: (q.get('class') === 'lead' ? 'lead' : 'ring') as FindingClass,
    kind: q.get('kind') ?? '',
    region: q.get('region') ?? '',
    min: q.get('min') ?? '',
    sort: q.get('sort') ?? '-expected',
    text: q.get('q') ?? '',
    offset: Number(q.get('offset') ?? 0) || 0,
  };
  const results = h('div', { class: 'results' });

  const kinds = state.cls === 'lead' ? leadKinds : ringKinds;
  const kindSel = h('select', { id: 'f-kind', name: 'kind' }, h('option', { value: '' }, t('common.all')), kinds.map((k) => h('option', { value: k, selected: state.kind === k }, tEnum('kind.', k))));
  const regionIn = h('input', { id: 'f-region', name: 'region', value: state.region, size: 8 });
  const minIn = h('input', { id: 'f-min', name: 'min', type: 'number', min: 0, max: 1, step: 0.05, value: state.min });
  const sortSel = h(
    'select',
    { id: 'f-sort', name: 'sort' },
    (
      [
        ['-expected', 'findings.sortExpected'],
        ['-score', 'findings.sortScore'],
        ['-amount', 'findings.sortAmount'],
        ['-size', 'findings.sortSize'],
      ] as const
    ).map(([v, k]) => h('option', { value: v, selected: state.sort === v }, t(k))),
  );
  const textIn = h('input', { id: 'f-q', name: 'q', type: 'search', value: state.text });
  const query = (cls: FindingClass, withFilters: boolean) => {
    const p = new URLSearchParams();
    if (cls === 'lead') p.set('class', 'lead');
    if (!withFilters) return p;
    if (kindSel.value) p.set('kind', kindSel.value);
    if (regionIn.value.trim()) p.set('region', regionIn.value.trim());
    if (minIn.value) p.set('min', minIn.value);
    if (sortSel.value !== '-expected') p.set('sort', sortSel.value);
    if (textIn.value.trim()) p.set('q', textIn.value.trim());
    return p;
  };
  const go = (p: URLSearchParams) => ctx.go('#/findings' + (p.toString() ? '?' + p : ''));
  const apply = () => go(query(state.cls, true));
  // Tabs: switching class keeps no filters (the kinds differ), as two boards would.
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('findings.title') });
  const drawTabs = (rings?: number, leads?: number) =>
    replace(
      tabs,
      (['ring', 'lead'] as const).map((c) =>
        h(
          'button',
          { type: 'button', role: 'tab', id: `tab-${c}`, class: 'tab' + (state.cls === c ? ' active' : ''), 'aria-selected': state.cls === c ? 'true' : 'false', onclick: () => go(query(c, false)) },
          t(c === 'ring' ? 'findings.tabRings' : 'findings.tabLeads'),
          (c === 'ring' ? rings : leads) !== undefined ? h('span', { class: 'count' }, ' ', formatInt((c === 'ring' ? rings : leads)!)) : null,
        ),
      ),
    );
  drawTabs();
  const form = h(
    'form',
    { class: 'filters', role: 'search', onsubmit: (e: Event) => { e.preventDefault(); apply(); }, onchange: () => apply() },
    field('f-kind', 'findings.filterKind', kindSel),
    field('f-region', 'findings.filterRegion', regionIn),
    field('f-min', 'findings.minScore', minIn),
    field('f-sort', 'findings.sort', sortSel),
    field('f-q', 'findings.query', textIn),
    h('button', { type: 'submit', class: 'btn' }, t('common.search')),
  );

  const load = async () => {
    replace(results, loading());
    try {
      const page = await ctx.client.rings({
        class: state.cls,
        kind: state.kind || undefined,
        region: state.region || undefined,
        min_score: state.min ? Number(state.min) : undefined,
        sort: state.sort,
        // A provider id (H…/P…) is filtered by the server across every page; other keywords
        // filter the rows of the current page.
        provider: providerId(state.text),
        offset: state.offset,
        limit: pageSize,
      });
      drawTabs(page.rings_total, page.leads_total);
      replace(results, table(ctx, page, providerId(state.text) ? '' : state.text, state.offset, state.cls));
      requestAnimationFrame(() => performance.mark('rt:board-frame'));
    } catch (e) {
      replace(results, failure(e, () => void load()));
    }
  };
  void load();

  const el = h(
    'section',
    { class: 'screen findings', 'aria-labelledby': 'findings-h' },
    h('div', { class: 'screen-head' }, h('h1', { id: 'findings-h' }, t('findings.title')), h('p', { class: 'muted' }, t(state.cls === 'lead' ? 'findings.subtitleLeads' : 'findings.subtitle'))),
    tabs,
    form,
    results,
  );
  return { el };
}

/** providerId returns the keyword when it is an institution or pharmacy code (H53…, P53…). */
export function providerId(text: string): string | undefined {
  const v = text.trim();
  return /^[HP]\d{6,}$/i.test(v) ? v.toUpperCase() : undefined;
}

function field(id: string, key: MessageKey, input: HTMLElement): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: id }, t(key)), input);
}

function table(ctx: Ctx, page: RingPage, text: string, offset: number, cls: FindingClass): HTMLElement {
  const rings = page.rings.filter((r) => matchesQuery(r, text));
  if (rings.length === 0) return empty(t(cls === 'lead' ? 'findings.noneLeads' : 'findings.none'));
  const labels = page.labels ?? {};
  const open = (r: Ring) => ctx.go(`#/rings/${encodeURIComponent(r.id)}${page.job_id ? '?job=' + encodeURIComponent(page.job_id) : ''}`);
  const selected = new Set<string>();
  const bar = h('div', { class: 'bulk', id: 'bulk-bar', 'aria-live': 'polite' });
  const boxes: HTMLInputElement[] = [];
  const drawBar = () => {
    const n = selected.size;
    const chosen = rings.filter((r) => selected.has(r.id));
    replace(
      bar,
      h('span', { class: 'muted' }, t('findings.selected', { n: formatInt(n) })),
      can(ctx.role, 'cases.create')
        ? h('button', { type: 'button', class: 'btn', id: 'bulk-cases', disabled: n === 0, onclick: () => void openCases(ctx, chosen, page.job_id) }, t('findings.bulkCases'))
        : null,
      h('button', { type: 'button', class: 'btn', id: 'bulk-export', disabled: n === 0, onclick: () => download(`ringtrace-findings-${page.job_id || 'latest'}.csv`, findingsCSV(chosen, labels), 'text/csv;charset=utf-8') }, t('findings.bulkExport')),
    );
  };
  const all = h('input', {
    type: 'checkbox',
    id: 'select-all',
    'aria-label': t('findings.selectAll'),
    onchange: (e: Event) => {
      const on = (e.target as HTMLInputElement).checked;
      for (const b of boxes) b.checked = on;
      selected.clear();
      if (on) for (const r of rings) selected.add(r.id);
      drawBar();
    },
  });
  const rows = rings.map((r, i) => {
    const main = mainParty(r);
    const top = [...r.reasons].sort((a, b) => b.weight - a.weight)[0];
    const box = h('input', {
      type: 'checkbox',
      class: 'row-select',
      'aria-label': t('findings.selectRow', { id: r.id }),
      onclick: (e: Event) => e.stopPropagation(),
      onchange: (e: Event) => {
        if ((e.target as HTMLInputElement).checked) selected.add(r.id);
        else selected.delete(r.id);
        drawBar();
      },
    });
    boxes.push(box);
    const name = main ? labels[`${main.type}:${main.id}`] : undefined;
    return h(
      'tr',
      { tabindex: 0, class: 'clickable', 'data-ring': r.id, onclick: () => open(r), onkeydown: (e: KeyboardEvent) => { if (e.target === e.currentTarget && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); open(r); } } },
      h('td', { class: 'select' }, box),
      h('td', { class: 'num' }, offset + i + 1),
      h('td', null, scoreBar(r.score)),
      h('td', null, h('span', { class: `tag kind-${r.kind}` }, tEnum('kind.', r.kind))),
      h('td', { class: 'num' }, formatInt(r.patients ?? patientCount(r))),
      h('td', { class: 'num money expected' }, formatMoney(r.expected_amount ?? r.amount * r.score)),
      h('td', { class: 'num money' }, formatMoney(r.amount)),
      h('td', { class: 'num' }, formatInt(r.claims ?? null)),
      h('td', null, main ? h('span', { class: 'party' }, svg(iconSVG(main.type, 16)), ' ', name ? h('span', { class: 'party-name' }, name) : null, ' ', h('code', { class: 'muted small' }, main.id)) : '—'),
      h('td', null, r.region || '—'),
      h('td', { class: 'reason' }, top ? (lang() === 'en' ? top.text_en : top.text) : '—'),
    );
  });
  drawBar();
  const pages = Math.max(1, Math.ceil(page.total / pageSize));
  const cur = Math.floor(offset / pageSize) + 1;
  const pager = h(
    'div',
    { class: 'pager' },
    h('span', null, t(cls === 'lead' ? 'findings.countLeads' : 'findings.count', { n: formatInt(page.total) }), ' · ', t('common.page', { page: cur, pages, total: formatInt(page.total) })),
    h('button', { type: 'button', class: 'btn', disabled: cur <= 1, onclick: () => shift(ctx, offset - pageSize) }, t('common.prev')),
    h('button', { type: 'button', class: 'btn', disabled: cur >= pages, onclick: () => shift(ctx, offset + pageSize) }, t('common.next')),
  );
  const heads = ['findings.rank', 'findings.score', 'findings.kind', 'findings.patients', 'findings.expected', 'findings.amount', 'findings.claims', 'findings.main', 'findings.region', 'findings.reasons'] as const;
  return h(
    'div',
    null,
    page.job_id ? h('p', { class: 'muted small' }, t('findings.job'), ': ', h('code', null, page.job_id)) : null,
    bar,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'grid', id: 'rings-table' },
        h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'select' }, all), heads.map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', null, rows),
      ),
    ),
    pager,
  );
}

/** openCases opens one case per selected finding, as a supervisor triaging the board would. */
async function openCases(ctx: Ctx, rings: Ring[], job?: string): Promise<void> {
  let ok = 0;
  for (const r of rings) {
    try {
      await ctx.client.createCase({ title: `${tEnum('kind.', r.kind)} ${r.id}`, ring_id: r.id, job_id: job });
      ok++;
    } catch (e) {
      toast(`${r.id}: ${errorText(e)}`, 'error');
    }
  }
  if (ok) toast(t('findings.casesOpened', { n: formatInt(ok) }));
}

/** findingsCSV writes the selected findings as CSV (UTF-8 with BOM, so that Excel reads Chinese). */
export function findingsCSV(rings: Ring[], labels: Record<string, string>): string {
  const cell = (v: string | number) => {
    const s = String(v);
    // A leading = + - @ would be read by a spreadsheet as a formula.
    const safe = /^[=+\-@]/.test(s) ? "'" + s : s;
    return /[",\n]/.test(safe) ? '"' + safe.replace(/"/g, '""') + '"' : safe;
  };
  const head = ['id', 'class', 'kind', 'score', 'patients', 'expected_amount', 'amount', 'claims', 'main_party', 'main_party_name', 'region', 'reason'];
  const lines = rings.map((r) => {
    const main = mainParty(r);
    const top = [...r.reasons].sort((a, b) => b.weight - a.weight)[0];
    return [r.id, r.class ?? '', tEnum('kind.', r.kind), r.score.toFixed(3), r.patients ?? patientCount(r), (r.expected_amount ?? 0).toFixed(2), r.amount.toFixed(2), r.claims ?? '', main ? `${main.type}:${main.id}` : '', main ? (labels[`${main.type}:${main.id}`] ?? '') : '', r.region ?? '', top ? (lang() === 'en' ? top.text_en : top.text) : '']
      .map(cell)
      .join(',');
  });
  return '\ufeff' + [head.join(','), ...lines].join('\r\n') + '\r\n';
}

function shift(ctx: Ctx, offset: number): void {
  const p = new URLSearchParams(location.hash.split('?')[1] ?? '');
  p.set('offset', String(Math.max(0, offset)));
  ctx.go('#/findings?' + p);
}
