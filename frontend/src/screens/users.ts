// User administration for the admin role: list, create, change role, disable (分级授权). Admins
// see no findings, cases or personal data; the API enforces that.
import type { Ctx, Route, View } from '../screen';
import type { Role, User } from '../api/types';
import { formatDateTime, t, type MessageKey } from '../i18n';
import { h, replace } from '../ui/dom';
import { errorText, failure, loading, toast } from '../ui/states';

const roles: Role[] = ['analyst', 'investigator', 'supervisor', 'police', 'intake', 'admin'];

/** render builds the users screen. */
export function render(ctx: Ctx, _route: Route): View {
  const list = h('div', { class: 'results' }, loading());
  const load = async () => {
    try {
      const { users } = await ctx.client.users();
      replace(list, table(ctx, users, () => void load()));
    } catch (e) {
      replace(list, failure(e, () => void load()));
    }
  };
  const username = h('input', { id: 'u-name', required: true, pattern: '[a-z0-9_.\\-]{3,32}' });
  const display = h('input', { id: 'u-display' });
  const role = h('select', { id: 'u-role' }, roles.map((r) => h('option', { value: r }, t(`role.${r}` as MessageKey))));
  const password = h('input', { id: 'u-password', type: 'password', minlength: 12, required: true, autocomplete: 'new-password' });
  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        try {
          await ctx.client.createUser({ username: username.value.trim(), password: password.value, role: role.value as Role, display_name: display.value.trim() || undefined });
          form.reset();
          void load();
        } catch (err) {
          toast(errorText(err), 'error');
        }
      },
    },
    field('u-name', 'users.username', username),
    field('u-display', 'users.displayName', display),
    field('u-role', 'users.role', role),
    field('u-password', 'users.password', password),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('users.create')),
  );
  void load();
  return { el: h('section', { class: 'screen users' }, h('div', { class: 'screen-head' }, h('h1', null, t('users.title'))), form, list) };
}

function field(id: string, key: MessageKey, input: HTMLElement): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: id }, t(key)), input);
}

function table(ctx: Ctx, users: User[], changed: () => void): HTMLElement {
  const update = async (u: User, patch: { role?: string; disabled?: boolean }) => {
    try {
      await ctx.client.updateUser(u.username, patch);
      changed();
    } catch (e) {
      toast(errorText(e), 'error');
    }
  };
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'grid', id: 'users-table' },
      h('thead', null, h('tr', null, (['users.username', 'users.displayName', 'users.role', 'users.status', 'users.created'] as const).map((k) => h('th', { scope: 'col' }, t(k))), h('th', null, ''))),
      h(
        'tbody',
        null,
        users.map((u) => {
          const sel = h('select', { 'aria-label': t('users.role'), onchange: () => void update(u, { role: sel.value }) }, roles.map((r) => h('option', { value: r, selected: r === u.role }, t(`role.${r}` as MessageKey))));
          return h(
            'tr',
            { 'data-user': u.username },
            h('td', null, h('code', null, u.username)),
            h('td', null, u.display_name || '—'),
            h('td', null, u.username === ctx.username ? t(`role.${u.role}` as MessageKey) : sel),
            h('td', null, h('span', { class: 'tag' }, u.disabled ? t('users.disabled') : t('users.active'))),
            h('td', null, formatDateTime(u.created_at)),
            h('td', null, u.username === ctx.username ? null : h('button', { type: 'button', class: 'btn', onclick: () => void update(u, { disabled: !u.disabled }) }, u.disabled ? t('users.enable') : t('users.disable'))),
          );
        }),
      ),
    ),
  );
}
