import { describe, expect, it } from 'vitest';
import { matches, parseParties } from './reports';
import { screensFor } from '../logic/roles';

describe('intake desk', () => {
  it('parses one party per line and names the first bad line', () => {
    expect(parseParties('institution:H1\n\npatient：PT2\n')).toEqual({ refs: [{ type: 'institution', id: 'H1' }, { type: 'patient', id: 'PT2' }] });
    expect(parseParties('pharmacy:Y1\nclaim:C1')).toEqual({ bad: 2 });
    expect(parseParties('H1')).toEqual({ bad: 1 });
  });
  it('searches number, subject and text, case-insensitively', () => {
    const r = { id: 'R0007', subject: '某民营医院', what: 'Doctor organised visits', where: '五华区', when: '' };
    expect(matches(r, 'r0007')).toBe(true);
    expect(matches(r, '民营')).toBe(true);
    expect(matches(r, 'organised')).toBe(true);
    expect(matches(r, '药店')).toBe(false);
    expect(matches(r, '  ')).toBe(true);
  });
  it('gives the intake role its desk and nothing else', () => {
    expect(screensFor('intake')).toEqual(['reports']);
    expect(screensFor('admin')).not.toContain('reports');
  });
});
