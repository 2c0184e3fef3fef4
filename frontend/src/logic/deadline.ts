// Deadline badges for cases. Deadlines are counted in working days (DOMAIN.md: verify within 15,
// transfer within 5, close within 60 (+30 once)); the API computes due dates and the overdue flag
// on its holiday calendar, and is authoritative. The UI only counts the working days between today
// and the due date for the badge text, skipping weekends (holidays are the server's business;
// a badge may be a day off around a holiday, never the overdue flag).
import type { Deadline } from '../api/types';

const dayMs = 86400000;

/** dayNumber returns the days since 1970-01-01 of a YYYY-MM-DD date (or an ISO time's date part). */
export function dayNumber(d: string): number {
  return Math.floor(Date.parse(d.slice(0, 10) + 'T00:00:00Z') / dayMs);
}

function isWeekend(day: number): boolean {
  const wd = (day + 4) % 7; // 1970-01-01 was a Thursday (4)
  return wd === 0 || wd === 6;
}

/** workingDaysBetween counts the working days in (a, b] when b ≥ a, or minus those in (b, a]. */
export function workingDaysBetween(a: number, b: number): number {
  const sign = b >= a ? 1 : -1;
  const [lo, hi] = b >= a ? [a, b] : [b, a];
  let n = 0;
  for (let d = lo + 1; d <= hi; d++) if (!isWeekend(d)) n++;
  return sign * n;
}

/** BadgeLevel is how urgent a deadline looks. */
export type BadgeLevel = 'overdue' | 'today' | 'soon' | 'ok';

/** Badge is what the UI shows for one deadline: a level and the number of working days. */
export interface Badge {
  level: BadgeLevel;
  days: number; // working days left (≥0) or overdue by (>0 for overdue)
}

/** soonDays is when a deadline turns amber: three working days, enough to escalate in time. */
export const soonDays = 3;

/** deadlineBadge computes the badge of a deadline on a given day (YYYY-MM-DD, China time). */
export function deadlineBadge(d: Pick<Deadline, 'due' | 'overdue'>, today: string): Badge {
  const t = dayNumber(today);
  const due = dayNumber(d.due);
  const left = workingDaysBetween(t, due);
  if (d.overdue || due < t) return { level: 'overdue', days: Math.max(1, -left) };
  if (due === t) return { level: 'today', days: 0 };
  if (left <= soonDays) return { level: 'soon', days: left };
  return { level: 'ok', days: left };
}

/** mostUrgent returns the deadline that should drive a case's badge: overdue first, then the nearest. */
export function mostUrgent<T extends Pick<Deadline, 'due' | 'overdue'>>(ds: T[]): T | undefined {
  return [...ds].sort((x, y) => Number(y.overdue) - Number(x.overdue) || dayNumber(x.due) - dayNumber(y.due))[0];
}

/** todayCST returns today's date in China Standard Time as YYYY-MM-DD. */
export function todayCST(now: number = Date.now()): string {
  return new Date(now + 8 * 3600000).toISOString().slice(0, 10);
}

/**
 * deadlineMet reports whether the step a deadline guards has been taken, judging by the case
 * status: verification ends when the case is opened (or closed), transfer when it is
 * transferred, closing when it is closed. A met deadline shows no countdown and never drives
 * the case's badge.
 */
export function deadlineMet(kind: string, status: string): boolean {
  const order = ['lead', 'verification', 'opened', 'transferred', 'closed'];
  const at = order.indexOf(status);
  switch (kind) {
    case 'verify':
      return at >= order.indexOf('opened');
    case 'transfer':
      return at >= order.indexOf('transferred');
    case 'close':
      return status === 'closed';
    default:
      return false;
  }
}
