import { describe, expect, it } from 'vitest';
import type { Ring } from '../api/types';
import { findingsCSV, providerId } from './findings';

const ring = (over: Partial<Ring>): Ring => ({
  id: 'R1',
  kind: 'collusion_ring',
  class: 'ring',
  score: 0.9,
  amount: 1000,
  expected_amount: 900,
  patients: 2,
  members: [
    { type: 'patient', id: 'PT1' },
    { type: 'patient', id: 'PT2' },
    { type: 'institution', id: 'H53010200001' },
  ],
  reasons: [{ code: 'covisit_days', text: '同日共同就诊 5 天', text_en: 'co-visited on 5 days', weight: 1 }],
  ...over,
});

describe('findings export', () => {
  it('writes a BOM, names the main party and keeps cells from being read as formulas', () => {
    const csv = findingsCSV([ring({}), ring({ id: '=HYPERLINK("x")', region: '530102' })], { 'institution:H53010200001': '某医院, 分院' });
    expect(csv.startsWith('\ufeffid,class,kind,')).toBe(true);
    const lines = csv.trim().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('institution:H53010200001,"某医院, 分院"');
    expect(lines[1]).toContain('900.00,1000.00');
    expect(lines[2]!.startsWith(`"'=HYPERLINK(""x"")"`)).toBe(true);
  });
  it('recognises provider codes typed in the search box', () => {
    expect(providerId(' p53010200001 ')).toBe('P53010200001');
    expect(providerId('张三')).toBeUndefined();
  });
});
