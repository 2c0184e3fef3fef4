// What a screen gets from the shell and gives back. Screens import these types from here, never
// from the shell or the router, so that no screen module imports the module that loads it.
import type { Client } from './api/client';
import type { Role } from './api/types';

/** Ctx is what every screen gets: the API client, the user's role and navigation. */
export interface Ctx {
  client: Client;
  role: Role;
  username: string;
  go: (hash: string) => void;
}

/** View is a rendered screen; dispose releases what it holds (renderers, timers). */
export interface View {
  el: HTMLElement;
  dispose?: () => void;
}

/** Route is a parsed location hash: a path split on "/" and its query. */
export interface Route {
  parts: string[];
  query: URLSearchParams;
}
