// Findings board: rings ranked by score with kind, size, amount involved (涉案金额), main
// provider/doctor and region; filters, sort and paging; a click opens the ring in the workbench.
import type { Ctx, Route, View } from '../screen';
import type { Ring, RingPage } from '../api/types';
import { formatInt, formatMoney, lang, t, tEnum, type MessageKey } from '../i18n';
import { mainParty, matchesQuery, patientCount } from '../logic/rings';
import { iconSVG } from '../graph/style';
import { h, replace, svg } from '../ui/dom';
import { scoreBar } from '../ui/scoreBar';
import { empty, failure, loading } from '../ui/states';

const kinds = ['collusion_ring', 'card_lending', 'pharmacy_card_collection', 'deceased_claims', 'screening_rule'];
const pageSize = 50;

/** render builds the findings board; filters live in the URL so a view can be shared. */
export function render(ctx: Ctx, route: Route): View {
  const q = route.query;
  const state = {
    kind: q.get('kind') ?? '',
    region: q.get('region') ?? '',
    min: q.get('min') ?? '',
    sort: q.get('sort') ?? '-score',
    text: q.get('q') ?? '',
    offset: Number(q.get('offset') ?? 0) || 0,
  };
  const results = h('div', { class: 'results' });

  const kindSel = h('select', { id: 'f-kind', name: 'kind' }, h('option', { value: '' }, t('common.all')), kinds.map((k) => h('option', { value: k, selected: state.kind === k }, tEnum('kind.', k))));
  const regionIn = h('input', { id: 'f-region', name: 'region', value: state.region, size: 8 });
  const minIn = h('input', { id: 'f-min', name: 'min', type: 'number', min: 0, max: 1, step: 0.05, value: state.min });
  const sortSel = h(
    'select',
    { id: 'f-sort', name: 'sort' },
    (
      [
        ['-score', 'findings.sortScore'],
        ['-amount', 'findings.sortAmount'],
        ['-size', 'findings.sortSize'],
      ] as const
    ).map(([v, k]) => h('option', { value: v, selected: state.sort === v }, t(k))),
  );
  const textIn = h('input', { id: 'f-q', name: 'q', type: 'search', value: state.text });
  const apply = () => {
    const p = new URLSearchParams();
    if (kindSel.value) p.set('kind', kindSel.value);
    if (regionIn.value.trim()) p.set('region', regionIn.value.trim());
    if (minIn.value) p.set('min', minIn.value);
    if (sortSel.value !== '-score') p.set('sort', sortSel.value);
    if (textIn.value.trim()) p.set('q', textIn.value.trim());
    ctx.go('#/findings' + (p.toString() ? '?' + p : ''));
  };
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
      replace(results, table(ctx, page, providerId(state.text) ? '' : state.text, state.offset));
    } catch (e) {
      replace(results, failure(e, () => void load()));
    }
  };
  void load();

  const el = h(
    'section',
    { class: 'screen findings', 'aria-labelledby': 'findings-h' },
    h('div', { class: 'screen-head' }, h('h1', { id: 'findings-h' }, t('findings.title')), h('p', { class: 'muted' }, t('findings.subtitle'))),
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

function table(ctx: Ctx, page: RingPage, text: string, offset: number): HTMLElement {
  const rings = page.rings.filter((r) => matchesQuery(r, text));
  if (rings.length === 0) return empty(t('findings.none'));
  const open = (r: Ring) => ctx.go(`#/rings/${encodeURIComponent(r.id)}${page.job_id ? '?job=' + encodeURIComponent(page.job_id) : ''}`);
  const rows = rings.map((r, i) => {
    const main = mainParty(r);
    const top = [...r.reasons].sort((a, b) => b.weight - a.weight)[0];
    return h(
      'tr',
      { tabindex: 0, class: 'clickable', 'data-ring': r.id, onclick: () => open(r), onkeydown: (e: KeyboardEvent) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(r); } } },
      h('td', { class: 'num' }, offset + i + 1),
      h('td', null, scoreBar(r.score)),
      h('td', null, h('span', { class: `tag kind-${r.kind}` }, tEnum('kind.', r.kind))),
      h('td', { class: 'num' }, formatInt(patientCount(r))),
      h('td', { class: 'num money' }, formatMoney(r.amount)),
      h('td', { class: 'num' }, formatInt(r.claims ?? null)),
      h('td', null, main ? h('span', { class: 'party' }, svg(iconSVG(main.type, 16)), ' ', main.id) : '—'),
      h('td', null, r.region || '—'),
      h('td', { class: 'reason' }, top ? (lang() === 'en' ? top.text_en : top.text) : '—'),
    );
  });
  const pages = Math.max(1, Math.ceil(page.total / pageSize));
  const cur = Math.floor(offset / pageSize) + 1;
  const pager = h(
    'div',
    { class: 'pager' },
    h('span', null, t('findings.count', { n: formatInt(page.total) }), ' · ', t('common.page', { page: cur, pages, total: formatInt(page.total) })),
    h('button', { type: 'button', class: 'btn', disabled: cur <= 1, onclick: () => shift(ctx, offset - pageSize) }, t('common.prev')),
    h('button', { type: 'button', class: 'btn', disabled: cur >= pages, onclick: () => shift(ctx, offset + pageSize) }, t('common.next')),
  );
  return h(
    'div',
    null,
    page.job_id ? h('p', { class: 'muted small' }, t('findings.job'), ': ', h('code', null, page.job_id)) : null,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'grid', id: 'rings-table' },
        h(
          'thead',
          null,
          h('tr', null, (['findings.rank', 'findings.score', 'findings.kind', 'findings.size', 'findings.amount', 'findings.claims', 'findings.main', 'findings.region', 'findings.reasons'] as const).map((k) => h('th', { scope: 'col' }, t(k)))),
        ),
        h('tbody', null, rows),
      ),
    ),
    pager,
  );
}

function shift(ctx: Ctx, offset: number): void {
  const p = new URLSearchParams(location.hash.split('?')[1] ?? '');
  p.set('offset', String(Math.max(0, offset)));
  ctx.go('#/findings?' + p);
}
