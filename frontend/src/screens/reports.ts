// The whistle-blower intake desk (举报受理) of the intake role: the report list with search and a
// status filter, and one report with its attachments, the sealed reporter identity behind an
// explicit reveal (the API audit-logs every reveal), triage into a case (a new lead on the linked
// parties, or an existing case), rejection with a reason, and the reward the published table gives.
import type { Ctx, Route, View } from '../screen';
import type { EntityType, Ref, Report, ReportStatusName } from '../api/types';
import { formatDateTime, formatMoney, t, tEnum, type MessageKey } from '../i18n';
import { download, h, replace } from '../ui/dom';
import { empty, errorText, failure, loading, toast } from '../ui/states';

const statuses: ReportStatusName[] = ['received', 'triaged', 'confirmed', 'rejected'];
const partyTypes: EntityType[] = ['patient', 'doctor', 'institution', 'pharmacy'];

/** render shows the report list (#/reports) or one report (#/reports/ID). */
export function render(ctx: Ctx, route: Route): View {
  const el = h('section', { class: 'screen reports' });
  const id = route.parts[1];
  if (id) void loadReport(ctx, el, id);
  else listReports(ctx, el, route.query.get('q') ?? '', route.query.get('status') ?? '');
  return { el };
}

function statusTag(s: string): HTMLElement {
  return h('span', { class: `tag report-status-${s}`, 'data-status': s }, tEnum('reportStatus.', s));
}

/** matches reports whether a report matches the free-text query (number, subject, text, place, time). */
export function matches(r: Pick<Report, 'id' | 'subject' | 'what' | 'where' | 'when'>, q: string): boolean {
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  return [r.id, r.subject, r.what, r.where ?? '', r.when ?? ''].some((f) => f.toLowerCase().includes(needle));
}

function listReports(ctx: Ctx, el: HTMLElement, q0: string, status0: string): void {
  const results = h('div', { class: 'results' });
  const q = h('input', { id: 'r-q', type: 'search', value: q0, placeholder: t('reports.search') });
  const status = h(
    'select',
    { id: 'r-status' },
    h('option', { value: '' }, t('reports.all')),
    statuses.map((s) => h('option', { value: s, selected: s === status0 }, tEnum('reportStatus.', s))),
  );
  let all: Report[] = [];
  const draw = () => {
    const shown = all.filter((r) => (!status.value || r.status === status.value) && matches(r, q.value));
    history.replaceState(null, '', `#/reports?${new URLSearchParams({ ...(q.value ? { q: q.value } : {}), ...(status.value ? { status: status.value } : {}) })}`);
    if (shown.length === 0) return replace(results, empty(t('reports.none')));
    const open = (r: Report) => ctx.go(`#/reports/${encodeURIComponent(r.id)}`);
    replace(
      results,
      h('p', { class: 'muted', id: 'reports-count' }, t('reports.count', { n: shown.length })),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'grid', id: 'reports-table' },
          h('thead', null, h('tr', null, (['reports.id', 'reports.received', 'reports.subject', 'reports.what', 'reports.status', 'reports.case'] as const).map((k) => h('th', { scope: 'col' }, t(k))))),
          h(
            'tbody',
            null,
            shown.map((r) =>
              h(
                'tr',
                { tabindex: 0, class: 'clickable', 'data-report': r.id, onclick: () => open(r), onkeydown: (e: KeyboardEvent) => { if (e.key === 'Enter') open(r); } },
                h('td', null, h('code', null, r.id)),
                h('td', null, formatDateTime(r.received_at)),
                h('td', null, r.subject, ' ', h('span', { class: 'tag' }, r.named ? t('reports.named') : t('reports.anonymous'))),
                h('td', { class: 'clip' }, r.what.length > 60 ? r.what.slice(0, 60) + '…' : r.what),
                h('td', null, statusTag(r.status)),
                h('td', null, r.case_id ? h('code', null, r.case_id) : '—'),
              ),
            ),
          ),
        ),
      ),
    );
  };
  q.addEventListener('input', draw);
  status.addEventListener('change', draw);
  replace(
    el,
    h('div', { class: 'screen-head' }, h('h1', null, t('reports.title'))),
    h(
      'div',
      { class: 'filters', role: 'search' },
      h('div', { class: 'field' }, h('label', { for: 'r-q' }, t('common.search')), q),
      h('div', { class: 'field' }, h('label', { for: 'r-status' }, t('reports.status')), status),
    ),
    results,
  );
  const load = async () => {
    replace(results, loading());
    try {
      const page = await ctx.client.reports();
      all = [...page.reports].sort((a, b) => b.received_at.localeCompare(a.received_at));
      draw();
    } catch (e) {
      replace(results, failure(e, () => void load()));
    }
  };
  void load();
}

async function loadReport(ctx: Ctx, el: HTMLElement, id: string): Promise<void> {
  replace(el, loading());
  try {
    const r = await ctx.client.report(id);
    replace(el, reportView(ctx, el, r));
  } catch (e) {
    replace(el, h('a', { href: '#/reports', class: 'back' }, '← ', t('reports.back')), failure(e, () => void loadReport(ctx, el, id)));
  }
}

/** parseParties reads one "type:id" per line; it returns the refs or the 1-based number of a bad line. */
export function parseParties(text: string): { refs: Ref[] } | { bad: number } {
  const refs: Ref[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const m = /^([a-z]+)\s*[:：]\s*(\S+)$/.exec(line);
    if (!m || !partyTypes.includes(m[1] as EntityType)) return { bad: i + 1 };
    refs.push({ type: m[1] as EntityType, id: m[2] });
  }
  return { refs };
}

function row(key: MessageKey, value: Node | string | null | undefined): HTMLElement[] {
  return [h('dt', null, t(key)), h('dd', null, value || '—')];
}

function reportView(ctx: Ctx, root: HTMLElement, r: Report): HTMLElement {
  const closed = r.status === 'confirmed' || r.status === 'rejected';
  const reload = () => void loadReport(ctx, root, r.id);
  const details = h(
    'dl',
    { class: 'facts', id: 'report-facts' },
    row('reports.status', statusTag(r.status)),
    row('reports.received', formatDateTime(r.received_at)),
    row('reports.subject', r.subject),
    row('reports.what', h('span', { class: 'pre' }, r.what)),
    row('reports.where', r.where),
    row('reports.when', r.when),
    row('reports.case', r.case_id ? h('a', { href: `#/cases/${encodeURIComponent(r.case_id)}`, id: 'report-case' }, r.case_id) : null),
    r.reject_reason ? row('reports.rejectedBecause', h('span', { id: 'reject-reason' }, r.reject_reason)) : [],
    row('reports.confirmed', r.confirmed_amount ? formatMoney(r.confirmed_amount) : null),
    row('reports.reward', h('span', { id: 'report-reward' }, r.reward ? formatMoney(r.reward) : '—')),
    r.reward_notice_at ? row('reports.rewardNotice', formatDateTime(r.reward_notice_at)) : [],
    r.reward_claimed_at ? row('reports.rewardClaimed', formatDateTime(r.reward_claimed_at)) : [],
  );
  const attachments = h(
    'section',
    { class: 'panel' },
    h('h2', null, t('reports.attachments')),
    r.attachments.length === 0
      ? h('p', { class: 'muted' }, t('reports.noAttachments'))
      : h(
          'ul',
          { class: 'plain', id: 'report-attachments' },
          r.attachments.map((a, i) =>
            h(
              'li',
              null,
              a.name ?? `#${i + 1}`,
              h('span', { class: 'muted small' }, ` · ${Math.ceil((a.size ?? 0) / 1024)} KB`),
              ' ',
              h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => void saveAttachment(ctx, r.id, i, a.name ?? `attachment-${i + 1}`) }, t('reports.download')),
            ),
          ),
        ),
  );
  const identityBox = h('div', { id: 'identity-box' });
  if (!r.named) replace(identityBox, h('p', { class: 'muted' }, t('reports.noIdentity')));
  else
    replace(
      identityBox,
      h('p', { class: 'notice' }, t('reports.identityHidden')),
      h(
        'button',
        {
          type: 'button',
          class: 'btn',
          'data-action': 'reveal',
          onclick: async () => {
            if (!confirm(t('reports.revealConfirm'))) return;
            try {
              const id = await ctx.client.reporterIdentity(r.id);
              replace(
                identityBox,
                h(
                  'dl',
                  { class: 'facts', id: 'identity' },
                  row('reports.idName', id.name),
                  row('reports.idNumber', id.id_number),
                  row('reports.idPhone', id.phone),
                  row('reports.idEmployer', id.employer),
                  row('reports.idAddress', id.address),
                ),
              );
            } catch (e) {
              toast(errorText(e), 'error');
            }
          },
        },
        t('reports.reveal'),
      ),
    );
  const identity = h('section', { class: 'panel' }, h('h2', null, t('reports.identity')), identityBox);
  const actions = closed ? h('p', { class: 'notice' }, t('reports.closed')) : h('div', null, triageForm(ctx, r, reload), rejectForm(ctx, r, reload));
  return h(
    'div',
    null,
    h('a', { href: '#/reports', class: 'back' }, '← ', t('reports.back')),
    h('div', { class: 'screen-head' }, h('h1', null, t('reports.title'), ' ', h('code', null, r.id))),
    h('section', { class: 'panel' }, details, h('p', { class: 'muted small' }, t('reports.rewardRule'))),
    attachments,
    identity,
    actions,
  );
}

async function saveAttachment(ctx: Ctx, id: string, n: number, name: string): Promise<void> {
  try {
    download(name, await ctx.client.reportAttachment(id, n));
  } catch (e) {
    toast(errorText(e), 'error');
  }
}

function triageForm(ctx: Ctx, r: Report, done: () => void): HTMLElement {
  const parties = h('textarea', { id: 't-parties', rows: 3, placeholder: 'institution:H53010200001' });
  parties.value = r.entities.map((e) => `${e.type}:${e.id}`).join('\n');
  const caseId = h('input', { id: 't-case', value: r.case_id ?? '' });
  const title = h('input', { id: 't-title' });
  const summary = h('textarea', { id: 't-summary', rows: 2 });
  const form = h(
    'form',
    {
      class: 'panel',
      id: 'triage-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const parsed = parseParties(parties.value);
        if ('bad' in parsed) return toast(t('reports.badEntity', { n: parsed.bad }), 'error');
        try {
          const res = await ctx.client.triageReport(r.id, { version: r.version, entities: parsed.refs, case_id: caseId.value.trim() || undefined, title: title.value.trim() || undefined, summary: summary.value.trim() || undefined });
          toast(t('reports.triageDone', { id: res.case_id }));
          done();
        } catch (err) {
          toast(errorText(err), 'error');
        }
      },
    },
    h('h2', null, t('reports.triage')),
    h('p', { class: 'muted small' }, t('reports.triageHelp')),
    h('div', { class: 'field' }, h('label', { for: 't-parties' }, t('reports.entities')), parties),
    h('div', { class: 'field' }, h('label', { for: 't-case' }, t('reports.caseId')), caseId),
    h('div', { class: 'field' }, h('label', { for: 't-title' }, t('reports.caseTitle')), title),
    h('div', { class: 'field' }, h('label', { for: 't-summary' }, t('reports.caseSummary')), summary),
    h('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'triage' }, t('reports.triage')),
  );
  return form;
}

function rejectForm(ctx: Ctx, r: Report, done: () => void): HTMLElement {
  const reason = h('textarea', { id: 'j-reason', rows: 2, required: true });
  return h(
    'form',
    {
      class: 'panel',
      id: 'reject-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        try {
          await ctx.client.rejectReport(r.id, reason.value.trim(), r.version);
          toast(t('reports.rejectDone'));
          done();
        } catch (err) {
          toast(errorText(err), 'error');
        }
      },
    },
    h('h2', null, t('reports.reject')),
    h('div', { class: 'field' }, h('label', { for: 'j-reason' }, t('reports.rejectReason')), reason),
    h('button', { type: 'submit', class: 'btn', 'data-action': 'reject' }, t('reports.reject')),
  );
}
