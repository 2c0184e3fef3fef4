// The shell: sign-in gate, role-aware navigation and the language switch. Which screen a hash
// names is the router's (router.ts).
import { Client } from './api/client';
import type { Role } from './api/types';
import { onLangChange, lang, setLang, t, type MessageKey } from './i18n';
import type { Screen } from './logic/roles';
import { load, navKeys, parseHash, resolve } from './router';
import type { Ctx, View } from './screen';
import { h, replace } from './ui/dom';

/** App mounts the UI into root and keeps it in step with the hash and the language. */
export class App {
  private view: View | null = null;
  private readonly client: Client;

  constructor(private readonly root: HTMLElement) {
    this.client = new Client('', sessionStorage);
    this.client.onUnauthorized = () => {
      sessionStorage.setItem('ringtrace.expired', '1');
      this.go('#/login');
    };
    window.addEventListener('hashchange', () => void this.route());
    onLangChange(() => void this.route());
  }

  go(hash: string): void {
    if (location.hash === hash) void this.route();
    else location.hash = hash;
  }

  async route(): Promise<void> {
    this.view?.dispose?.();
    this.view = null;
    document.title = t('app.title');
    let session = this.client.current();
    if (session?.mustChangePassword) {
      // A reload in the middle of a forced password change: start again from sign-in, which
      // asks for the one-time password and the new one together.
      await this.client.logout().catch(() => {});
      session = null;
    }
    const r = parseHash(location.hash);
    if (r.parts[0] === 'report') {
      // The public whistle-blower page needs no account, signed in or not.
      const { renderPublicReport } = await import('./screens/publicReport');
      replace(this.root, renderPublicReport(this.client, r.parts[1] ?? '', langButton()));
      return;
    }
    if (!session || r.parts[0] === 'login') {
      if (session && r.parts[0] === 'login') return this.go('#/');
      const { renderLogin } = await import('./screens/login');
      replace(this.root, renderLogin(this.client, () => this.go('#/'), langButton()));
      return;
    }
    const role = session.user.role;
    const { screens, name, allowed } = resolve(r, role);
    const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
    const ctx: Ctx = { client: this.client, role, username: session.user.username, go: (x) => this.go(x) };
    replace(this.root, this.shell(screens, allowed ? name : '', session.user.display_name || session.user.username, role), main);
    if (!allowed) {
      if (!name && screens[0]) return this.go(`#/${screens[0]}`);
      replace(main, h('div', { class: 'state state-error', role: 'alert' }, h('p', null, t('state.forbidden'))));
      return;
    }
    if (!name) return;
    const mod = await load(name);
    this.view = mod.render(ctx, r);
    replace(main, this.view.el);
  }

  private shell(screens: Screen[], active: string, who: string, role: Role): HTMLElement {
    return h(
      'header',
      { class: 'topbar' },
      h('a', { class: 'skip', href: '#main', onclick: (e: Event) => { e.preventDefault(); document.getElementById('main')?.focus(); } }, t('app.skip')),
      h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '◎'), t('app.short')),
      h(
        'nav',
        { 'aria-label': t('nav.main') },
        h('ul', null, screens.map((s) => h('li', null, h('a', { href: `#/${s}`, class: active === s ? 'active' : '', 'aria-current': active === s ? 'page' : null, 'data-nav': s }, t(navKeys[s]))))),
      ),
      h(
        'div',
        { class: 'user' },
        h('span', { class: 'who' }, who, ' · ', h('span', { class: 'role', 'data-role': role }, t(`role.${role}` as MessageKey))),
        langButton(),
        h('button', { type: 'button', class: 'btn btn-ghost', 'data-action': 'signout', onclick: async () => { await this.client.logout().catch(() => {}); this.go('#/login'); } }, t('nav.signout')),
      ),
    );
  }
}

function langButton(): HTMLElement {
  return h(
    'button',
    {
      type: 'button',
      class: 'btn btn-ghost lang',
      'data-action': 'lang',
      'aria-label': t('lang.label'),
      lang: lang() === 'zh-CN' ? 'en' : 'zh-CN',
      onclick: () => setLang(lang() === 'zh-CN' ? 'en' : 'zh-CN', localStorage),
    },
    t('lang.switch'),
  );
}
