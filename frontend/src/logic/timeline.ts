// The entity timeline's buckets (claims and fund amounts per day, week or month, computed by the
// server over all of a party's claims) and where an event falls among them; sorting of the claims table.
import type { Claim, Timeline } from '../api/types';

/** Bucket is one bucket of a timeline: its first day (YYYY-MM-DD, China time), claims and fund yuan. */
export interface Bucket {
  start: string;
  visits: number;
  amount: number;
}

/** bucketsOf maps the server's timeline (every bucket, zero-filled, over all claims) for the chart. */
export function bucketsOf(tl: Pick<Timeline, 'buckets'>): Bucket[] {
  return tl.buckets.map((b) => ({ start: b.start, visits: b.claims, amount: b.fund_amount }));
}

/**
 * bucketIndex returns the index of the bucket holding a day (YYYY-MM-DD), or -1 before the first
 * and buckets.length after the last: buckets are sorted by start, so it is the last bucket whose
 * start is not after the day.
 */
export function bucketIndex(buckets: Pick<Bucket, 'start'>[], day: string, bucket: Timeline['bucket']): number {
  if (buckets.length === 0 || day < buckets[0]!.start) return -1;
  let i = buckets.length - 1;
  while (i > 0 && buckets[i]!.start > day) i--;
  if (i === buckets.length - 1 && day >= nextStart(buckets[i]!.start, bucket)) return buckets.length;
  return i;
}

/** nextStart returns the first day of the bucket after the one starting on start. */
export function nextStart(start: string, bucket: Timeline['bucket']): string {
  const d = new Date(`${start}T00:00:00Z`);
  if (bucket === 'day') d.setUTCDate(d.getUTCDate() + 1);
  else if (bucket === 'week') d.setUTCDate(d.getUTCDate() + 7);
  else d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 10);
}

/** ClaimSortKey is a sortable column of the claims table. */
export type ClaimSortKey = 'start_time' | 'claim_type' | 'provider_id' | 'total_amount' | 'fund_amount';

/** sortClaims sorts claims by a column, ties by id, so paging is stable. */
export function sortClaims<T extends Claim>(claims: T[], by: ClaimSortKey, desc: boolean): T[] {
  const dir = desc ? -1 : 1;
  return [...claims].sort((a, b) => {
    const x = a[by] ?? '';
    const y = b[by] ?? '';
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return dir * c || a.id.localeCompare(b.id);
  });
}
