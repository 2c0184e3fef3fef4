// The public, login-free whistle-blower page (#/report): submit a report, named or anonymous,
// with evidence files, and follow it with the receipt code (#/report/status), claiming the reward
// once it is confirmed. The server rate-limits both; nothing here needs a session.
import type { Client } from '../api/client';
import type { ReportPublicStatus, ReportSubmission } from '../api/types';
import { formatDateTime, formatMoney, t, tEnum, type MessageKey } from '../i18n';
import { h, replace } from '../ui/dom';
import { errorText, toast } from '../ui/states';

const maxFiles = 10;
const maxFileBytes = 10 << 20;

/** renderPublicReport builds the public page; sub is "status" for the look-up by receipt code. */
export function renderPublicReport(client: Client, sub: string, langButton: HTMLElement): HTMLElement {
  const body = h('div', { class: 'public-body' });
  const page = h(
    'div',
    { class: 'public' },
    h(
      'header',
      { class: 'topbar' },
      h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '◎'), t('public.title')),
      h(
        'nav',
        { 'aria-label': t('nav.main') },
        h(
          'ul',
          null,
          h('li', null, h('a', { href: '#/report', class: sub === 'status' ? '' : 'active' }, t('public.toSubmit'))),
          h('li', null, h('a', { href: '#/report/status', class: sub === 'status' ? 'active' : '', 'data-nav': 'report-status' }, t('public.check'))),
        ),
      ),
      h('div', { class: 'user' }, langButton, h('a', { href: '#/login', class: 'btn btn-ghost' }, t('public.signin'))),
    ),
    h('main', { id: 'main', class: 'main', tabindex: '-1' }, body),
  );
  replace(body, sub === 'status' ? statusForm(client) : submitForm(client, body));
  return page;
}

function field(id: string, key: MessageKey, input: HTMLElement): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: id }, t(key)), input);
}

async function toBase64(f: File): Promise<string> {
  const bytes = new Uint8Array(await f.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function submitForm(client: Client, body: HTMLElement): HTMLElement {
  const anon = h('input', { type: 'checkbox', id: 'p-anon' });
  const subject = h('input', { id: 'p-subject', required: true, maxlength: 500 });
  const what = h('textarea', { id: 'p-what', rows: 6, required: true, maxlength: 10000 });
  const where = h('input', { id: 'p-where' });
  const when = h('input', { id: 'p-when' });
  const name = h('input', { id: 'p-name', autocomplete: 'name' });
  const idNumber = h('input', { id: 'p-id', autocomplete: 'off' });
  const phone = h('input', { id: 'p-phone', type: 'tel', autocomplete: 'tel' });
  const employer = h('input', { id: 'p-employer' });
  const address = h('input', { id: 'p-address', autocomplete: 'street-address' });
  const files = h('input', { id: 'p-files', type: 'file', multiple: true });
  const reporter = h(
    'fieldset',
    { id: 'p-reporter' },
    field('p-name', 'public.name', name),
    field('p-id', 'public.idNumber', idNumber),
    field('p-phone', 'public.phone', phone),
    field('p-employer', 'public.employer', employer),
    field('p-address', 'public.address', address),
  );
  anon.addEventListener('change', () => {
    reporter.hidden = anon.checked;
    name.required = !anon.checked;
  });
  name.required = true;
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'submit-report' }, t('public.submit'));
  return h(
    'form',
    {
      class: 'panel public-form',
      id: 'report-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const chosen = Array.from(files.files ?? []);
        if (chosen.length > maxFiles) return toast(t('public.files'), 'error');
        const big = chosen.find((f) => f.size > maxFileBytes);
        if (big) return toast(t('public.fileTooBig', { name: big.name }), 'error');
        submit.setAttribute('disabled', '');
        submit.textContent = t('public.busy');
        try {
          const req: ReportSubmission = {
            anonymous: anon.checked,
            subject: subject.value.trim(),
            what: what.value.trim(),
            where: where.value.trim() || undefined,
            when: when.value.trim() || undefined,
            reporter: anon.checked
              ? undefined
              : { name: name.value.trim(), id_number: idNumber.value.trim() || undefined, phone: phone.value.trim() || undefined, employer: employer.value.trim() || undefined, address: address.value.trim() || undefined },
            attachments: await Promise.all(chosen.map(async (f) => ({ name: f.name, content_type: f.type || 'application/octet-stream', data: await toBase64(f) }))),
          };
          const receipt = await client.submitReport(req);
          replace(
            body,
            h(
              'section',
              { class: 'panel', id: 'receipt' },
              h('h1', null, t('public.receipt')),
              h('p', { class: 'receipt-code' }, h('code', { id: 'receipt-code' }, receipt.receipt_code)),
              h('p', { class: 'notice' }, t('public.receiptKeep')),
              h('p', null, formatDateTime(receipt.received_at)),
              h('p', null, h('a', { href: '#/report/status' }, t('public.check'))),
            ),
          );
        } catch (err) {
          toast(errorText(err), 'error');
          submit.removeAttribute('disabled');
          submit.textContent = t('public.submit');
        }
      },
    },
    h('h1', null, t('public.title')),
    h('p', null, t('public.intro')),
    field('p-subject', 'public.subject', subject),
    field('p-what', 'public.what', what),
    field('p-where', 'public.where', where),
    field('p-when', 'public.when', when),
    h('div', { class: 'field inline' }, anon, h('label', { for: 'p-anon' }, t('public.anonymous'))),
    reporter,
    field('p-files', 'public.files', files),
    submit,
    h('p', { class: 'muted small' }, h('a', { href: '#/report/status' }, t('public.toCheck'))),
  );
}

function statusForm(client: Client): HTMLElement {
  const code = h('input', { id: 'p-code', required: true, autocomplete: 'off', maxlength: 64 });
  const out = h('div', { id: 'report-status' });
  const show = (ps: ReportPublicStatus) => {
    const claimable = ps.status === 'confirmed' && ps.reward > 0 && !ps.claimed && !ps.lapsed;
    replace(
      out,
      h(
        'dl',
        { class: 'facts' },
        h('dt', null, t('public.status')),
        h('dd', { 'data-status': ps.status }, tEnum('reportStatus.', ps.status), ps.status_text ? h('span', { class: 'muted small' }, ` · ${ps.status_text}`) : ''),
        h('dt', null, t('reports.received')),
        h('dd', null, formatDateTime(ps.received_at)),
        ps.reward > 0 ? [h('dt', null, t('public.reward')), h('dd', { id: 'public-reward' }, formatMoney(ps.reward))] : [],
        ps.claim_deadline ? [h('dt', null, t('public.claimDeadline')), h('dd', null, formatDateTime(ps.claim_deadline))] : [],
      ),
      ps.claimed ? h('p', { class: 'notice' }, t('public.claimed')) : null,
      ps.lapsed ? h('p', { class: 'notice' }, t('public.lapsed')) : null,
      claimable
        ? h(
            'button',
            {
              type: 'button',
              class: 'btn btn-primary',
              'data-action': 'claim',
              onclick: async () => {
                try {
                  show(await client.claimReward(code.value.trim()));
                } catch (e) {
                  toast(errorText(e), 'error');
                }
              },
            },
            t('public.claim'),
          )
        : null,
    );
  };
  return h(
    'form',
    {
      class: 'panel public-form',
      id: 'status-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        try {
          show(await client.reportStatus(code.value.trim()));
        } catch (err) {
          replace(out, h('p', { class: 'state state-error', role: 'alert' }, errorText(err)));
        }
      },
    },
    h('h1', null, t('public.check')),
    field('p-code', 'public.code', code),
    h('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'lookup' }, t('public.query')),
    out,
  );
}
