import { describe, expect, it } from 'vitest';
import { diffRuns } from './compare';
import { dayNumber, deadlineBadge, mostUrgent, todayCST, workingDaysBetween } from './deadline';
import { maskAddress, maskIDNumber, maskLabel, maskName, maskPhone, maskProps } from './mask';
import { mainParty, matchesQuery, patientCount, sortRings } from './rings';
import { can, canExport, nextSteps, screensFor } from './roles';
import { bucketIndex, bucketsOf, sortClaims } from './timeline';
import { bucketSpan } from '../ui/timelineStrip';
import type { Claim } from '../api/types';

describe('masking', () => {
  it.each([
    ['张三丰', '张*丰'],
    ['张三', '张*'],
    ['欧阳娜娜', '欧**娜'],
    ['李', '*'],
    ['张*丰', '张*丰'],
  ])('name %s → %s', (v, want) => expect(maskName(v)).toBe(want));
  it('masks ID numbers, phones and addresses', () => {
    expect(maskIDNumber('53010219900101123X')).toBe('530102********123X');
    expect(maskPhone('13812341234')).toBe('138****1234');
    expect(maskAddress('云南省昆明市五华区某街道1号')).toBe('云南省昆明市****');
  });
  it('masks personal props for analysts only, and only of patients', () => {
    const props = { name: '王小明', phone: '13812341234', region: '530100' };
    expect(maskProps('analyst', 'patient', props)).toEqual({ name: '王*明', phone: '138****1234', region: '530100' });
    expect(maskProps('investigator', 'patient', props)).toEqual(props);
    expect(maskProps('analyst', 'institution', { name: '昆明市第一人民医院' })).toEqual({ name: '昆明市第一人民医院' });
    expect(maskLabel('analyst', 'patient', '王小明', 'P1')).toBe('王*明');
    expect(maskLabel('analyst', 'patient', 'P1', 'P1')).toBe('P1');
  });
});

describe('working-day deadlines', () => {
  it('counts weekdays only', () => {
    // 2024-03-01 is a Friday; Friday → Monday is one working day.
    expect(workingDaysBetween(dayNumber('2024-03-01'), dayNumber('2024-03-04'))).toBe(1);
    expect(workingDaysBetween(dayNumber('2024-03-04'), dayNumber('2024-03-01'))).toBe(-1);
    expect(workingDaysBetween(dayNumber('2024-03-04'), dayNumber('2024-03-25'))).toBe(15);
  });
  it.each([
    [{ due: '2024-03-04', overdue: true }, '2024-03-06', 'overdue', 2],
    [{ due: '2024-03-06', overdue: false }, '2024-03-06', 'today', 0],
    [{ due: '2024-03-08', overdue: false }, '2024-03-06', 'soon', 2],
    [{ due: '2024-03-25', overdue: false }, '2024-03-06', 'ok', 13],
    // The server's overdue flag wins even when the local count says otherwise (holiday calendars).
    [{ due: '2024-03-08', overdue: true }, '2024-03-06', 'overdue', 1],
  ])('%o on %s is %s', (d, today, level, days) => expect(deadlineBadge(d, today)).toEqual({ level, days }));
  it('picks the overdue deadline first, then the nearest', () => {
    const ds = [
      { kind: 'close', due: '2024-05-01', overdue: false },
      { kind: 'transfer', due: '2024-06-01', overdue: true },
      { kind: 'verify', due: '2024-04-01', overdue: false },
    ];
    expect(mostUrgent(ds)?.kind).toBe('transfer');
    expect(mostUrgent(ds.filter((d) => !d.overdue))?.kind).toBe('verify');
  });
  it('prefers the server’s holiday-aware count and ignores limits that no longer apply', () => {
    // A holiday week: the server says 2 working days left where weekdays alone would give 7.
    expect(deadlineBadge({ due: '2024-10-09', overdue: false, working_days: 2 }, '2024-09-30')).toEqual({ level: 'soon', days: 2 });
    expect(deadlineBadge({ due: '2024-10-01', overdue: true, working_days: -3 }, '2024-10-08')).toEqual({ level: 'overdue', days: 3 });
    const ds = [
      { kind: 'verify', due: '2024-01-01', overdue: false, active: false },
      { kind: 'close', due: '2024-05-01', overdue: false, active: true },
    ];
    expect(mostUrgent(ds)?.kind).toBe('close');
    expect(mostUrgent(ds.slice(0, 1))).toBeUndefined();
  });
  it('knows today in China time', () => expect(todayCST(Date.parse('2024-03-04T17:00:00Z'))).toBe('2024-03-05'));
});

describe('comparing runs', () => {
  it('sorts added, removed and changed rings', () => {
    const d = diffRuns({
      a: 'J1',
      b: 'J2',
      matched: [
        { a: 'R1', b: 'S1', jaccard: 1, score_a: 0.8, score_b: 0.8 },
        { a: 'R2', b: 'S2', jaccard: 0.6, score_a: 0.7, score_b: 0.75 },
        { a: 'R3', b: 'S3', jaccard: 1, score_a: 0.5, score_b: 0.9 },
      ],
      only_a: [{ id: 'R9', kind: 'card_lending', score: 0.4 }],
      only_b: [
        { id: 'S8', kind: 'collusion_ring', score: 0.5 },
        { id: 'S7', kind: 'collusion_ring', score: 0.9 },
      ],
    });
    expect(d.added.map((r) => r.id)).toEqual(['S7', 'S8']);
    expect(d.removed.map((r) => r.id)).toEqual(['R9']);
    expect(d.changed.map((c) => c.b)).toEqual(['S3', 'S2']);
    expect(d.unchanged).toBe(1);
  });
});

describe('roles', () => {
  it('hides what a role may not do', () => {
    expect(screensFor('police')).toEqual(['cases']);
    expect(screensFor('analyst')).toEqual(['findings', 'workbench', 'cases', 'jobs']);
    expect(screensFor('admin')).toEqual(['users']);
    expect(can('investigator', 'jobs.run')).toBe(false);
    expect(can('supervisor', 'cases.assign')).toBe(true);
  });
  it('offers the workflow moves of docs/api.md', () => {
    expect(nextSteps('investigator', 'lead')).toEqual([{ to: 'verification' }]);
    expect(nextSteps('investigator', 'verification')).toEqual([]);
    expect(nextSteps('supervisor', 'opened').map((s) => s.transferTo ?? s.to)).toEqual(['administrative', 'police', 'closed']);
    expect(nextSteps('police', 'transferred')).toEqual([]);
    expect(nextSteps('supervisor', 'closed')).toEqual([]);
  });
  it('offers the referral export only on transferred cases, to police only for police cases', () => {
    expect(canExport('supervisor', 'transferred', 'administrative')).toBe(true);
    expect(canExport('police', 'transferred', 'police')).toBe(true);
    expect(canExport('police', 'transferred', 'administrative')).toBe(false);
    expect(canExport('supervisor', 'opened')).toBe(false);
    expect(canExport('investigator', 'transferred', 'police')).toBe(false);
    expect(screensFor('intake')).toEqual(['reports']);
  });
});

describe('rings', () => {
  const r = (id: string, score: number, amount: number, n: number) => ({ id, score, amount, members: [...Array(n)].map((_, i) => ({ type: 'patient' as const, id: `${id}-P${i}` })) });
  it('sorts by score, amount or size with stable ties', () => {
    const rs = [r('B', 0.5, 100, 3), r('A', 0.5, 300, 5), r('C', 0.9, 50, 4)];
    expect(sortRings(rs, 'score').map((x) => x.id)).toEqual(['C', 'A', 'B']);
    expect(sortRings(rs, 'amount').map((x) => x.id)).toEqual(['A', 'B', 'C']);
    expect(sortRings(rs, 'size').map((x) => x.id)).toEqual(['A', 'C', 'B']);
  });
  it('finds the main party and counts patients', () => {
    const ring = { members: [{ type: 'patient' as const, id: 'P1' }, { type: 'doctor' as const, id: 'D1' }, { type: 'institution' as const, id: 'H1' }] };
    expect(mainParty(ring)).toEqual({ type: 'institution', id: 'H1' });
    expect(mainParty({ members: [{ type: 'doctor', id: 'D1' }] })).toEqual({ type: 'doctor', id: 'D1' });
    expect(patientCount(ring)).toBe(1);
    expect(matchesQuery({ id: 'R1', region: '530100', members: ring.members }, 'h1')).toBe(true);
    expect(matchesQuery({ id: 'R1', region: '530100', members: ring.members }, 'zz')).toBe(false);
  });
});

describe('timeline', () => {
  const c = (id: string, start: string, fund: number, type: Claim['claim_type'] = 'outpatient'): Claim => ({ id, patient_id: 'P', provider_id: 'H', claim_type: type, start_time: start, total_amount: fund * 2, fund_amount: fund });
  it('maps server buckets and places events among them', () => {
    const b = bucketsOf({ buckets: [
      { start: '2024-01-01', claims: 1, fund_amount: 0.2, outpatient: 1, inpatient: 0, pharmacy: 0 },
      { start: '2024-02-01', claims: 0, fund_amount: 0, outpatient: 0, inpatient: 0, pharmacy: 0 },
      { start: '2024-03-01', claims: 2, fund_amount: 15, outpatient: 1, inpatient: 1, pharmacy: 0 },
    ] });
    expect(b).toEqual([
      { start: '2024-01-01', visits: 1, amount: 0.2 },
      { start: '2024-02-01', visits: 0, amount: 0 },
      { start: '2024-03-01', visits: 2, amount: 15 },
    ]);
    expect(bucketIndex(b, '2023-12-31', 'month')).toBe(-1);
    expect(bucketIndex(b, '2024-01-01', 'month')).toBe(0);
    expect(bucketIndex(b, '2024-02-29', 'month')).toBe(1);
    expect(bucketIndex(b, '2024-03-31', 'month')).toBe(2);
    expect(bucketIndex(b, '2024-04-01', 'month')).toBe(3);
    expect(bucketIndex([{ start: '2024-01-29' }], '2024-02-04', 'week')).toBe(0);
    expect(bucketIndex([{ start: '2024-01-29' }], '2024-02-05', 'week')).toBe(1);
    expect(bucketIndex([], '2024-02-05', 'day')).toBe(-1);
  });
  it('gives each bucket of the time strip its whole days, China time', () => {
    const tl = { bucket: 'week' as const, buckets: [{ start: '2024-01-29' }, { start: '2024-02-05' }].map((b) => ({ ...b, claims: 1, fund_amount: 1, outpatient: 1, inpatient: 0, pharmacy: 0 })) };
    expect(bucketSpan(tl, 0)).toEqual({ from: Date.parse('2024-01-29T00:00:00+08:00'), to: Date.parse('2024-02-05T00:00:00+08:00') - 1 });
    expect(bucketSpan(tl, 1)).toEqual({ from: Date.parse('2024-02-05T00:00:00+08:00'), to: Date.parse('2024-02-12T00:00:00+08:00') - 1 });
    const months = { bucket: 'month' as const, buckets: [{ start: '2024-02-01', claims: 1, fund_amount: 1, outpatient: 1, inpatient: 0, pharmacy: 0 }] };
    expect(bucketSpan(months, 0).to).toBe(Date.parse('2024-03-01T00:00:00+08:00') - 1);
  });
  it('sorts claims by a column', () => {
    const cs = [c('a', '2024-01-02T00:00:00Z', 5), c('b', '2024-01-01T00:00:00Z', 9), c('c', '2024-01-03T00:00:00Z', 5)];
    expect(sortClaims(cs, 'fund_amount', true).map((x) => x.id)).toEqual(['b', 'a', 'c']);
    expect(sortClaims(cs, 'start_time', false).map((x) => x.id)).toEqual(['b', 'a', 'c']);
  });
});
