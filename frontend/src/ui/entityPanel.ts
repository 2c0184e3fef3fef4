// The entity panel widget: properties (masked per role), risk score with reasons, a timeline of
// visits and amounts, a sortable paged claims table, and the rings the party belongs to. The entity
// page shows it full-size, the workbench as its side panel.
import type { Ctx } from '../screen';
import type { Case, Claim, EntityView, Ref } from '../api/types';
import { formatDate, formatDateTime, formatInt, formatMoney, has, lang, t, tEnum, type MessageKey } from '../i18n';
import { maskLabel, maskProps } from '../logic/mask';
import { can } from '../logic/roles';
import { monthlyBuckets, sortClaims, type Bucket, type ClaimSortKey } from '../logic/timeline';
import { iconSVG } from '../graph/style';
import { h, replace, svg } from './dom';
import { scoreBar } from './scoreBar';
import { empty, errorText, failure, loading, toast } from './states';

const claimFetch = 500;
const pageSize = 15;

/** entityPanel loads and shows one entity; compact is the workbench's side panel. */
export function entityPanel(ctx: Ctx, ref: Ref, opts: { compact: boolean }): HTMLElement {
  const el = h('div', { class: 'entity', 'data-entity': `${ref.type}:${ref.id}` }, loading());
  const load = async () => {
    replace(el, loading());
    try {
      const v = await ctx.client.entity(ref.type, ref.id);
      replace(el, ...body(ctx, ref, v, opts));
    } catch (e) {
      replace(el, failure(e, () => void load()));
    }
  };
  void load();
  return el;
}

function body(ctx: Ctx, ref: Ref, v: EntityView, opts: { compact: boolean }): Node[] {
  const props = maskProps(ctx.role, ref.type, v.node.props ?? {});
  const label = maskLabel(ctx.role, ref.type, v.node.label, v.node.id);
  const rows = Object.entries(props)
    .filter(([k]) => k !== 'id')
    .sort(([a], [b]) => a.localeCompare(b));
  const risk = v.risk;
  const reasons = [...(risk?.reasons ?? [])].sort((a, b) => b.weight - a.weight);
  const out: Node[] = [
    h(
      'header',
      { class: 'entity-head' },
      svg(iconSVG(ref.type, 28)),
      h('div', null, h('h2', null, label), h('p', { class: 'muted small' }, t(`type.${ref.type}` as MessageKey), ' · ', h('code', null, ref.id), v.node.masked ? h('span', { class: 'tag masked', title: t('common.masked') }, t('common.masked')) : null)),
    ),
    h(
      'section',
      { class: 'panel' },
      h('h3', null, t('entity.props')),
      rows.length
        ? h('dl', { class: 'props' }, rows.map(([k, val]) => [h('dt', null, has(`prop.${k}`) ? t(`prop.${k}` as MessageKey) : k), h('dd', null, /date|time/.test(k) ? formatDate(val) : val)]))
        : h('p', { class: 'muted' }, t('common.none')),
    ),
    h(
      'section',
      { class: 'panel' },
      h('h3', null, t('entity.risk')),
      risk?.score !== undefined ? scoreBar(risk.score) : h('p', { class: 'muted' }, t('entity.noRisk')),
      reasons.length ? h('ul', { class: 'reasons' }, reasons.map((r) => h('li', null, lang() === 'en' ? r.text_en : r.text, h('span', { class: 'muted small' }, ` (${Math.round(r.weight * 100)}%)`)))) : null,
    ),
    h(
      'section',
      { class: 'panel' },
      h('h3', null, t('entity.rings')),
      v.rings.length
        ? h('ul', { class: 'ring-links' }, v.rings.map((r) => h('li', null, h('a', { href: `#/rings/${encodeURIComponent(r.id)}${v.job_id ? '?job=' + encodeURIComponent(v.job_id) : ''}` }, r.id), ' ', h('span', { class: `tag kind-${r.kind}` }, tEnum('kind.', r.kind)), ' ', scoreBar(r.score))))
        : h('p', { class: 'muted' }, t('common.none')),
    ),
  ];
  if (can(ctx.role, 'cases.create') && ref.type !== 'claim') {
    out.push(
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'btn btn-primary',
            'data-action': 'entity-case',
            onclick: async () => {
              try {
                const c = await ctx.client.createCase({ title: `${t(`type.${ref.type}` as MessageKey)} ${ref.id}`, entity: ref, job_id: v.job_id || undefined });
                ctx.go(`#/cases/${encodeURIComponent(c.id)}`);
              } catch (e) {
                toast(errorText(e), 'error');
              }
            },
          },
          t('entity.openCase'),
        ),
        opts.compact ? h('a', { class: 'btn', href: `#/entity/${ref.type}/${encodeURIComponent(ref.id)}` }, t('common.open')) : null,
      ),
    );
  }
  if (can(ctx.role, 'cases.work')) out.push(addToCase(ctx, ref));
  if (ref.type === 'patient' || ref.type === 'doctor' || ref.type === 'institution' || ref.type === 'pharmacy') {
    out.push(claimsSection(ctx, ref, opts.compact));
  }
  return out;
}

function claimsSection(ctx: Ctx, ref: Ref, compact: boolean): HTMLElement {
  const el = h('section', { class: 'panel claims-panel' }, h('h3', null, t('entity.timeline')), loading());
  void ctx.client
    .claims(ref.type, ref.id, { limit: claimFetch })
    .then((page) => {
      const chart = timelineChart(monthlyBuckets(page.claims), compact ? 320 : 720);
      replace(el, h('h3', null, t('entity.timeline')), chart, h('h3', null, t('entity.claims'), ' ', h('span', { class: 'muted small' }, formatInt(page.total))), claimsTable(page.claims));
    })
    .catch((e) => replace(el, h('h3', null, t('entity.claims')), failure(e)));
  return el;
}

/** timelineChart draws monthly fund amounts as bars and visit counts as a line, in SVG. */
function timelineChart(buckets: Bucket[], width: number): Element {
  if (buckets.length === 0) return empty(t('state.empty'));
  const hgt = 120;
  const pad = 24;
  const maxA = Math.max(...buckets.map((b) => b.amount), 1);
  const maxV = Math.max(...buckets.map((b) => b.visits), 1);
  const bw = (width - 2 * pad) / buckets.length;
  const bars = buckets
    .map((b, i) => {
      const bh = (b.amount / maxA) * (hgt - 2 * pad);
      return `<rect x="${pad + i * bw + 1}" y="${hgt - pad - bh}" width="${Math.max(1, bw - 2)}" height="${bh}" fill="#9ecae1"><title>${b.month} ${formatMoney(b.amount)} · ${b.visits}</title></rect>`;
    })
    .join('');
  const line = buckets.map((b, i) => `${pad + i * bw + bw / 2},${hgt - pad - (b.visits / maxV) * (hgt - 2 * pad)}`).join(' ');
  const first = buckets[0]!.month;
  const last = buckets[buckets.length - 1]!.month;
  const markup = `<svg class="timeline" viewBox="0 0 ${width} ${hgt}" width="100%" role="img" aria-label="${esc(t('entity.timeline'))}">
    ${bars}<polyline points="${line}" fill="none" stroke="#08519c" stroke-width="2"/>
    <text x="${pad}" y="${hgt - 6}" font-size="11">${first}</text><text x="${width - pad}" y="${hgt - 6}" font-size="11" text-anchor="end">${last}</text>
    <text x="${pad}" y="12" font-size="11">${esc(t('entity.amount'))} ≤ ${esc(formatMoney(maxA))}</text>
    <text x="${width - pad}" y="12" font-size="11" text-anchor="end" fill="#08519c">${esc(t('entity.visits'))} ≤ ${maxV}</text></svg>`;
  return svg(markup);
}

function esc(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

function claimsTable(claims: Claim[]): HTMLElement {
  if (claims.length === 0) return empty(t('state.empty'));
  let by: ClaimSortKey = 'start_time';
  let desc = true;
  let page = 0;
  const wrap = h('div', { class: 'claims' });
  const cols: [ClaimSortKey | null, MessageKey][] = [
    [null, 'claim.id'],
    ['start_time', 'claim.start'],
    ['claim_type', 'claim.type'],
    ['provider_id', 'claim.provider'],
    ['total_amount', 'claim.total'],
    ['fund_amount', 'claim.fund'],
  ];
  const draw = () => {
    const sorted = sortClaims(claims, by, desc);
    const pages = Math.max(1, Math.ceil(sorted.length / pageSize));
    page = Math.min(page, pages - 1);
    const rows = sorted.slice(page * pageSize, (page + 1) * pageSize);
    replace(
      wrap,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'grid compact' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              cols.map(([k, label]) =>
                h(
                  'th',
                  { scope: 'col', 'aria-sort': k === by ? (desc ? 'descending' : 'ascending') : null },
                  k
                    ? h('button', { type: 'button', class: 'sort', onclick: () => { if (by === k) desc = !desc; else { by = k; desc = true; } draw(); } }, t(label), k === by ? (desc ? ' ▼' : ' ▲') : '')
                    : t(label),
                ),
              ),
            ),
          ),
          h(
            'tbody',
            null,
            rows.map((c) =>
              h('tr', null, h('td', null, h('code', null, c.id)), h('td', null, formatDateTime(c.start_time)), h('td', null, tEnum('claimType.', c.claim_type)), h('td', null, c.provider_id), h('td', { class: 'num money' }, formatMoney(c.total_amount)), h('td', { class: 'num money' }, formatMoney(c.fund_amount))),
            ),
          ),
        ),
      ),
      h(
        'div',
        { class: 'pager' },
        h('span', null, t('common.page', { page: page + 1, pages, total: formatInt(sorted.length) })),
        h('button', { type: 'button', class: 'btn', disabled: page === 0, onclick: () => { page--; draw(); } }, t('common.prev')),
        h('button', { type: 'button', class: 'btn', disabled: page >= pages - 1, onclick: () => { page++; draw(); } }, t('common.next')),
      ),
    );
  };
  draw();
  return wrap;
}

/**
 * addToCase attaches the entity as evidence to one of the user's cases that are still open, as
 * investigators do from a chart in i2 or Linkurious ("add to case").
 */
function addToCase(ctx: Ctx, ref: Ref): HTMLElement {
  const pick = h('select', { id: `add-case-${ref.type}`, 'aria-label': t('entity.addToCase') }, h('option', { value: '' }, t('state.loading')));
  const btn = h('button', { type: 'button', class: 'btn', 'data-action': 'add-to-case', disabled: true }, t('entity.addToCase'));
  let cases: Case[] = [];
  void ctx.client
    .cases({ limit: 200 })
    .then((page) => {
      cases = page.cases.filter((c) => c.status !== 'closed');
      replace(pick, h('option', { value: '' }, cases.length ? t('entity.pickCase') : t('cases.none')), cases.map((c) => h('option', { value: c.id }, `${c.id} · ${c.title}`)));
    })
    .catch(() => replace(pick, h('option', { value: '' }, t('state.forbidden'))));
  pick.addEventListener('change', () => (btn.disabled = !pick.value));
  btn.addEventListener('click', async () => {
    const c = cases.find((x) => x.id === pick.value);
    if (!c) return;
    try {
      const next = await ctx.client.attach(c.id, [ref], c.version);
      cases = cases.map((x) => (x.id === next.id ? next : x));
      toast(t('entity.added', { id: c.id }));
    } catch (e) {
      toast(errorText(e), 'error');
    }
  });
  return h('div', { class: 'actions add-to-case' }, pick, btn);
}
