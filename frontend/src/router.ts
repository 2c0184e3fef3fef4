// The router: which screen module a location hash names, whether the role may open it, and the
// lazy loaders of the screens. The shell (app.ts) calls it; screens never import it back.
import type { Role } from './api/types';
import type { MessageKey } from './i18n';
import { screensFor, type Screen } from './logic/roles';
import type { Ctx, Route, View } from './screen';

/** parseHash splits "#/cases/C1?x=1" into ["cases","C1"] and its query. */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path = '', qs = ''] = raw.split('?', 2);
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(qs) };
}

type ScreenModule = { render: (ctx: Ctx, route: Route) => View };

/** A routable screen: the navigation screens and the entity page. */
export type ScreenName = Screen | 'entity';

const loaders: Record<ScreenName, () => Promise<ScreenModule>> = {
  findings: () => import('./screens/findings'),
  workbench: () => import('./screens/workbench'),
  cases: () => import('./screens/cases'),
  jobs: () => import('./screens/jobs'),
  entity: () => import('./screens/entity'),
  users: () => import('./screens/users'),
  reports: () => import('./screens/reports'),
};

/** navKeys are the navigation labels of the screens. */
export const navKeys: Record<Screen, MessageKey> = {
  findings: 'nav.findings',
  workbench: 'nav.workbench',
  cases: 'nav.cases',
  jobs: 'nav.jobs',
  users: 'nav.users',
  reports: 'nav.reports',
};

/** Resolved is where a route leads for a role. */
export interface Resolved {
  screens: Screen[]; // the role's navigation
  name: ScreenName | ''; // the screen the route names ('' for none)
  allowed: boolean;
}

/** resolve says which screen route r names and whether role may open it. */
export function resolve(r: Route, role: Role): Resolved {
  const screens = screensFor(role);
  let name = (r.parts[0] ?? '') as ScreenName | 'rings' | '';
  if (name === 'rings') name = 'workbench';
  const allowed = name === 'entity' ? role !== 'admin' && role !== 'intake' : screens.includes(name as Screen);
  return { screens, name, allowed };
}

/** load loads a screen's module. */
export function load(name: ScreenName): Promise<ScreenModule> {
  return loaders[name]();
}
