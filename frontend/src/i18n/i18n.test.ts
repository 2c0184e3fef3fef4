import { describe, expect, it } from 'vitest';
import { en } from './en';
import { zhCN } from './zh-CN';
import { formatDate, formatDateTime, formatInt, formatMoney, setLang, t, tEnum } from './index';

describe('formatMoney', () => {
  it.each([
    [1234.5, '¥1,234.50'],
    [0, '¥0.00'],
    [0.1 + 0.2, '¥0.30'],
    [1234567.891, '¥1,234,567.89'],
    [-42.005, '-¥42.01'],
    [999.999, '¥1,000.00'],
  ])('%s → %s', (yuan, want) => expect(formatMoney(yuan)).toBe(want));
  it('shows a dash for missing amounts', () => expect(formatMoney(undefined)).toBe('—'));
});

describe('dates in China Standard Time', () => {
  it('formats a UTC evening as the next Chinese day', () => {
    expect(formatDate('2024-03-04T17:30:00Z')).toBe('2024-03-05');
    expect(formatDateTime('2024-03-04T17:30:00Z')).toBe('2024-03-05 01:30');
  });
  it('keeps a date-only value', () => expect(formatDate('2024-03-05')).toBe('2024-03-05'));
  it('passes through unparseable text', () => expect(formatDate('not a date')).toBe('not a date'));
  it('formats integers with separators', () => expect(formatInt(1234567)).toBe('1,234,567'));
});

describe('catalogues', () => {
  it('have the same keys and no empty text', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
    for (const [k, v] of Object.entries(en)) expect(v, k).not.toBe('');
  });
  it('use the same placeholders in both languages', () => {
    const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join();
    for (const k of Object.keys(zhCN) as (keyof typeof zhCN)[]) expect(ph(en[k]), k).toBe(ph(zhCN[k]));
  });
  it('switches language and fills placeholders', () => {
    setLang('zh-CN');
    expect(t('findings.count', { n: 3 })).toBe('共 3 个团伙');
    setLang('en');
    expect(t('findings.count', { n: 3 })).toBe('3 rings');
    expect(tEnum('kind.', 'card_lending')).toBe('Card lending');
    expect(tEnum('kind.', 'unknown_kind')).toBe('unknown_kind');
    setLang('zh-CN');
  });
});

describe('no hard-coded text', () => {
  it('keeps Chinese out of components (strings live in the catalogues)', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dirs = ['screens', 'graph', 'logic', 'ui', 'api'].map((d) => new URL(`../${d}/`, import.meta.url));
    const offenders: string[] = [];
    for (const dir of dirs) {
      for (const f of readdirSync(dir)) {
        if (!f.endsWith('.ts') || f.endsWith('.test.ts') || f.endsWith('.d.ts')) continue;
        // Strip comments: they may quote Chinese terms; code may not.
        const code = readFileSync(new URL(f, dir), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
        if (/[\u4e00-\u9fff]/.test(code)) offenders.push(f);
      }
    }
    expect(offenders).toEqual([]);
  });
});
