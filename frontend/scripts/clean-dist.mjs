// Empties dist/ except the committed .gitkeep, so a build never leaves stale assets behind and
// never deletes the tracked file (Vite's emptyOutDir would), keeping `git status` clean.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;
for (const name of readdirSync(dist)) {
  if (name !== '.gitkeep') rmSync(join(dist, name), { recursive: true, force: true });
}
