// Shared helpers of the end-to-end tests: Debian's Chromium driven by playwright-core (never a
// downloaded browser), a static server for dist/, and screenshots into e2e-artifacts/.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { join, extname, normalize } from 'node:path';
import { tmpdir } from 'node:os';

export const artifacts = new URL('../e2e-artifacts/', import.meta.url).pathname;
mkdirSync(artifacts, { recursive: true });

/** launch starts headless Chromium with the flags that keep it off the network. */
export async function launch() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'rt-chromium-'));
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    viewport: { width: 1366, height: 768 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // WebGL through SwiftShader: sigma needs WebGL and headless Chromium has no GPU.
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

// rawEnums are the API's enum values a Chinese screen must never show as such: finding kinds,
// case statuses, roles, claim types, ownership, relationship types. Usernames such as
// "e2e-investigator" are not enum leaks, hence the look-arounds excluding "-" and "_".
const rawEnums = new RegExp(
  '(?<![\\w-])(' +
    ['collusion_ring', 'card_lending', 'pharmacy_card_collection', 'deceased_claims', 'screening_rule', 'ghost_hospitalization',
      'verification', 'transferred', 'administrative', 'analyst', 'investigator', 'supervisor', 'police', 'intake',
      'outpatient', 'inpatient', 'private', 'public', 'CLAIMED_AT', 'SEEN_BY', 'BILLED_AT', 'FILED', 'TREATED_BY', 'WORKS_AT'].join('|') +
    ')(?![\\w-])',
);

/**
 * shot saves a full-window screenshot of page as e2e-artifacts/NAME.png and fails when the screen
 * is the "no permission" page (unless forbidden is set: the test went there on purpose) or, on a
 * Chinese screen, when the visible text shows a raw enum value instead of its Chinese name.
 */
export async function shot(page, name, { forbidden = false } = {}) {
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
  const { lang, text } = await page.evaluate(() => ({ lang: document.documentElement.lang, text: document.body.innerText }));
  // A normal path never ends on the "no permission" page; the tests that go there on purpose say so.
  if (!forbidden && /您没有权限执行此操作|You are not allowed to do this/.test(text)) throw new Error(`${name}: the screen is the "no permission" page`);
  if (lang.startsWith('zh')) {
    const m = rawEnums.exec(text);
    if (m) throw new Error(`${name}: the screen shows the raw value "${m[1]}": …${text.slice(Math.max(0, m.index - 60), m.index + 60)}…`);
  }
}

const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };

/** serveDist serves frontend/dist on a loopback port with the SPA fallback; API calls are left to page.route. */
export async function serveDist() {
  const dist = new URL('../dist/', import.meta.url).pathname;
  if (!existsSync(join(dist, 'index.html'))) throw new Error('dist/index.html missing: run npm run build first');
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dist, path);
    if (!file.startsWith(dist) || !existsSync(file) || path === '/') file = join(dist, 'index.html');
    res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

/** syntheticRing builds a deterministic ring subgraph of about n nodes shaped like a collusion ring. */
export function syntheticRing(n, seed = 7) {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s ^ (s >>> 15), 2246822519) + 0x9e3779b9) >>> 0) / 4294967296);
  const nodes = [];
  const edges = [];
  const ref = (type, id) => ({ type, id });
  const inst = 4;
  const docs = 12;
  const patients = Math.floor((n - inst - docs) / 3);
  const claims = n - inst - docs - patients;
  for (let i = 0; i < inst; i++) nodes.push({ type: 'institution', id: `H5301020000${i}`, label: `昆明市某民营医院${i + 1}`, score: 0.9 - i * 0.1 });
  for (let i = 0; i < docs; i++) {
    nodes.push({ type: 'doctor', id: `D53010201${String(i).padStart(4, '0')}`, label: `医生${i + 1}`, score: rand() });
    edges.push({ from: ref('doctor', `D53010201${String(i).padStart(4, '0')}`), to: ref('institution', `H5301020000${i % inst}`), type: 'WORKS_AT' });
  }
  for (let i = 0; i < patients; i++) nodes.push({ type: 'patient', id: `P${String(i).padStart(8, '0')}`, label: `张*${i}`, masked: true, score: rand() });
  const t0 = Date.parse('2024-01-01T00:00:00Z');
  for (let i = 0; i < claims; i++) {
    const id = `C${String(i).padStart(9, '0')}`;
    const p = `P${String(Math.floor(rand() * patients)).padStart(8, '0')}`;
    const h = Math.floor(rand() * inst);
    const d = `D53010201${String(Math.floor(rand() * docs)).padStart(4, '0')}`;
    nodes.push({ type: 'claim', id, label: id, props: { start_time: new Date(t0 + Math.floor(rand() * 365) * 86400000).toISOString(), fund_amount: (rand() * 3000).toFixed(2) } });
    edges.push({ from: ref('patient', p), to: ref('claim', id), type: 'FILED' });
    edges.push({ from: ref('claim', id), to: ref('institution', `H5301020000${h}`), type: 'AT' });
    edges.push({ from: ref('claim', id), to: ref('doctor', d), type: 'TREATED_BY' });
  }
  return { nodes, edges, truncated: false };
}
