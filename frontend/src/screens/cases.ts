// Cases (案件): list with deadline badges, and one case with its status workflow, working-day
// deadlines, notes, assignment, evidence and history. The police role sees only what the API
// gives it: transferred cases.
import type { Ctx, Route, View } from '../screen';
import type { Case, CaseStatus, Deadline, EntityType, Ref } from '../api/types';
import { formatDate, formatDateTime, has, t, tEnum, type MessageKey } from '../i18n';
import { deadlineBadge, mostUrgent, todayCST, type Badge } from '../logic/deadline';
import { can, canExport, nextSteps } from '../logic/roles';
import { iconSVG } from '../graph/style';
import { h, replace, svg } from '../ui/dom';
import { empty, errorText, failure, loading, toast } from '../ui/states';

const flow: CaseStatus[] = ['lead', 'verification', 'opened', 'transferred', 'closed'];

/** render shows the case list (#/cases) or one case (#/cases/ID). */
export function render(ctx: Ctx, route: Route): View {
  const id = route.parts[1];
  const el = h('section', { class: 'screen cases' });
  if (id) void loadCase(ctx, el, id);
  else listCases(ctx, el, route.query.get('overdue') === 'true');
  return { el };
}

/** badge renders a deadline badge: red overdue, amber due soon. */
export function badge(d: (Pick<Deadline, 'due' | 'overdue'> & { working_days?: number }) | undefined): HTMLElement {
  if (!d) return h('span', { class: 'muted' }, t('deadline.none'));
  const b: Badge = deadlineBadge(d, todayCST());
  const text = b.level === 'overdue' ? t('deadline.overdue', { n: b.days }) : b.level === 'today' ? t('deadline.dueToday') : b.level === 'soon' ? t('deadline.dueSoon', { n: b.days }) : t('deadline.ok', { n: b.days });
  return h('span', { class: `badge badge-${b.level}`, 'data-level': b.level }, text, h('span', { class: 'muted small' }, ` · ${formatDate(d.due)}`));
}

/** who names a user the case mentions by display name, with the account name beside it. */
export function who(people: Record<string, string> | undefined, username: string | undefined): string {
  if (!username) return '—';
  const name = people?.[username];
  return name && name !== username ? `${name}（${username}）` : username;
}

/** historyDetail names a transfer's target in words: its detail starts with the target's code. */
export function historyDetail(ev: { action: string; to?: string; detail?: string }): string {
  const d = ev.detail ?? '';
  if (ev.action === 'transition' && ev.to === 'transferred') {
    const [target = '', ...rest] = d.split(' ');
    if (has(`transferTo.${target}`)) return [t(`transferTo.${target}` as MessageKey), ...rest].join(' ');
  }
  return d;
}

function statusTag(s: string): HTMLElement {
  return h('span', { class: `tag status-${s}`, 'data-status': s }, tEnum('status.', s));
}

function listCases(ctx: Ctx, el: HTMLElement, overdue: boolean): void {
  const results = h('div', { class: 'results' });
  const toggle = h('input', { type: 'checkbox', id: 'overdue-only', checked: overdue, onchange: () => ctx.go(toggle.checked ? '#/cases?overdue=true' : '#/cases') });
  replace(
    el,
    h('div', { class: 'screen-head' }, h('h1', null, t('cases.title')), ctx.role === 'police' ? h('p', { class: 'notice', id: 'police-scope' }, t('cases.policeScope')) : null),
    h('div', { class: 'filters' }, h('div', { class: 'field inline' }, toggle, h('label', { for: 'overdue-only' }, t('cases.overdueOnly')))),
    results,
  );
  const load = async () => {
    replace(results, loading());
    try {
      const page = await ctx.client.cases({ overdue: overdue || undefined, limit: 200 });
      if (page.cases.length === 0) return replace(results, empty(t('cases.none')));
      const open = (c: Case) => ctx.go(`#/cases/${encodeURIComponent(c.id)}`);
      replace(
        results,
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'grid', id: 'cases-table' },
            h('thead', null, h('tr', null, (['cases.id', 'cases.titleCol', 'cases.status', 'cases.assignee', 'cases.deadline', 'cases.created'] as const).map((k) => h('th', { scope: 'col' }, t(k))))),
            h(
              'tbody',
              null,
              page.cases.map((c) =>
                h(
                  'tr',
                  { tabindex: 0, class: 'clickable' + (c.overdue ? ' overdue' : ''), 'data-case': c.id, onclick: () => open(c), onkeydown: (e: KeyboardEvent) => { if (e.key === 'Enter') open(c); } },
                  h('td', null, h('code', null, c.id)),
                  h('td', null, c.title),
                  h('td', null, statusTag(c.status)),
                  h('td', null, c.assignee || '—'),
                  h('td', null, badge(mostUrgent(c.deadlines))),
                  h('td', null, formatDate(c.created_at)),
                ),
              ),
            ),
          ),
        ),
      );
    } catch (e) {
      replace(results, failure(e, () => void load()));
    }
  };
  void load();
}

async function loadCase(ctx: Ctx, el: HTMLElement, id: string): Promise<void> {
  replace(el, loading());
  try {
    const c = await ctx.client.case(id);
    replace(el, caseView(ctx, el, c));
  } catch (e) {
    replace(el, h('a', { href: '#/cases', class: 'back' }, '← ', t('cases.back')), failure(e, () => void loadCase(ctx, el, id)));
  }
}

function refLink(r: Ref): HTMLElement {
  const href = `#/entity/${r.type}/${encodeURIComponent(r.id)}`;
  return h('a', { href, class: 'party' }, svg(iconSVG(r.type as EntityType, 16)), ' ', t(`type.${r.type}` as MessageKey), ' ', h('code', null, r.id));
}

/** exportPackage downloads the signed referral package of c (the API audit-logs the export). */
async function exportPackage(ctx: Ctx, c: Case): Promise<void> {
  try {
    const pkg = await ctx.client.exportCase(c.id);
    const url = URL.createObjectURL(pkg.blob);
    const a = h('a', { href: url, download: pkg.filename, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    toast(t('cases.exported', { digest: pkg.digest.slice(0, 16) }));
  } catch (e) {
    toast(errorText(e), 'error');
  }
}

function caseView(ctx: Ctx, root: HTMLElement, c: Case): HTMLElement {
  const act = async (fn: () => Promise<Case>) => {
    try {
      const next = await fn();
      replace(root, caseView(ctx, root, next));
    } catch (e) {
      toast(errorText(e), 'error');
      if (e instanceof Error && (e as { code?: string }).code === 'conflict') void loadCase(ctx, root, c.id);
    }
  };
  const steps = nextSteps(ctx.role, c.status);
  const reason = h('input', { id: 'tr-reason', placeholder: t('cases.reason') });
  const stepper = h(
    'ol',
    { class: 'stepper', 'aria-label': t('cases.status') },
    flow.map((s) => h('li', { class: s === c.status ? 'current' : flow.indexOf(s) < flow.indexOf(c.status) ? 'done' : '', 'aria-current': s === c.status ? 'step' : null }, tEnum('status.', s))),
  );
  const ext = c.extension?.status;
  const work = can(ctx.role, 'cases.work');
  const approve = can(ctx.role, 'cases.approve');
  const noteText = h('textarea', { id: 'note-text', rows: 3, placeholder: t('cases.notePlaceholder') });
  const attachIn = h('input', { id: 'attach-ref', placeholder: 'patient:P001' });
  const assignIn = h('input', { id: 'assign-to', value: c.assignee ?? '' });
  const recuseReason = h('input', { id: 'recuse-reason', required: true });
  const extReason = h('input', { id: 'ext-reason', required: true, placeholder: t('cases.reason') });
  return h(
    'div',
    { class: 'case', 'data-case': c.id, 'data-status': c.status },
    h('a', { href: '#/cases', class: 'back' }, '← ', t('cases.back')),
    h('div', { class: 'screen-head' }, h('h1', null, c.title, ' ', statusTag(c.status)), h('p', { class: 'muted small' }, h('code', null, c.id), ' · ', t('cases.version', { v: c.version }), c.ring_id ? [' · ', h('a', { href: `#/rings/${encodeURIComponent(c.ring_id)}${c.job_id ? '?job=' + encodeURIComponent(c.job_id) : ''}` }, t('ring.title', { id: c.ring_id }))] : null)),
    stepper,
    h(
      'div',
      { class: 'case-grid' },
      h(
        'div',
        null,
        h(
          'section',
          { class: 'panel' },
          h('h2', null, t('cases.deadline')),
          c.deadlines.length ? h('ul', { class: 'deadlines' }, c.deadlines.map((d) => h('li', { 'data-kind': d.kind }, h('span', null, has(`deadlineKind.${d.kind}`) ? t(`deadlineKind.${d.kind}` as MessageKey) : d.kind), ' ', !d.active ? h('span', { class: 'badge badge-met', 'data-level': 'met' }, t('deadline.met'), h('span', { class: 'muted small' }, ` · ${formatDate(d.due)}`)) : badge(d), d.active && d.calendar_uncovered?.length ? h('span', { class: 'calendar-warning', role: 'note' }, ' ⚠ ', t('deadline.uncovered', { years: d.calendar_uncovered.join('、') })) : null))) : h('p', { class: 'muted' }, t('deadline.none')),
          ext ? h('p', { class: 'notice', id: 'ext-state', 'data-ext': ext }, tEnum('extension.', ext), c.extension?.reason ? ` · ${c.extension.reason}` : '') : null,
          // The one 30-working-day extension applies to the 60-day closing deadline, so it can be
          // asked for once the case is opened (立案) and until it is closed.
          work && !ext && (c.status === 'opened' || c.status === 'transferred')
            ? h(
                'form',
                { class: 'inline-form', onsubmit: (e: Event) => { e.preventDefault(); void act(() => ctx.client.extension(c.id, 'request', extReason.value.trim(), c.version)); } },
                h('label', { for: 'ext-reason', class: 'sr-only' }, t('cases.reason')),
                extReason,
                h('button', { type: 'submit', class: 'btn', id: 'btn-ext' }, t('cases.extension')),
              )
            : null,
          approve && ext === 'requested'
            ? h(
                'div',
                { class: 'actions' },
                h('button', { type: 'button', class: 'btn btn-primary', id: 'btn-ext-approve', onclick: () => void act(() => ctx.client.extension(c.id, 'approve', '', c.version)) }, t('extension.approve')),
                h('button', { type: 'button', class: 'btn', id: 'btn-ext-reject', onclick: () => void act(() => ctx.client.extension(c.id, 'reject', '', c.version)) }, t('extension.reject')),
              )
            : null,
        ),
        canExport(ctx.role, c.status, c.transfer_to)
          ? h(
              'section',
              { class: 'panel', id: 'referral' },
              h('h2', null, t('cases.referral')),
              h('p', { class: 'muted small' }, t('cases.referralHint')),
              h('button', { type: 'button', class: 'btn btn-primary', id: 'btn-export', onclick: () => void exportPackage(ctx, c) }, t('cases.export')),
            )
          : null,
        steps.length
          ? h(
              'section',
              { class: 'panel' },
              h('h2', null, t('cases.transition')),
              h('div', { class: 'field' }, h('label', { for: 'tr-reason' }, t('cases.reason')), reason),
              h(
                'div',
                { class: 'actions' },
                steps.map((s) =>
                  h(
                    'button',
                    { type: 'button', class: 'btn btn-primary', 'data-to': s.to + (s.transferTo ? ':' + s.transferTo : ''), onclick: () => {
                      // A transfer to the police hands the parties and evidence over and cannot be undone: ask first.
                      if (s.transferTo === 'police' && !confirm(t('cases.confirmPolice', { id: c.id }))) return;
                      void act(() => ctx.client.transition(c.id, { to: s.to, version: c.version, transfer_to: s.transferTo, reason: reason.value || undefined }));
                    },
                  },
                    s.transferTo ? t(`transferTo.${s.transferTo}`) : t('cases.transitionTo', { status: tEnum('status.', s.to) }),
                  ),
                ),
              ),
            )
          : null,
        can(ctx.role, 'cases.assign')
          ? h(
              'section',
              { class: 'panel' },
              h('h2', null, t('cases.assign')),
              h('form', { class: 'inline-form', onsubmit: (e: Event) => { e.preventDefault(); void act(() => ctx.client.assign(c.id, assignIn.value.trim(), c.version)); } }, h('label', { for: 'assign-to' }, t('cases.assignTo')), assignIn, h('button', { type: 'submit', class: 'btn' }, t('common.save'))),
            )
          : h('p', null, t('cases.assignee'), ': ', who(c.people, c.assignee)),
        work
          ? h(
              'section',
              { class: 'panel' },
              h('h2', null, t('recusal.title')),
              h('p', { class: 'muted small' }, t('recusal.hint')),
              h(
                'form',
                {
                  class: 'inline-form',
                  onsubmit: async (e: Event) => {
                    e.preventDefault();
                    if (!recuseReason.value.trim()) return;
                    try {
                      await ctx.client.recuse(c.id, recuseReason.value.trim());
                      toast(t('recusal.done'));
                      ctx.go('#/cases');
                    } catch (err) {
                      toast(errorText(err), 'error');
                    }
                  },
                },
                h('label', { for: 'recuse-reason' }, t('cases.reason')),
                recuseReason,
                h('button', { type: 'submit', class: 'btn' }, t('recusal.submit')),
              ),
            )
          : null,
        h('section', { class: 'panel' }, h('h2', null, t('cases.parties')), c.parties.length ? h('ul', { class: 'refs' }, c.parties.map((r) => h('li', null, refLink(r)))) : h('p', { class: 'muted' }, t('common.none'))),
        h(
          'section',
          { class: 'panel' },
          h('h2', null, t('cases.attachments')),
          c.attachments.length ? h('ul', { class: 'refs', id: 'attachments' }, c.attachments.map((r) => h('li', null, refLink(r)))) : h('p', { class: 'muted' }, t('common.none')),
          work
            ? h(
                'form',
                {
                  class: 'inline-form',
                  onsubmit: (e: Event) => {
                    e.preventDefault();
                    const v = attachIn.value.trim();
                    const i = v.indexOf(':');
                    if (i < 1) return toast(t('state.invalid', { message: 'type:id' }), 'error');
                    void act(() => ctx.client.attach(c.id, [{ type: v.slice(0, i) as EntityType, id: v.slice(i + 1) }], c.version));
                  },
                },
                h('label', { for: 'attach-ref' }, t('cases.attachName')),
                attachIn,
                h('button', { type: 'submit', class: 'btn' }, t('cases.attach')),
              )
            : null,
        ),
      ),
      h(
        'div',
        null,
        c.summary ? h('section', { class: 'panel' }, h('h2', null, t('cases.newSummary')), h('p', null, c.summary)) : null,
        h(
          'section',
          { class: 'panel' },
          h('h2', null, t('cases.notes')),
          (c.notes ?? []).length ? h('ul', { class: 'notes', id: 'notes' }, (c.notes ?? []).map((n) => h('li', null, h('p', null, n.text), h('span', { class: 'muted small' }, who(c.people, n.by), ' · ', formatDateTime(n.at))))) : h('p', { class: 'muted' }, t('common.none')),
          work
            ? h('form', { onsubmit: (e: Event) => { e.preventDefault(); if (noteText.value.trim()) void act(() => ctx.client.addNote(c.id, noteText.value.trim(), c.version)); } }, h('label', { for: 'note-text', class: 'sr-only' }, t('cases.addNote')), noteText, h('button', { type: 'submit', class: 'btn', id: 'btn-note' }, t('cases.addNote')))
            : null,
        ),
        (c.views ?? []).length
          ? h(
              'section',
              { class: 'panel', id: 'case-views' },
              h('h2', null, t('cases.views')),
              h('ul', { class: 'views' }, (c.views ?? []).map((v) => h('li', null, h('a', { href: v.link, class: 'view-link' }, v.name), ' ', h('span', { class: 'muted small' }, who(c.people, v.by), ' · ', formatDateTime(v.at))))),
            )
          : null,
        h(
          'section',
          { class: 'panel' },
          h('h2', null, t('cases.history')),
          h('ol', { class: 'history' }, c.history.map((ev) => h('li', null, h('span', { class: 'muted small' }, formatDateTime(ev.at), ' · ', who(c.people, ev.by), ev.role ? ` (${tEnum('role.', ev.role)})` : ''), ' ', tEnum('action.', ev.action), ev.from || ev.to ? ` ${tEnum('status.', ev.from ?? '')} → ${tEnum('status.', ev.to ?? '')}` : '', ev.detail ? ` · ${historyDetail(ev)}` : ''))),
        ),
      ),
    ),
  );
}
