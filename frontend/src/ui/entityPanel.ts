// The entity panel widget: properties (masked per role), risk score with reasons, a timeline of
// visits and amounts, a sortable paged claims table, and the rings the party belongs to. The entity
// page shows it full-size, the workbench as its side panel.
import type { Ctx } from '../screen';
import type { Case, Claim, EntityView, Ref, Timeline } from '../api/types';
import { formatDate, formatDateTime, formatInt, formatMoney, has, lang, t, tEnum, type MessageKey } from '../i18n';
import { maskLabel, maskProps } from '../logic/mask';
import { can } from '../logic/roles';
import { bucketIndex, bucketsOf, sortClaims, type Bucket, type ClaimSortKey } from '../logic/timeline';
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
  Promise.all([ctx.client.timeline(ref.type, ref.id), ctx.client.claims(ref.type, ref.id, { limit: claimFetch })])
    .then(([tl, page]) => {
      const chart = timelineChart(tl, compact ? 320 : 720);
      const cover = tl.claims > 0 ? h('p', { class: 'muted small timeline-cover' }, t('entity.timelineCover', { n: formatInt(tl.claims), amount: formatMoney(tl.fund_amount), first: tl.first ?? '', last: tl.last ?? '' })) : null;
      replace(
        el,
        h('h3', null, t('entity.timeline')),
        chart,
        cover,
        timelineEvents(tl),
        h('h3', null, t('entity.claims'), ' ', h('span', { class: 'muted small' }, formatInt(page.total))),
        page.total > page.claims.length ? pagedClaimsTable(ctx, ref, page.total) : claimsTable(ref, page.claims),
      );
    })
    .catch((e) => replace(el, h('h3', null, t('entity.claims')), failure(e)));
  return el;
}

/**
 * timelineChart draws fund amounts per bucket as bars and claim counts as a line, in SVG, over
 * every claim of the party; a death date is a red line and inpatient stays are shaded.
 */
function timelineChart(tl: Timeline, width: number): Element {
  const buckets = bucketsOf(tl);
  if (buckets.length === 0) return empty(t('state.empty'));
  const hgt = 120;
  const pad = 24;
  const maxA = Math.max(...buckets.map((b) => b.amount), 1);
  const maxV = Math.max(...buckets.map((b) => b.visits), 1);
  const bw = (width - 2 * pad) / buckets.length;
  const x = (i: number) => pad + Math.max(0, Math.min(buckets.length, i)) * bw;
  const label = (b: Bucket) => (tl.bucket === 'month' ? b.start.slice(0, 7) : b.start);
  const stays = tl.events
    .filter((e) => e.kind === 'inpatient_stay')
    .map((e) => {
      const i = bucketIndex(buckets, e.from, tl.bucket);
      const j = bucketIndex(buckets, e.to ?? e.from, tl.bucket);
      return `<rect class="stay" x="${x(i)}" y="${pad}" width="${Math.max(2, x(j + 1) - x(i))}" height="${hgt - 2 * pad}" fill="#F9A825" opacity="0.25"><title>${esc(t('entity.stay'))} ${esc(e.from)}${e.to ? ' ~ ' + esc(e.to) : ''}</title></rect>`;
    })
    .join('');
  const deaths = tl.events
    .filter((e) => e.kind === 'death')
    .map((e) => {
      const i = bucketIndex(buckets, e.from, tl.bucket);
      const xx = i < 0 ? pad : i >= buckets.length ? width - pad : x(i) + bw / 2;
      return `<line class="death" x1="${xx}" x2="${xx}" y1="${pad - 6}" y2="${hgt - pad}" stroke="#C62828" stroke-width="2"><title>${esc(t('entity.death'))} ${esc(e.from)}</title></line>`;
    })
    .join('');
  const bars = buckets
    .map((b, i) => {
      const bh = (b.amount / maxA) * (hgt - 2 * pad);
      return `<rect x="${pad + i * bw + (bw > 3 ? 1 : 0)}" y="${hgt - pad - bh}" width="${Math.max(0.5, bw > 3 ? bw - 2 : bw)}" height="${bh}" fill="#9ecae1"><title>${esc(label(b))} ${esc(formatMoney(b.amount))} · ${b.visits}</title></rect>`;
    })
    .join('');
  const line = buckets.map((b, i) => `${pad + i * bw + bw / 2},${hgt - pad - (b.visits / maxV) * (hgt - 2 * pad)}`).join(' ');
  const first = label(buckets[0]!);
  const last = label(buckets[buckets.length - 1]!);
  const markup = `<svg class="timeline" viewBox="0 0 ${width} ${hgt}" width="100%" role="img" aria-label="${esc(t('entity.timeline'))}">
    ${stays}${bars}<polyline points="${line}" fill="none" stroke="#08519c" stroke-width="2"/>${deaths}
    <text x="${pad}" y="${hgt - 6}" font-size="11">${first}</text><text x="${width - pad}" y="${hgt - 6}" font-size="11" text-anchor="end">${last}</text>
    <text x="${pad}" y="12" font-size="11">${esc(t('entity.amount'))} ≤ ${esc(formatMoney(maxA))}</text>
    <text x="${width - pad}" y="12" font-size="11" text-anchor="end" fill="#08519c">${esc(t('entity.visits'))} ≤ ${maxV}</text></svg>`;
  return svg(markup);
}

/** timelineEvents lists the death date and the inpatient stays below the chart, in words. */
function timelineEvents(tl: Timeline): HTMLElement | null {
  const death = tl.events.find((e) => e.kind === 'death');
  const stays = tl.events.filter((e) => e.kind === 'inpatient_stay');
  if (!death && stays.length === 0) return null;
  const after = death ? tl.buckets.length > 0 && tl.last !== undefined && tl.last > death.from : false;
  return h(
    'ul',
    { class: 'timeline-events small' },
    death ? h('li', { class: after ? 'death after' : 'death' }, t('entity.death'), ' ', death.from, after ? ' · ' + t('entity.claimsAfterDeath', { last: tl.last ?? '' }) : '') : null,
    stays.length ? h('li', { class: 'stays' }, t('entity.stays', { n: formatInt(stays.length) }), tl.events_capped ? '+' : '') : null,
  );
}

function esc(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

/** counterpartColumns are the claim columns naming the other parties of a claim, by whose claims they are. */
function counterpartColumns(ref: Ref): [ClaimSortKey | null, MessageKey, (c: Claim) => string][] {
  const patient: [ClaimSortKey | null, MessageKey, (c: Claim) => string] = [null, 'claim.patient', (c) => c.patient_id];
  const provider: [ClaimSortKey | null, MessageKey, (c: Claim) => string] = ['provider_id', 'claim.provider', (c) => c.provider_id];
  const doctor: [ClaimSortKey | null, MessageKey, (c: Claim) => string] = [null, 'claim.doctor', (c) => c.doctor_id ?? ''];
  if (ref.type === 'patient') return [provider, doctor];
  if (ref.type === 'doctor') return [patient, provider];
  return [patient, doctor];
}

function claimsTable(ref: Ref, claims: Claim[]): HTMLElement {
  if (claims.length === 0) return empty(t('state.empty'));
  let by: ClaimSortKey = 'start_time';
  let desc = true;
  let page = 0;
  const wrap = h('div', { class: 'claims' });
  const cols: [ClaimSortKey | null, MessageKey, ((c: Claim) => string) | null][] = [
    [null, 'claim.id', null],
    ['start_time', 'claim.start', null],
    ['claim_type', 'claim.type', null],
    ...counterpartColumns(ref),
    ['total_amount', 'claim.total', null],
    ['fund_amount', 'claim.fund', null],
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
          h('tbody', null, rows.map((c) => claimRow(c, cols))),
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

function claimRow(c: Claim, cols: [ClaimSortKey | null, MessageKey, ((c: Claim) => string) | null][]): HTMLElement {
  return h(
    'tr',
    null,
    cols.map(([k, label, get]) => {
      if (get) return h('td', null, get(c));
      switch (label) {
        case 'claim.id':
          return h('td', null, h('code', null, c.id));
        case 'claim.start':
          return h('td', null, formatDateTime(c.start_time));
        case 'claim.type':
          return h('td', null, tEnum('claimType.', c.claim_type));
        default:
          return h('td', { class: 'num money' }, formatMoney(k === 'total_amount' ? c.total_amount : c.fund_amount));
      }
    }),
  );
}

/**
 * pagedClaimsTable pages a party with more claims than one fetch holds through the server, newest
 * first, so every one of its claims can be read (a pharmacy's 5,250, not the first 500). Sorting by
 * other columns needs every claim in the page; it is offered by the small table only.
 */
function pagedClaimsTable(ctx: Ctx, ref: Ref, total: number): HTMLElement {
  const cols: [ClaimSortKey | null, MessageKey, ((c: Claim) => string) | null][] = [
    [null, 'claim.id', null],
    [null, 'claim.start', null],
    [null, 'claim.type', null],
    ...counterpartColumns(ref).map(([, l, g]) => [null, l, g] as [ClaimSortKey | null, MessageKey, (c: Claim) => string]),
    ['total_amount', 'claim.total', null],
    ['fund_amount', 'claim.fund', null],
  ];
  const pages = Math.max(1, Math.ceil(total / pageSize));
  let page = 0;
  const wrap = h('div', { class: 'claims paged' });
  const draw = async () => {
    // Newest first: page 0 is the last pageSize claims of the server's oldest-first order.
    const end = total - page * pageSize;
    const offset = Math.max(0, end - pageSize);
    try {
      const res = await ctx.client.claims(ref.type, ref.id, { offset, limit: end - offset });
      const rows = [...res.claims].reverse();
      replace(
        wrap,
        h('p', { class: 'muted small' }, t('entity.claimsPaged', { n: formatInt(total) })),
        h(
          'div',
          { class: 'table-wrap' },
          h('table', { class: 'grid compact' }, h('thead', null, h('tr', null, cols.map(([, label]) => h('th', { scope: 'col' }, t(label))))), h('tbody', null, rows.map((c) => claimRow(c, cols)))),
        ),
        h(
          'div',
          { class: 'pager' },
          h('span', null, t('common.page', { page: page + 1, pages, total: formatInt(total) })),
          h('button', { type: 'button', class: 'btn', disabled: page === 0, onclick: () => { page--; void draw(); } }, t('common.prev')),
          h('button', { type: 'button', class: 'btn', disabled: page >= pages - 1, onclick: () => { page++; void draw(); } }, t('common.next')),
        ),
      );
    } catch (e) {
      replace(wrap, failure(e));
    }
  };
  replace(wrap, loading());
  void draw();
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
