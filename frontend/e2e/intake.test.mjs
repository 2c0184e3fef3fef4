// The whistle-blower path in real Chromium against a real `ringtrace serve`: a citizen files a
// named report on the public page without an account and keeps the receipt code; the intake desk
// finds it by search, reveals the reporter's identity (audit-logged by the server), rejects it
// with a reason; the citizen's status page then says 未查实 and never shows the reason.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, shot } from './lib.mjs';

const base = process.env.BASE_URL;
if (!base) throw new Error('BASE_URL is not set: run e2e/run.sh');
let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('a public report is filed, found, revealed and rejected at the intake desk', async () => {
  const subject = `某药店${Date.now() % 100000}`;
  const pub = await browser.context.newPage();
  pub.setDefaultTimeout(20000);
  pub.on('dialog', (d) => d.accept());
  await pub.goto(`${base}/#/report`);
  await pub.waitForSelector('#report-form');
  assert.match(await pub.textContent('#report-form h1'), /举报/);
  await pub.fill('#p-subject', subject);
  await pub.fill('#p-what', '店员收集多张社保卡，代刷购买日用品');
  await pub.fill('#p-name', '举报人赵某某');
  await pub.fill('#p-phone', '13912345678');
  await pub.setInputFiles('#p-files', { name: '收据.txt', mimeType: 'text/plain', buffer: Buffer.from('收据内容') });
  await pub.click('[data-action=submit-report]');
  await pub.waitForSelector('#receipt-code');
  const code = (await pub.textContent('#receipt-code')).trim();
  assert.ok(code.length >= 16, `receipt code ${code}`);
  await shot(pub, '20-public-receipt');

  const desk = await browser.context.newPage();
  desk.setDefaultTimeout(20000);
  desk.on('dialog', (d) => d.accept());
  await desk.goto(`${base}/#/login`);
  await desk.fill('#username', 'e2e-intake');
  await desk.fill('#password', 'e2e-intake-password');
  await desk.click('button[type=submit]');
  await desk.waitForSelector('header.topbar nav');
  const nav = await desk.$$eval('header nav [data-nav]', (as) => as.map((a) => a.getAttribute('data-nav')));
  assert.deepEqual(nav, ['reports']);
  await desk.waitForSelector('#reports-table');
  assert.equal(await desk.locator('main .state-error').count(), 0, 'the intake role lands on its desk, not on a refusal');
  await desk.fill('#r-q', subject);
  await desk.waitForFunction(() => document.querySelectorAll('#reports-table tbody tr').length === 1);
  const row = await desk.textContent('#reports-table tbody tr');
  assert.match(row, /已受理/);
  assert.doesNotMatch(row, /received|举报人赵某某/);
  await shot(desk, '21-intake-list');
  await desk.click('#reports-table tbody tr');
  await desk.waitForSelector('#report-facts');
  assert.equal(await desk.locator('#identity').count(), 0, 'the identity stays sealed until revealed');
  assert.doesNotMatch(await desk.textContent('main'), /13912345678/);
  await desk.click('[data-action=reveal]');
  await desk.waitForSelector('#identity');
  assert.match(await desk.textContent('#identity'), /举报人赵某某/);
  assert.equal(await desk.locator('#report-attachments li').count(), 1);
  // Rejecting without a reason is refused by the form; with one it closes the report.
  await desk.fill('#j-reason', '经初步核实，该药店已停业');
  await desk.click('[data-action=reject]');
  await desk.waitForSelector('#reject-reason');
  assert.match(await desk.textContent('#report-facts'), /未查实/);
  await shot(desk, '22-intake-rejected');

  await pub.goto(`${base}/#/report/status`);
  await pub.waitForSelector('#status-form');
  await pub.fill('#p-code', code);
  await pub.click('[data-action=lookup]');
  await pub.waitForSelector('#report-status dd[data-status]');
  const status = await pub.textContent('#report-status');
  assert.match(status, /未查实/);
  assert.doesNotMatch(status, /停业|rejected/);
  await shot(pub, '23-public-status');
  await pub.close();
  await desk.close();
});
