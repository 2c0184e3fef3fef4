import { describe, expect, it } from 'vitest';
import { ApiError, Client } from './client';

function memStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k), m };
}

function fakeFetch(routes: Record<string, (init: RequestInit) => Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const path = new URL(url).pathname;
    const r = routes[`${init.method} ${path}`];
    if (!r) throw new TypeError('Failed to fetch');
    return r(init);
  }) as unknown as typeof fetch;
  return { fn, calls };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('Client', () => {
  it('logs in, keeps the session and sends the bearer token', async () => {
    const st = memStorage();
    const { fn, calls } = fakeFetch({
      'POST /api/auth/login': () => json(200, { token: 'tok', expires_at: '2999-01-01T00:00:00Z', user: { username: 'u', role: 'analyst', display_name: 'U' } }),
      'GET /api/rings': () => json(200, { job_id: 'J1', rings: [], total: 0, offset: 0, limit: 50 }),
    });
    const c = new Client('', st, fn);
    await c.login('u', 'p');
    expect(new Client('', st, fn).current()?.user.role).toBe('analyst');
    await c.rings({ kind: 'card_lending', region: '' });
    const last = calls[calls.length - 1]!;
    expect((last.init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(last.url).toContain('kind=card_lending');
    expect(last.url).not.toContain('region=');
  });
  it('turns the API error shape into ApiError and drops an expired session', async () => {
    const st = memStorage();
    st.setItem('ringtrace.session', JSON.stringify({ token: 't', expiresAt: '2999-01-01T00:00:00Z', user: { username: 'u', role: 'analyst', display_name: 'U' } }));
    const { fn } = fakeFetch({
      'GET /api/cases': () => json(401, { error: { code: 'unauthorized', message: '登录已过期', message_en: 'expired' } }),
      'POST /api/jobs': () => json(400, { error: { code: 'invalid', field: 'params.seed', message: '种子无效', message_en: 'bad seed' } }),
    });
    const c = new Client('', st, fn);
    await expect(c.startJob({ seed: -1 })).rejects.toMatchObject({ code: 'invalid', field: 'params.seed', messageEn: 'bad seed', status: 400 });
    let expired = false;
    c.onUnauthorized = () => (expired = true);
    await expect(c.cases()).rejects.toBeInstanceOf(ApiError);
    expect(expired).toBe(true);
    expect(c.current()).toBeNull();
    expect(st.m.has('ringtrace.session')).toBe(false);
  });
  it('downloads a referral package with its name and manifest digest, and reports a refusal', async () => {
    const st = memStorage();
    st.setItem('ringtrace.session', JSON.stringify({ token: 't', expiresAt: '2999-01-01T00:00:00Z', user: { username: 's', role: 'supervisor', display_name: 'S' } }));
    const { fn, calls } = fakeFetch({
      'POST /api/cases/C1/export': () =>
        new Response(new Uint8Array([0x50, 0x4b, 3, 4]), { status: 200, headers: { 'Content-Type': 'application/zip', 'Content-Disposition': 'attachment; filename="referral-C1.zip"', 'X-Manifest-SHA256': 'ab12' } }),
      'POST /api/cases/C2/export': () => json(409, { error: { code: 'conflict', message: '只有处于「移送」状态的案件可以导出移送证据包', message_en: 'only a transferred case can be exported' } }),
    });
    const c = new Client('', st, fn);
    const pkg = await c.exportCase('C1');
    expect(pkg.filename).toBe('referral-C1.zip');
    expect(pkg.digest).toBe('ab12');
    expect(new Uint8Array(await pkg.blob.arrayBuffer())[0]).toBe(0x50);
    expect((calls[0]!.init.headers as Record<string, string>).Authorization).toBe('Bearer t');
    await expect(c.exportCase('C2')).rejects.toMatchObject({ code: 'conflict', status: 409 });
  });
  it('reports an unreachable server as a network error', async () => {
    const { fn } = fakeFetch({});
    await expect(new Client('', undefined, fn).me()).rejects.toMatchObject({ code: 'network', status: 0 });
  });
});
