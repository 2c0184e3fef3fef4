// Bucketing claims into months for the entity timeline (visits and fund amounts per month).
import type { Claim } from '../api/types';

/** Bucket is one month: its key (YYYY-MM, China time), the number of claims and fund yuan. */
export interface Bucket {
  month: string;
  visits: number;
  amount: number;
}

/** monthOf returns YYYY-MM of a time in China Standard Time. */
export function monthOf(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600000).toISOString().slice(0, 7);
}

/** monthlyBuckets returns one bucket per month from the first to the last claim, gaps included. */
export function monthlyBuckets(claims: Pick<Claim, 'start_time' | 'fund_amount'>[]): Bucket[] {
  if (claims.length === 0) return [];
  const by = new Map<string, Bucket>();
  for (const c of claims) {
    const m = monthOf(c.start_time);
    const b = by.get(m) ?? { month: m, visits: 0, amount: 0 };
    b.visits++;
    b.amount = Math.round((b.amount + c.fund_amount) * 100) / 100;
    by.set(m, b);
  }
  const months = [...by.keys()].sort();
  const out: Bucket[] = [];
  let [y, mo] = months[0]!.split('-').map(Number) as [number, number];
  const last = months[months.length - 1]!;
  for (;;) {
    const k = `${y}-${String(mo).padStart(2, '0')}`;
    out.push(by.get(k) ?? { month: k, visits: 0, amount: 0 });
    if (k === last || out.length > 600) break;
    mo++;
    if (mo > 12) {
      mo = 1;
      y++;
    }
  }
  return out;
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
