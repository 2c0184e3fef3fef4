import { en } from './en';
import { zhCN, type MessageKey } from './zh-CN';

export type { MessageKey };

/** Lang is a supported UI language; zh-CN is the default (the users are Chinese bureau staff). */
export type Lang = 'zh-CN' | 'en';

const catalogues: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };
const storageKey = 'ringtrace.lang';
let current: Lang = 'zh-CN';
const listeners = new Set<() => void>();

/** initLang restores the language chosen earlier in this browser, defaulting to zh-CN. */
export function initLang(storage: Pick<Storage, 'getItem'> | undefined): Lang {
  const saved = storage?.getItem(storageKey);
  current = saved === 'en' ? 'en' : 'zh-CN';
  return current;
}

/** lang returns the current UI language. */
export function lang(): Lang {
  return current;
}

/** setLang switches the language, remembers it and tells every listener to re-render. */
export function setLang(l: Lang, storage?: Pick<Storage, 'setItem'>): void {
  current = l;
  storage?.setItem(storageKey, l);
  if (typeof document !== 'undefined') document.documentElement.lang = l;
  for (const fn of listeners) fn();
}

/** onLangChange registers a callback run after every language switch; it returns an unsubscribe. */
export function onLangChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** t looks a key up in the current catalogue and fills {name} placeholders from vars. */
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const text = catalogues[current][key] ?? zhCN[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** has reports whether key exists in the catalogues (for keys built from API enums). */
export function has(key: string): key is MessageKey {
  return key in zhCN;
}

/** tEnum translates an API enum value under a prefix (e.g. "kind.", "status."), falling back to the raw value. */
export function tEnum(prefix: string, value: string): string {
  const key = prefix + value;
  return has(key) ? t(key) : value;
}

// China Standard Time has no daylight saving, so a fixed +8 h offset renders times as a bureau
// in China reads them, whatever the browser's zone.
const cstOffsetMs = 8 * 3600 * 1000;

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function toCST(v: string | number | Date): Date | null {
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime())) return null;
  return new Date(d.getTime() + cstOffsetMs);
}

/** formatDate renders a date as 2024-03-05 (Chinese convention, China Standard Time). */
export function formatDate(v: string | number | Date | null | undefined): string {
  if (v === null || v === undefined || v === '') return '—';
  const d = toCST(v);
  if (!d) return String(v);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** formatDateTime renders a time as 2024-03-05 14:07 (China Standard Time). */
export function formatDateTime(v: string | number | Date | null | undefined): string {
  if (v === null || v === undefined || v === '') return '—';
  const d = toCST(v);
  if (!d) return String(v);
  return `${formatDate(v)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/**
 * formatMoney renders yuan as ¥1,234.50: the yuan sign, comma thousands separators and two
 * decimals, which is how amounts appear in bureau documents. Input is yuan as the API sends it
 * (graph.Money marshals to a number of yuan); rounding goes through fen to avoid binary drift.
 */
export function formatMoney(yuan: number | null | undefined): string {
  if (yuan === null || yuan === undefined || Number.isNaN(yuan)) return '—';
  const fen = Math.round(Math.abs(yuan) * 100);
  const intPart = Math.floor(fen / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = yuan < 0 && fen !== 0 ? '-' : '';
  return `${sign}¥${intPart}.${pad(fen % 100)}`;
}

/** formatScore renders a 0..1 score with two decimals. */
export function formatScore(s: number | null | undefined): string {
  if (s === null || s === undefined || Number.isNaN(s)) return '—';
  return s.toFixed(2);
}

/** formatInt renders an integer with comma thousands separators. */
export function formatInt(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
