// The loading, empty and error states every screen uses, so that "API down", "session expired"
// and "forbidden" read the same everywhere.
import { ApiError } from '../api/client';
import { lang, t } from '../i18n';
import { h } from './dom';

/** loading shows a spinner with text; role=status lets screen readers announce it. */
export function loading(): HTMLElement {
  return h('div', { class: 'state state-loading', role: 'status', 'aria-live': 'polite' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('state.loading'));
}

/** empty shows why a list is empty and what to do. */
export function empty(text: string): HTMLElement {
  return h('div', { class: 'state state-empty' }, text);
}

/** errorText turns any failure into the message a user should read, in the current language. */
export function errorText(e: unknown): string {
  if (!(e instanceof ApiError)) return t('state.internal');
  const msg = lang() === 'en' ? e.messageEn : e.message;
  switch (e.code) {
    case 'network':
      return t('state.apiDown');
    case 'unauthorized':
      return t('state.sessionExpired');
    case 'forbidden':
      return t('state.forbidden');
    case 'not_found':
      return t('state.notFound');
    case 'invalid':
      return t('state.invalid', { message: msg });
    case 'conflict':
      return t('state.conflict', { message: msg });
    case 'too_many':
      return t('state.tooMany');
    case 'unavailable':
      return t('state.unavailable');
    default:
      return t('state.internal');
  }
}

/** failure shows an error with an optional retry button. */
export function failure(e: unknown, retry?: () => void): HTMLElement {
  const code = e instanceof ApiError ? e.code : 'internal';
  return h(
    'div',
    { class: `state state-error error-${code}`, role: 'alert' },
    h('strong', null, t('state.error')),
    h('p', null, errorText(e)),
    retry ? h('button', { type: 'button', class: 'btn', onclick: () => retry() }, t('state.retry')) : null,
  );
}

/** toast shows a short message at the bottom of the screen. */
export function toast(text: string, kind: 'info' | 'error' = 'info'): void {
  const el = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
  document.body.append(el);
  setTimeout(() => el.remove(), 4000);
}

/** async renders a loading state into el, then whatever build returns, or the failure with retry. */
export async function load(el: HTMLElement, build: () => Promise<Node>): Promise<void> {
  el.replaceChildren(loading());
  try {
    el.replaceChildren(await build());
  } catch (e) {
    el.replaceChildren(failure(e, () => void load(el, build)));
  }
}
