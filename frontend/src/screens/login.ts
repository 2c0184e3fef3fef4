// Sign-in screen.
import type { Client } from '../api/client';
import { t } from '../i18n';
import { h } from '../ui/dom';
import { errorText } from '../ui/states';
import { ApiError } from '../api/client';

/** renderLogin builds the sign-in form; done runs after a successful sign-in. */
export function renderLogin(client: Client, done: () => void, langButton: HTMLElement): HTMLElement {
  const expired = sessionStorage.getItem('ringtrace.expired') === '1';
  sessionStorage.removeItem('ringtrace.expired');
  const msg = h('p', { class: 'form-error', role: 'alert', id: 'login-error' }, expired ? t('state.sessionExpired') : '');
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('login.submit'));
  const form = h(
    'form',
    {
      class: 'login-card',
      'aria-describedby': 'login-error',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        submit.disabled = true;
        submit.textContent = t('login.busy');
        msg.textContent = '';
        try {
          const session = await client.login(user.value.trim(), pass.value);
          if (session.mustChangePassword) {
            form.replaceWith(changePasswordForm(client, user.value.trim(), pass.value, done));
            return;
          }
          done();
        } catch (err) {
          msg.textContent = err instanceof ApiError && err.code === 'unauthorized' ? t('login.failed') : errorText(err);
          submit.disabled = false;
          submit.textContent = t('login.submit');
        }
      },
    },
    h('h1', null, t('app.title')),
    h('p', { class: 'muted' }, t('login.subtitle')),
    h('label', { for: 'username' }, t('login.username')),
    user,
    h('label', { for: 'password' }, t('login.password')),
    pass,
    msg,
    submit,
  );
  return h('div', { class: 'login-page' }, h('div', { class: 'login-lang' }, langButton), form);
}

/**
 * changePasswordForm asks for a new password after sign-in with a one-time password (the first
 * admin, or a password an admin reset): the API refuses everything else until it is changed.
 */
export function changePasswordForm(client: Client, username: string, oldPassword: string, done: () => void): HTMLElement {
  const msg = h('p', { class: 'form-error', role: 'alert', id: 'pw-error' });
  const p1 = h('input', { id: 'new-password', type: 'password', autocomplete: 'new-password', minlength: 12, required: true, autofocus: true });
  const p2 = h('input', { id: 'new-password2', type: 'password', autocomplete: 'new-password', minlength: 12, required: true });
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'login-card',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        if (p1.value !== p2.value) {
          msg.textContent = t('password.mismatch');
          return;
        }
        try {
          await client.changePassword(oldPassword, p1.value);
          // A password change ends every session of the user, this one included: sign in anew.
          await client.login(username, p1.value);
          done();
        } catch (err) {
          msg.textContent = errorText(err);
        }
      },
    },
    h('h1', null, t('password.title')),
    h('p', { class: 'muted' }, t('password.hint')),
    h('label', { for: 'new-password' }, t('password.new')),
    p1,
    h('label', { for: 'new-password2' }, t('password.repeat')),
    p2,
    msg,
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.save')),
  );
  return form;
}
