// Detection jobs: start one with parameters, watch its progress, list history, compare two runs.
import type { Ctx, Route, View } from '../screen';
import type { Job, JobPage } from '../api/types';
import { formatDateTime, formatInt, formatScore, has, t, tEnum, type MessageKey } from '../i18n';
import { diffRuns } from '../logic/compare';
import { can } from '../logic/roles';
import { h, replace } from '../ui/dom';
import { empty, errorText, failure, loading, toast } from '../ui/states';

const pollMs = 1000;

/** render builds the jobs screen. */
export function render(ctx: Ctx, _route: Route): View {
  let timer: ReturnType<typeof setInterval> | undefined;
  let compareKey: string | null = null;
  const startBox = h('div', { class: 'panel', id: 'job-start' });
  const history = h('div', { class: 'panel', id: 'job-history' });
  const compare = h('div', { class: 'panel', id: 'job-compare' });
  const el = h('section', { class: 'screen jobs' }, h('div', { class: 'screen-head' }, h('h1', null, t('jobs.title'))), h('div', { class: 'jobs-grid' }, startBox, compare), history);

  const refresh = async () => {
    try {
      const page = await ctx.client.jobs(0, 50);
      replace(history, h('h2', null, t('jobs.history')), historyTable(ctx, page, () => void refresh()));
      // Polling must not wipe a comparison the user is reading: rebuild the form only when the
      // set of finished runs changed.
      const doneKey = page.jobs.filter((j) => j.status === 'succeeded').map((j) => j.id).join(',');
      if (doneKey !== compareKey) {
        compareKey = doneKey;
        replace(compare, compareForm(ctx, page));
      }
      const active = page.jobs.some((j) => j.status === 'queued' || j.status === 'running');
      if (active && !timer) timer = setInterval(() => void refresh(), pollMs);
      if (!active && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    } catch (e) {
      replace(history, h('h2', null, t('jobs.history')), failure(e, () => void refresh()));
    }
  };
  replace(history, h('h2', null, t('jobs.history')), loading());

  if (can(ctx.role, 'jobs.run')) {
    replace(startBox, h('h2', null, t('jobs.start')), loading());
    ctx.client
      .params()
      .then((defaults) => replace(startBox, startForm(ctx, defaults, () => void refresh())))
      .catch(() => replace(startBox, startForm(ctx, {}, () => void refresh())));
  } else {
    replace(startBox, h('h2', null, t('jobs.start')), h('p', { class: 'muted' }, t('jobs.noPermission')));
  }
  void refresh();
  return { el, dispose: () => timer && clearInterval(timer) };
}

/** flattenParams lists the scalar parameters (one level of nesting) as dotted names. */
export function flattenParams(p: Record<string, unknown>, prefix = ''): [string, string | number | boolean][] {
  const out: [string, string | number | boolean][] = [];
  for (const [k, v] of Object.entries(p).sort(([a], [b]) => a.localeCompare(b))) {
    const name = prefix + k;
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out.push([name, v]);
    else if (v && typeof v === 'object' && !Array.isArray(v) && !prefix) out.push(...flattenParams(v as Record<string, unknown>, name + '.'));
  }
  return out;
}

/** unflattenParams turns dotted names back into nested objects, parsing numbers and booleans as typed in defaults. */
export function unflattenParams(values: [string, string][], defaults: [string, string | number | boolean][]): Record<string, unknown> {
  const types = new Map(defaults.map(([k, v]) => [k, typeof v]));
  const out: Record<string, unknown> = {};
  for (const [k, raw] of values) {
    const ty = types.get(k);
    const v = ty === 'number' ? Number(raw) : ty === 'boolean' ? raw === 'true' : raw;
    const path = k.split('.');
    let o = out;
    for (const p of path.slice(0, -1)) o = (o[p] ??= {}) as Record<string, unknown>;
    o[path[path.length - 1]!] = v;
  }
  return out;
}

function startForm(ctx: Ctx, defaults: Record<string, unknown>, started: () => void): HTMLElement {
  const flat = flattenParams(defaults);
  const inputs = flat.map(([k, v]) => {
    const id = 'p-' + k.replace(/\W/g, '_');
    const input =
      typeof v === 'boolean'
        ? h('select', { id, name: k }, h('option', { value: 'true', selected: v }, t('common.yes')), h('option', { value: 'false', selected: !v }, t('common.no')))
        : h('input', { id, name: k, type: typeof v === 'number' ? 'number' : 'text', step: 'any', value: String(v) });
    const labelKey = `param.${k}`;
    return { k, input, row: h('div', { class: 'field' }, h('label', { for: id }, has(labelKey) ? t(labelKey as MessageKey) : k), input) };
  });
  const note = h('input', { id: 'job-note', name: 'note' });
  const progress = h('div', { class: 'job-progress', id: 'job-progress', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'btn-start-job' }, t('jobs.start'));
  return h(
    'form',
    {
      onsubmit: async (e: Event) => {
        e.preventDefault();
        submit.disabled = true;
        try {
          const params = unflattenParams(inputs.map(({ k, input }) => [k, input.value]), flat);
          const job = await ctx.client.startJob(params, note.value || undefined);
          started();
          await watch(ctx, job, progress);
          started();
        } catch (err) {
          toast(errorText(err), 'error');
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h2', null, t('jobs.start')),
    h('details', { class: 'params' }, h('summary', null, t('jobs.params'), ` (${flat.length})`), h('div', { class: 'param-grid' }, inputs.map((i) => i.row))),
    h('div', { class: 'field' }, h('label', { for: 'job-note' }, t('cases.newSummary')), note),
    submit,
    progress,
  );
}

/** watch polls a job until it ends, drawing its progress bar. */
async function watch(ctx: Ctx, job: Job, el: HTMLElement): Promise<void> {
  let j = job;
  for (;;) {
    const pct = Math.round(j.percent ?? (j.status === 'succeeded' ? 100 : 0));
    replace(
      el,
      h('progress', { max: 100, value: pct, 'aria-label': t('jobs.progress') }),
      h('span', { 'data-status': j.status }, ` ${pct}% · ${tEnum('jobStatus.', j.status)}${j.phase ? ' · ' + tEnum('phase.', j.phase) : ''}`),
      j.status === 'succeeded' ? h('a', { class: 'btn', href: `#/findings`, id: 'job-findings' }, t('jobs.viewFindings')) : null,
      j.error ? h('p', { class: 'form-error' }, j.error) : null,
    );
    if (j.status !== 'queued' && j.status !== 'running') return;
    await new Promise((r) => setTimeout(r, pollMs));
    if (!el.isConnected) return;
    j = await ctx.client.job(j.id);
  }
}

function historyTable(ctx: Ctx, page: JobPage, changed: () => void): HTMLElement {
  if (page.jobs.length === 0) return empty(t('jobs.none'));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'grid', id: 'jobs-table' },
      h('thead', null, h('tr', null, (['jobs.id', 'jobs.status', 'jobs.progress', 'jobs.started', 'jobs.finished', 'jobs.rings'] as const).map((k) => h('th', { scope: 'col' }, t(k))), h('th', null, ''))),
      h(
        'tbody',
        null,
        page.jobs.map((j) =>
          h(
            'tr',
            { 'data-job': j.id, 'data-status': j.status },
            h('td', null, h('code', null, j.id), j.note ? h('div', { class: 'muted small' }, j.note) : null),
            h('td', null, h('span', { class: `tag job-${j.status}` }, tEnum('jobStatus.', j.status))),
            h('td', null, h('progress', { max: 100, value: Math.round(j.percent ?? (j.status === 'succeeded' ? 100 : 0)) }), j.phase ? h('span', { class: 'muted small' }, ' ', tEnum('phase.', j.phase)) : null),
            h('td', null, formatDateTime(j.started_at ?? j.created_at)),
            h('td', null, formatDateTime(j.finished_at)),
            h('td', { class: 'num' }, formatInt(j.summary?.rings ?? null)),
            h(
              'td',
              null,
              j.status === 'succeeded' ? h('a', { href: `#/findings?job=${encodeURIComponent(j.id)}` }, t('jobs.viewFindings')) : null,
              (j.status === 'queued' || j.status === 'running') && can(ctx.role, 'jobs.run')
                ? h('button', { type: 'button', class: 'btn', onclick: async () => { try { await ctx.client.cancelJob(j.id); changed(); } catch (e) { toast(errorText(e), 'error'); } } }, t('jobs.cancel'))
                : null,
            ),
          ),
        ),
      ),
    ),
  );
}

function compareForm(ctx: Ctx, page: JobPage): HTMLElement {
  const done = page.jobs.filter((j) => j.status === 'succeeded');
  const opt = (j: Job) => h('option', { value: j.id }, `${j.id} · ${formatDateTime(j.finished_at ?? j.created_at)}`);
  const a = h('select', { id: 'cmp-a' }, done.map(opt));
  const b = h('select', { id: 'cmp-b' }, done.map(opt));
  if (done.length > 1) {
    a.value = done[1]!.id;
    b.value = done[0]!.id;
  }
  const out = h('div', { class: 'compare-out', id: 'compare-out' });
  return h(
    'div',
    null,
    h('h2', null, t('jobs.compare')),
    done.length < 2
      ? h('p', { class: 'muted' }, t('jobs.needTwo'))
      : h(
          'form',
          {
            class: 'inline-form',
            onsubmit: async (e: Event) => {
              e.preventDefault();
              replace(out, loading());
              try {
                const d = diffRuns(await ctx.client.compareJobs(a.value, b.value));
                const ringList = (rs: { id: string; kind: string; score: number }[]) => (rs.length ? h('ul', null, rs.map((r) => h('li', null, h('code', null, r.id), ' ', tEnum('kind.', r.kind), ' ', formatScore(r.score)))) : h('p', { class: 'muted' }, t('common.none')));
                replace(
                  out,
                  h('h3', null, t('jobs.added'), ` (${d.added.length})`),
                  ringList(d.added),
                  h('h3', null, t('jobs.removed'), ` (${d.removed.length})`),
                  ringList(d.removed),
                  h('h3', null, t('jobs.changed'), ` (${d.changed.length})`),
                  d.changed.length ? h('ul', null, d.changed.map((c) => h('li', null, h('code', null, c.a), ' → ', h('code', null, c.b), ` ${formatScore(c.scoreA)} → ${formatScore(c.scoreB)} (J=${formatScore(c.jaccard)})`))) : h('p', { class: 'muted' }, t('common.none')),
                  h('p', { class: 'muted' }, t('jobs.unchanged', { n: d.unchanged })),
                );
              } catch (err) {
                replace(out, failure(err));
              }
            },
          },
          h('label', { for: 'cmp-a' }, t('jobs.compareA')),
          a,
          h('label', { for: 'cmp-b' }, t('jobs.compareB')),
          b,
          h('button', { type: 'submit', class: 'btn', id: 'btn-compare' }, t('jobs.compare')),
        ),
    out,
  );
}
