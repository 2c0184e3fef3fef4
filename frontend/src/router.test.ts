import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHash, resolve } from './router';

describe('router', () => {
  it('parses a hash into path parts and query', () => {
    const r = parseHash('#/entity/terminal/H1%2FT9?job=J1');
    expect(r.parts).toEqual(['entity', 'terminal', 'H1/T9']);
    expect(r.query.get('job')).toBe('J1');
    expect(parseHash('').parts).toEqual([]);
  });

  it('resolves a route per role', () => {
    expect(resolve(parseHash('#/cases'), 'police')).toMatchObject({ name: 'cases', allowed: true });
    expect(resolve(parseHash('#/jobs'), 'police')).toMatchObject({ name: 'jobs', allowed: false });
    expect(resolve(parseHash('#/rings/R1'), 'analyst')).toMatchObject({ name: 'workbench', allowed: true });
    expect(resolve(parseHash('#/entity/patient/P1'), 'admin')).toMatchObject({ name: 'entity', allowed: false });
    expect(resolve(parseHash('#/'), 'admin')).toMatchObject({ name: '', allowed: false, screens: ['users'] });
  });

  // The screens are loaded by the router: a screen or widget that imported the shell or the router
  // would close an import cycle.
  it('is imported by no screen or widget', () => {
    for (const dir of ['screens', 'ui']) {
      const here = join(__dirname, dir);
      for (const f of readdirSync(here).filter((n) => n.endsWith('.ts'))) {
        const src = readFileSync(join(here, f), 'utf8');
        expect(src, `${dir}/${f}`).not.toMatch(/from '\.\.\/(app|router)'/);
      }
    }
  });
});
