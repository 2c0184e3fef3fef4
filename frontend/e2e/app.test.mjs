// End-to-end: the UI against a real `ringtrace serve` (started by e2e/run.sh) as a person uses
// it: sign in as each role, run a detection job, open the top ring, expand a node, filter by time,
// export, open a case and move it through its statuses, check the police view, switch language,
// and see the error states. Tests run in order and share the server's state.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, shot } from './lib.mjs';

const base = process.env.BASE_URL;
if (!base) throw new Error('BASE_URL is not set: run e2e/run.sh');
const password = (role) => `e2e-${role}-password`;
let browser;
let caseId = '';

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** signIn opens a fresh tab (its own sessionStorage, so its own session) and signs in. */
async function signIn(role) {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(20000);
  await page.goto(`${base}/#/login`);
  await page.fill('#username', `e2e-${role}`);
  await page.fill('#password', password(role));
  await page.click('button[type=submit]');
  await page.waitForSelector('header.topbar nav');
  return page;
}

async function navItems(page) {
  return page.$$eval('header nav [data-nav]', (as) => as.map((a) => a.getAttribute('data-nav')));
}

test('the sign-in page is Chinese first', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${base}/`);
  await page.waitForSelector('form.login-card');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.match(await page.textContent('form.login-card h1'), /医保/);
  await page.fill('#username', 'e2e-analyst');
  await page.fill('#password', 'wrong-password-x');
  await page.click('button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#login-error').textContent.trim() !== '');
  assert.match(await page.textContent('#login-error'), /错误|频繁/);
  await shot(page, '01-login');
  await page.close();
});

test('each role sees only its screens', async () => {
  const want = {
    analyst: ['findings', 'workbench', 'cases', 'jobs'],
    investigator: ['findings', 'workbench', 'cases', 'jobs'],
    supervisor: ['findings', 'workbench', 'cases', 'jobs'],
    police: ['cases'],
  };
  for (const [role, screens] of Object.entries(want)) {
    const page = await signIn(role);
    assert.deepEqual(await navItems(page), screens, role);
    assert.equal(await page.getAttribute('.role', 'data-role'), role);
    // Every screen the navigation offers opens by a normal click: no "no permission" page and no
    // raw enum value on any of them (shot checks both).
    for (const s of screens) {
      await page.click(`header nav [data-nav="${s}"]`);
      await page.waitForFunction((name) => location.hash.startsWith('#/' + name) && document.querySelector('main h1'), s);
      await page.waitForFunction(() => !document.querySelector('main .state-loading'), null, { timeout: 10000 }).catch(() => {});
      await shot(page, `02-${role}-${s}`);
    }
    if (role === 'investigator') {
      await page.goto(`${base}/#/jobs`);
      await page.waitForSelector('#job-start');
      assert.equal(await page.locator('#btn-start-job').count(), 0, 'investigators may not start jobs');
    }
    if (role === 'police') {
      // A screen the role may not use is refused, and the API refuses it too.
      await page.goto(`${base}/#/findings`);
      await page.waitForSelector('main .state-error');
      const status = await page.evaluate(async () => {
        const s = JSON.parse(sessionStorage.getItem('ringtrace.session'));
        return (await fetch('/api/rings', { headers: { Authorization: `Bearer ${s.token}` } })).status;
      });
      assert.equal(status, 403);
      await shot(page, '02-police-forbidden', { forbidden: true });
    }
    await page.close();
  }
  // The administrator manages users and sees nothing else.
  if (process.env.ADMIN_PASSWORD) {
    const page = await browser.context.newPage();
    await page.goto(`${base}/#/login`);
    await page.fill('#username', 'admin');
    await page.fill('#password', process.env.ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('#users-table tr[data-user="e2e-police"]');
    assert.deepEqual(await navItems(page), ['users']);
    // Create a user through the form, then reset their password: an admin-set password is
    // one-time, so their next sign-in asks for a new one before anything else.
    const temp = `e2e-temp-${Date.now() % 100000}`;
    await page.fill('#u-name', temp);
    await page.fill('#u-display', '临时用户');
    await page.selectOption('#u-role', 'analyst');
    await page.fill('#u-password', 'temp-password-123');
    await page.click('form.filters button[type=submit]');
    await page.waitForSelector(`#users-table tr[data-user="${temp}"]`);
    await shot(page, '02b-admin-users');
    const status = await page.evaluate(async (name) => {
      const s = JSON.parse(sessionStorage.getItem('ringtrace.session'));
      const r = await fetch(`/api/users/${name}`, { method: 'PUT', headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ password: 'reset-password-123' }) });
      return r.status;
    }, temp);
    assert.equal(status, 200);
    await page.close();
    const user = await browser.context.newPage();
    await user.goto(`${base}/#/login`);
    await user.fill('#username', temp);
    await user.fill('#password', 'reset-password-123');
    await user.click('button[type=submit]');
    await user.waitForSelector('#new-password');
    await user.fill('#new-password', 'my-own-password-456');
    await user.fill('#new-password2', 'my-own-password-456');
    await user.click('button[type=submit]');
    await user.waitForSelector('header.topbar nav');
    assert.deepEqual(await navItems(user), ['findings', 'workbench', 'cases', 'jobs']);
    await user.close();
  }
});

test('an analyst starts a detection job and watches it finish', async () => {
  const page = await signIn('analyst');
  await page.goto(`${base}/#/jobs`);
  await page.waitForSelector('#btn-start-job');
  await page.click('#btn-start-job');
  await page.waitForSelector('#job-progress progress');
  await page.waitForSelector('#job-progress [data-status="succeeded"]', { timeout: 180000 });
  await page.waitForSelector('#jobs-table tr[data-status="succeeded"]');
  // A second run with a stricter ring score, then compare the two.
  await page.click('#job-start details summary');
  await page.fill('#p-min_ring_score', '0.6');
  const done = await page.locator('#jobs-table tr[data-status="succeeded"]').count();
  await page.click('#btn-start-job');
  await page.waitForFunction((n) => document.querySelectorAll('#jobs-table tr[data-status="succeeded"]').length > n, done, { timeout: 180000 });
  await page.waitForFunction(() => document.querySelectorAll('#cmp-a option').length >= 2);
  await page.click('#btn-compare');
  await page.waitForSelector('#compare-out h3');
  assert.equal(await page.locator('#compare-out h3').count(), 3);
  await shot(page, '03-jobs');
  await page.close();
});

test('the findings board ranks rings and opens the top ring in the workbench', async () => {
  const page = await signIn('analyst');
  await page.goto(`${base}/#/findings`);
  await page.waitForSelector('#rings-table tbody tr');
  // Groups by default, ranked by expected improper amount (score × amount involved).
  const expected = await page.$$eval('#rings-table tbody tr .money.expected', (els) => els.map((e) => Number(e.textContent.replace(/[¥,]/g, ''))));
  assert.ok(expected.length > 0, 'no rings found');
  assert.deepEqual(expected, [...expected].sort((a, b) => b - a), 'rings are ranked by expected improper amount');
  assert.match(await page.textContent('#rings-table tbody tr:first-child'), /¥[\d,]+\.\d\d/);
  assert.equal(await page.getAttribute('#tab-ring', 'aria-selected'), 'true');
  await shot(page, '04-findings');
  // Rows can be selected and exported.
  await page.check('#rings-table tbody tr:first-child .row-select');
  assert.match(await page.textContent('#bulk-bar'), /已选 1 项/);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#bulk-export')]);
  assert.match(csv.suggestedFilename(), /^ringtrace-findings-.*\.csv$/);
  // Leads have their own tab.
  await page.click('#tab-lead');
  await page.waitForFunction(() => document.querySelector('#tab-lead')?.getAttribute('aria-selected') === 'true');
  await page.waitForSelector('.findings .results #rings-table tbody tr, .findings .results .state-empty');
  await shot(page, '04b-findings-leads');
  await page.click('#tab-ring');
  await page.waitForSelector('#rings-table tbody tr');

  await page.click('#rings-table tbody tr:first-child');
  await page.waitForSelector('#graph-canvas[data-ready="1"]');
  await page.waitForSelector('#ring-head');
  const before = Number(await page.getAttribute('#graph-canvas', 'data-nodes'));
  assert.ok(before > 1);
  await page.waitForTimeout(500);
  await shot(page, '05-workbench-ring');

  // Click a patient as a person would: where the renderer drew it.
  const key = await page.evaluate(() => window.__ringtrace.keys().find((k) => k.startsWith('patient:')));
  const pos = await page.evaluate((k) => window.__ringtrace.nodeViewport(k), key);
  const box = await page.locator('#graph-canvas').boundingBox();
  await page.mouse.click(box.x + pos.x, box.y + pos.y);
  await page.waitForSelector(`.side .entity[data-entity="${key}"] .entity-head`);
  assert.equal(await page.isDisabled('#btn-expand'), false);
  await shot(page, '06-workbench-entity');

  // Expand its neighbours.
  await page.click('#btn-expand');
  await page.waitForFunction((n) => Number(document.querySelector('#graph-canvas').dataset.nodes) > n, before, { timeout: 20000 }).catch(() => {});
  const afterExpand = Number(await page.getAttribute('#graph-canvas', 'data-nodes'));
  // Let the background layout settle before clicking nodes where they are drawn.
  await page.waitForFunction(() => !window.__ringtrace.layoutRunning(), null, { timeout: 10000 });
  assert.ok(afterExpand >= before, 'expansion never removes nodes');
  // Undo and redo the expansion from the keyboard, as in any editor.
  if (afterExpand > before) {
    await page.keyboard.press('Control+z');
    await page.waitForFunction((n) => Number(document.querySelector('#graph-canvas').dataset.nodes) === n, before);
    assert.equal(await page.isDisabled('#btn-redo'), false);
    await page.keyboard.press('Control+Shift+Z');
    await page.waitForFunction((n) => Number(document.querySelector('#graph-canvas').dataset.nodes) === n, afterExpand);
  }

  // Shortest path: Shift-click a provider as the second node, then ask for the path.
  const clickNode = async (k, shift = false) => {
    const p = await page.evaluate((x) => window.__ringtrace.nodeViewport(x), k);
    const b = await page.locator('#graph-canvas').boundingBox();
    if (shift) await page.keyboard.down('Shift');
    await page.mouse.click(b.x + p.x, b.y + p.y);
    if (shift) await page.keyboard.up('Shift');
  };
  const provider = await page.evaluate(() => window.__ringtrace.keys().find((k) => /^(institution|pharmacy):/.test(k)));
  if (provider) {
    await clickNode(key);
    await page.waitForTimeout(400); // a person's pause; quicker clicks are a double click
    await clickNode(provider, true);
    await page.waitForFunction(() => !document.querySelector('#btn-path').disabled, null, { timeout: 5000 }).catch(async (e) => {
      await shot(page, 'debug-path');
      throw e;
    });
    await page.click('#btn-path');
    await page.waitForFunction(() => /路径/.test(document.querySelector('#wb-status').textContent));
    assert.match(await page.textContent('#wb-status'), /找到路径：\d+ 跳/);
    await shot(page, '06b-workbench-path');
    // The same two parties in time order: the steps are listed by date with their amounts.
    await page.check('#path-temporal');
    await page.click('#btn-path');
    await page.waitForFunction(() => /按时间先后的路径/.test(document.querySelector('#wb-status').textContent));
    if (/找到/.test(await page.textContent('#wb-status'))) {
      assert.ok((await page.locator('#path-steps li').count()) >= 1);
      assert.match(await page.textContent('#path-steps li:first-child'), /\d{4}-\d\d-\d\d .*→.*¥[\d,]+\.\d\d/);
    }
    await shot(page, '06d-workbench-temporal-path');
    await page.uncheck('#path-temporal');
  }

  // Keyboard: the node list selects a party without the mouse.
  if (provider) {
    await page.focus('#wb-nodes');
    await page.selectOption('#wb-nodes', provider);
    await page.waitForSelector(`.side .entity[data-entity="${provider}"] .entity-head`);
  }

  // Hide the selected nodes, then bring them back.
  await page.click('#btn-hide');
  await page.waitForFunction(() => !document.querySelector('#btn-unhide').disabled);
  await page.click('#btn-unhide');
  await page.waitForFunction(() => document.querySelector('#btn-unhide').disabled);

  // Another layout.
  await page.selectOption('#wb-layout', 'concentric');

  // The ring is drawn aggregated: one edge per pair of parties carrying its claims. Clicking the
  // middle of such an edge opens the claims behind it, which can be drawn as single claims.
  await page.waitForFunction(() => !window.__ringtrace.layoutRunning(), null, { timeout: 10000 });
  const edges = await page.evaluate(() => window.__ringtrace.aggregatedEdges());
  assert.ok(edges.length > 0, 'the ring subgraph has aggregated edges');
  let opened = false;
  for (const ed of edges.slice(0, 8)) {
    const [p, q] = await page.evaluate((e) => [window.__ringtrace.nodeViewport(e.source), window.__ringtrace.nodeViewport(e.target)], ed);
    const b = await page.locator('#graph-canvas').boundingBox();
    await page.waitForTimeout(400); // not a double click
    await page.mouse.click(b.x + (p.x + q.x) / 2, b.y + (p.y + q.y) / 2);
    opened = await page.waitForSelector('#edge-panel', { timeout: 1500 }).then(() => true, () => false);
    if (opened) break;
  }
  assert.ok(opened, 'clicking an edge opens its panel');
  await page.waitForSelector('#edge-panel tbody tr');
  assert.match(await page.textContent('#edge-panel .edge-facts'), /\d+ 笔结算单，统筹支付 ¥[\d,]+\.\d\d/);
  const beforeClaims = Number(await page.getAttribute('#graph-canvas', 'data-nodes'));
  await page.click('#btn-expand-claims');
  await page.waitForFunction((n) => Number(document.querySelector('#graph-canvas').dataset.nodes) > n, beforeClaims, { timeout: 10000 });
  assert.match(await page.textContent('#wb-status'), /已展开 \d+ 笔结算单/);
  await shot(page, '06c-workbench-edge-claims');

  // The time strip counts all the ring's claims; dragging across it filters the canvas to those
  // days, a double-click clears the filter.
  await page.waitForSelector('#time-strip svg');
  const strip = await page.locator('#time-strip svg').boundingBox();
  await page.mouse.move(strip.x + strip.width * 0.2, strip.y + strip.height / 2);
  await page.mouse.down();
  await page.mouse.move(strip.x + strip.width * 0.5, strip.y + strip.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector('#time-label').textContent !== '全部时间');
  await shot(page, '07a-workbench-strip');
  await page.dblclick('#time-strip svg');
  await page.waitForFunction(() => document.querySelector('#time-label').textContent === '全部时间');

  // Filter by claim time: pull the end handle to the first day; fewer relationships are drawn.
  const statsAll = await page.textContent('#graph-stats');
  const max = Number(await page.getAttribute('#time-to', 'max'));
  if (max > 1) {
    await page.locator('#time-to').fill('0');
    await page.waitForFunction((s) => document.querySelector('#graph-stats').textContent !== s, statsAll);
    assert.notEqual(await page.textContent('#time-label'), '全部时间');
    await shot(page, '07-workbench-time-filter');
  }

  // Ctrl-click two parties and outline them as a named group.
  const members = (await page.evaluate(() => window.__ringtrace.keys())).filter((k) => k.startsWith('patient:')).slice(0, 2);
  await page.waitForTimeout(400);
  await clickNode(members[0]);
  await page.waitForTimeout(400); // a person's pause; quicker clicks are a double click
  await page.keyboard.down('Control');
  await clickNode(members[1]);
  await page.keyboard.up('Control');
  await page.waitForFunction(() => !document.querySelector('#btn-group').disabled, null, { timeout: 5000 }).catch(async (e) => {
    await shot(page, 'debug-group');
    throw e;
  });
  page.once('dialog', (d) => void d.accept('同一户'));
  await page.click('#btn-group');
  await page.waitForSelector('.group-label:not([hidden])');
  assert.match(await page.textContent('.group-label'), /同一户/);

  // A note on the canvas, beside the selected party, kept with the view.
  await page.focus('#wb-nodes');
  const noted = await page.$$eval('#wb-nodes option', (os) => os.map((o) => o.value).find((v) => v.startsWith('patient:')));
  await page.selectOption('#wb-nodes', noted);
  page.once('dialog', (d) => void d.accept('疑似组织者，需核实'));
  await page.click('#btn-note-add');
  await page.waitForSelector('.canvas-note:not([hidden])');
  assert.match(await page.textContent('.canvas-note'), /疑似组织者/);

  // The canvas survives a reload: the URL holds the expansions, opened edges, hidden and pinned
  // nodes, notes, groups and the time range, and the workbench replays them.
  const keysBefore = await page.evaluate(() => window.__ringtrace.keys().sort());
  const statsBefore = await page.textContent('#graph-stats');
  const labelBefore = await page.textContent('#time-label');
  assert.match(page.url(), /[?&]v=/);
  await page.reload();
  await page.waitForSelector('#graph-canvas[data-restored="1"]', { timeout: 30000 });
  await shot(page, '07c-workbench-reloaded');
  assert.deepEqual(await page.evaluate(() => window.__ringtrace.keys().sort()), keysBefore);
  assert.equal(await page.textContent('#time-label'), labelBefore);
  assert.equal(await page.textContent('#graph-stats'), statsBefore);
  assert.equal(await page.locator('.canvas-note').count(), 1);
  assert.equal(await page.locator('.group-label').count(), 1);
  assert.match(await page.textContent('.canvas-note'), /疑似组织者，需核实/);

  // Exports.
  const [graphml] = await Promise.all([page.waitForEvent('download'), page.click('#btn-graphml')]);
  assert.equal(graphml.suggestedFilename(), 'ringtrace-graph.graphml');
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#btn-png')]);
  assert.match(png.suggestedFilename(), /\.png$/);

  // The entity page: properties, risk, a timeline and a sortable, paged claims table.
  const [type, ...rest] = key.split(':');
  await page.goto(`${base}/#/entity/${type}/${encodeURIComponent(rest.join(':'))}`);
  await page.waitForSelector('.entity-page .claims table');
  assert.ok(await page.locator('.entity-page svg.timeline').count() === 1);
  // The timeline is the server's, over every claim of the party, and says so.
  assert.match(await page.textContent('.entity-page .timeline-cover'), /时间线计入全部 [\d,]+ 笔结算单/);
  const fundHeader = page.locator('.claims th', { hasText: '统筹支付' });
  await fundHeader.locator('button').click();
  assert.equal(await fundHeader.getAttribute('aria-sort'), 'descending');
  const funds = await page.$$eval('.claims tbody tr td:last-child', (tds) => tds.map((td) => Number(td.textContent.replace(/[¥,]/g, ''))));
  assert.deepEqual(funds, [...funds].sort((a, b) => b - a));
  await shot(page, '07b-entity');

  // The busiest pharmacy of the ring opens as a readable picture: at most 200 parties, the cap
  // announced, and a timeline over every one of its claims.
  if (provider) {
    const [ptype, ...pid] = provider.split(':');
    await page.goto(`${base}/#/workbench?entity=${encodeURIComponent(provider)}`);
    await page.waitForSelector('#graph-canvas[data-restored="1"]');
    const nodes = Number(await page.getAttribute('#graph-canvas', 'data-nodes'));
    assert.ok(nodes <= 201, `${provider} opens with ${nodes} nodes`);
    if (!(await page.isHidden('#wb-shown'))) assert.match(await page.textContent('#wb-shown'), /显示 [\d,]+ \/ [\d,]+ 个当事方/);
    await shot(page, '07d-provider-aggregate');
    await page.goto(`${base}/#/entity/${ptype}/${encodeURIComponent(pid.join(':'))}`);
    await page.waitForSelector('.entity-page .timeline-cover');
    const covered = Number((await page.textContent('.entity-page .timeline-cover')).match(/全部 ([\d,]+) 笔/)[1].replace(/,/g, ''));
    const total = Number((await page.textContent('.entity-page .claims-panel h3 .muted')).replace(/,/g, ''));
    assert.equal(covered, total, 'the timeline counts every claim of the provider');
    await shot(page, '07e-provider-entity');
  }
  await page.close();
});

test('a case is opened from the top ring and moved through its statuses', async () => {
  const analyst = await signIn('analyst');
  await analyst.goto(`${base}/#/findings`);
  await analyst.click('#rings-table tbody tr:first-child');
  await analyst.waitForSelector('#btn-open-case');
  await analyst.click('#btn-open-case');
  await analyst.waitForSelector('.case[data-status="lead"]');
  caseId = await analyst.getAttribute('.case', 'data-case');
  assert.ok(caseId);
  await shot(analyst, '08-case-lead');
  await analyst.close();

  const supervisor = await signIn('supervisor');
  const openCase = async (page) => {
    // Through the list, as a person would: going to the same hash again would not reload it.
    await page.goto(`${base}/#/cases`);
    await page.waitForSelector(`#cases-table tr[data-case="${caseId}"]`);
    await page.click(`#cases-table tr[data-case="${caseId}"]`);
    await page.waitForSelector(`.case[data-case="${caseId}"]`);
  };
  await openCase(supervisor);
  await supervisor.fill('#assign-to', 'e2e-investigator');
  await supervisor.click('#assign-to ~ button[type=submit]');
  await supervisor.waitForFunction(() => document.querySelector('#assign-to')?.value === 'e2e-investigator');

  const investigator = await signIn('investigator');
  await openCase(investigator);
  await investigator.fill('#tr-reason', '核查书面材料');
  await investigator.click('[data-to="verification"]');
  await investigator.waitForSelector('.case[data-status="verification"]');
  await investigator.fill('#note-text', '已调取该机构近一年门诊日志，发现同日集中就诊。');
  await investigator.click('#btn-note');
  await investigator.waitForSelector('#notes li');
  // A canvas saved with the case reopens as it was: hide a party, save the view, open it from the case.
  await investigator.goto(`${base}/#/findings`);
  await investigator.click('#rings-table tbody tr:first-child');
  await investigator.waitForSelector('#graph-canvas[data-restored="1"]');
  await investigator.focus('#wb-nodes');
  const pick = await investigator.$$eval('#wb-nodes option', (os) => os.map((o) => o.value).filter((v) => v.startsWith('patient:')));
  await investigator.selectOption('#wb-nodes', pick[0]);
  await investigator.click('#btn-hide');
  await investigator.waitForFunction(() => /\(1\)/.test(document.querySelector('#btn-unhide').textContent));
  await investigator.click('#btn-save-view');
  await investigator.waitForFunction((id) => [...document.querySelectorAll('#view-case option')].some((o) => o.value === id), caseId);
  await investigator.selectOption('#view-case', caseId);
  await investigator.fill('#view-name', '隐藏一名参保人');
  await investigator.click('#btn-view-save');
  await investigator.waitForSelector('.toast');
  await openCase(investigator);
  await investigator.click('#case-views a');
  await investigator.waitForSelector('#graph-canvas[data-restored="1"]');
  assert.match(await investigator.textContent('#btn-unhide'), /\(1\)/, 'the saved view restores the hidden party');
  await shot(investigator, '08b-saved-view');
  await openCase(investigator);
  // Evidence: from a party's entity page, "add to case evidence".
  const partyHref = await investigator.getAttribute('.case .refs a', 'href');
  const partyType = partyHref.split('/')[2];
  await investigator.goto(`${base}/${partyHref}`);
  await investigator.waitForFunction((id) => [...document.querySelectorAll(`.add-to-case select option`)].some((o) => o.value === id), caseId);
  await investigator.selectOption(`#add-case-${partyType}`, caseId);
  await investigator.click('[data-action="add-to-case"]');
  await investigator.waitForSelector('.toast');
  await openCase(investigator);
  await investigator.waitForSelector('#attachments li');
  await shot(investigator, '09-case-verification');
  await investigator.close();

  await openCase(supervisor);
  await supervisor.fill('#tr-reason', '证据确凿，立案');
  await supervisor.click('[data-to="opened"]');
  await supervisor.waitForSelector('.case[data-status="opened"]');
  assert.ok(await supervisor.locator('.deadlines .badge').count() > 0, 'an opened case shows its deadlines');
  // The investigator asks for the one 30-working-day extension; the supervisor approves it.
  const inv2 = await signIn('investigator');
  await openCase(inv2);
  await inv2.fill('#ext-reason', '需调取外省就诊记录');
  await inv2.click('#btn-ext');
  await inv2.waitForSelector('#ext-state[data-ext="requested"]');
  await inv2.close();
  await openCase(supervisor);
  await supervisor.click('#btn-ext-approve');
  await supervisor.waitForSelector('#ext-state[data-ext="approved"]');

  await supervisor.fill('#tr-reason', '涉嫌犯罪，移送公安机关');
  // The transfer asks for confirmation: dismissing it changes nothing, accepting it transfers.
  supervisor.once('dialog', (d) => d.dismiss());
  await supervisor.click('[data-to="transferred:police"]');
  await supervisor.waitForTimeout(300);
  assert.equal(await supervisor.getAttribute('.case', 'data-status'), 'opened');
  supervisor.once('dialog', (d) => {
    assert.match(d.message(), /确认将案件 .+ 移送公安机关/);
    void d.accept();
  });
  await supervisor.click('[data-to="transferred:police"]');
  await supervisor.waitForSelector('.case[data-status="transferred"]');
  await shot(supervisor, '10-case-transferred');

  const police = await signIn('police');
  await police.goto(`${base}/#/cases`);
  await police.waitForSelector('#police-scope');
  await police.waitForSelector(`#cases-table tr[data-case="${caseId}"]`);
  const statuses = await police.$$eval('#cases-table [data-status]', (els) => els.map((e) => e.getAttribute('data-status')));
  // Police see cases once transferred to them, and keep seeing them after they are closed.
  assert.ok(statuses.every((s) => s === 'transferred' || s === 'closed'), `police sees only transferred cases: ${statuses}`);
  assert.ok(statuses.includes('transferred'));
  await shot(police, '11-police-cases');
  await police.close();

  await openCase(supervisor);
  await supervisor.fill('#tr-reason', '公安已受理，结案');
  await supervisor.click('[data-to="closed"]');
  await supervisor.waitForSelector('.case[data-status="closed"]');
  await supervisor.goto(`${base}/#/cases`);
  await supervisor.waitForSelector('#cases-table');
  await shot(supervisor, '12-cases');
  await supervisor.close();
});

test('the language switches to English and back', async () => {
  const page = await signIn('supervisor');
  await page.goto(`${base}/#/findings`);
  await page.waitForSelector('#rings-table');
  await page.click('[data-action="lang"]');
  await page.waitForFunction(() => document.querySelector('header nav [data-nav="findings"]').textContent === 'Findings');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.waitForSelector('#rings-table');
  await shot(page, '13-findings-en');
  await page.click('[data-action="lang"]');
  await page.waitForFunction(() => document.querySelector('header nav [data-nav="findings"]').textContent === '线索看板');
  await page.close();
});

test('error states: API down and session expired', async () => {
  const page = await signIn('analyst');
  await page.route('**/api/rings**', (r) => r.abort('connectionrefused'));
  await page.goto(`${base}/#/findings`);
  await page.reload();
  await page.waitForSelector('.state-error.error-network');
  assert.match(await page.textContent('.state-error'), /无法连接服务器/);
  await shot(page, '14-api-down');
  await page.unroute('**/api/rings**');
  // The server forgets the session (logout from another place): the next call lands on sign-in.
  await page.evaluate(async () => {
    const s = JSON.parse(sessionStorage.getItem('ringtrace.session'));
    await fetch('/api/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${s.token}` } });
  });
  await page.click('.state-error button');
  await page.waitForSelector('form.login-card');
  assert.match(await page.textContent('#login-error'), /登录已过期/);
  await shot(page, '15-session-expired');
  await page.close();
});
