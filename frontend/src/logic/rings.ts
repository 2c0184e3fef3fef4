// Ring display helpers for the findings board.
import type { Ref, Ring } from '../api/types';

/**
 * mainParty picks the party a ring centres on, for the board's "main provider/doctor" column:
 * the first institution or pharmacy among the members, else the first doctor. Detectors list
 * members patients first, then doctors and providers (graph.TruthRing documents that order).
 */
export function mainParty(r: Pick<Ring, 'members'>): Ref | undefined {
  return r.members.find((m) => m.type === 'institution' || m.type === 'pharmacy') ?? r.members.find((m) => m.type === 'doctor');
}

/** patientCount counts the insured persons in a ring, its "size" on the board. */
export function patientCount(r: Pick<Ring, 'members'>): number {
  let n = 0;
  for (const m of r.members) if (m.type === 'patient') n++;
  return n || r.members.length;
}

/** RingSort is a sort order of the board. */
export type RingSort = 'score' | 'amount' | 'size';

/** sortRings orders rings for the board; ties fall back to id so the order is stable. */
export function sortRings<T extends Pick<Ring, 'id' | 'score' | 'amount' | 'members'>>(rings: T[], by: RingSort): T[] {
  const key = (r: T) => (by === 'score' ? r.score : by === 'amount' ? r.amount : patientCount(r));
  return [...rings].sort((a, b) => key(b) - key(a) || a.id.localeCompare(b.id));
}

/** matchesQuery reports whether a ring's id, region or a member id contains the query text. */
export function matchesQuery(r: Pick<Ring, 'id' | 'region' | 'members'>, q: string): boolean {
  const s = q.trim().toLowerCase();
  if (!s) return true;
  if (r.id.toLowerCase().includes(s) || (r.region ?? '').toLowerCase().includes(s)) return true;
  return r.members.some((m) => m.id.toLowerCase().includes(s));
}
