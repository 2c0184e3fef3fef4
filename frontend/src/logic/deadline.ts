// Deadline badges for cases. Deadlines are counted in working days (DOMAIN.md: verify within 15,
// transfer within 5, close within 60 (+30 once)); the API computes due dates, the working days
// left, whether a limit applies in the current status (active) and the overdue flag on its holiday
// calendar, and is authoritative. The local weekday count is only a fallback.
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

/**
 * deadlineBadge computes the badge of a deadline on a given day (YYYY-MM-DD, China time). The
 * server's working_days (counted on its holiday calendar) is used when present; the local
 * weekday count is the fallback.
 */
export function deadlineBadge(d: Pick<Deadline, 'due' | 'overdue'> & { working_days?: number }, today: string): Badge {
  const t = dayNumber(today);
  const due = dayNumber(d.due);
  const left = d.working_days ?? workingDaysBetween(t, due);
  if (d.overdue || due < t) return { level: 'overdue', days: Math.max(1, -left) };
  if (due === t) return { level: 'today', days: 0 };
  if (left <= soonDays) return { level: 'soon', days: left };
  return { level: 'ok', days: left };
}

/**
 * mostUrgent returns the deadline that should drive a case's badge: only limits that apply in the
 * current status (active), overdue first, then the nearest.
 */
export function mostUrgent<T extends Pick<Deadline, 'due' | 'overdue'> & { active?: boolean }>(ds: T[]): T | undefined {
  return [...ds].filter((d) => d.active !== false).sort((x, y) => Number(y.overdue) - Number(x.overdue) || dayNumber(x.due) - dayNumber(y.due))[0];
}

/** todayCST returns today's date in China Standard Time as YYYY-MM-DD. */
export function todayCST(now: number = Date.now()): string {
  return new Date(now + 8 * 3600000).toISOString().slice(0, 10);
}

