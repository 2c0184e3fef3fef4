// Comparing two detection runs: which rings appeared, disappeared or changed. The API matches
// rings across runs by member Jaccard similarity (the same ≥ 0.5 rule eval uses); the UI sorts
// the result into what an analyst asks: what is new, what is gone, what moved.
import type { JobComparison, RingSummary } from '../api/types';

/** ChangedRing is a ring found in both runs whose members or score differ. */
export interface ChangedRing {
  a: string;
  b: string;
  jaccard: number;
  scoreA: number;
  scoreB: number;
  delta: number;
}

/** RunDiff is a comparison sorted for display. */
export interface RunDiff {
  added: RingSummary[];
  removed: RingSummary[];
  changed: ChangedRing[];
  unchanged: number;
}

/** scoreEpsilon is the score change below which a matched ring counts as unchanged. */
export const scoreEpsilon = 0.005;

/** diffRuns turns an API comparison of run a (baseline) and run b into added/removed/changed. */
export function diffRuns(c: JobComparison): RunDiff {
  const changed: ChangedRing[] = [];
  let unchanged = 0;
  for (const m of c.matched) {
    const scoreA = m.score_a ?? 0;
    const scoreB = m.score_b ?? 0;
    const jaccard = m.jaccard ?? 0;
    if (jaccard >= 0.999 && Math.abs(scoreB - scoreA) < scoreEpsilon) {
      unchanged++;
      continue;
    }
    changed.push({ a: m.a ?? '', b: m.b ?? '', jaccard, scoreA, scoreB, delta: scoreB - scoreA });
  }
  changed.sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || x.jaccard - y.jaccard || x.b.localeCompare(y.b));
  const byScore = (x: RingSummary, y: RingSummary) => y.score - x.score || x.id.localeCompare(y.id);
  return { added: [...c.only_b].sort(byScore), removed: [...c.only_a].sort(byScore), changed, unchanged };
}
