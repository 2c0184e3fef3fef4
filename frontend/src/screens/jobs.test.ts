import { describe, expect, it } from 'vitest';
import { flattenParams, unflattenParams } from './jobs';

describe('job parameters', () => {
  it('flattens one level of nesting and parses values back by the defaults’ types', () => {
    const defaults = { seed: 7, resolution: 1.0, block: false, rules: { large_claim_yuan: 10000, name: 'x' }, list: [1, 2] };
    const flat = flattenParams(defaults);
    expect(flat).toEqual([
      ['block', false],
      ['resolution', 1],
      ['rules.large_claim_yuan', 10000],
      ['rules.name', 'x'],
      ['seed', 7],
    ]);
    const back = unflattenParams(
      [
        ['block', 'true'],
        ['resolution', '1.2'],
        ['rules.large_claim_yuan', '20000'],
        ['rules.name', 'y'],
        ['seed', '8'],
      ],
      flat,
    );
    expect(back).toEqual({ block: true, resolution: 1.2, rules: { large_claim_yuan: 20000, name: 'y' }, seed: 8 });
  });
});
