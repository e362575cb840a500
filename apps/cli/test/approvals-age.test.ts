import { describe, expect, it } from 'vitest';
import { age } from '../src/commands/approvals/list.js';

describe('the AGE column of approvals list', () => {
  const now = Date.parse('2026-12-02T12:00:00.000Z');
  const since = (seconds: number) => ({
    startTime: new Date(now - seconds * 1000).toISOString(),
  });

  it.each([
    [0, '0s'],
    [59, '59s'],
    [60, '1m'],
    [3599, '59m'],
    [3600, '1h'],
    [86_399, '23h'],
    [86_400, '1d'],
    [10 * 86_400, '10d'],
  ])('says %i seconds as %s, in the largest whole unit', (seconds, shown) => {
    expect(age(since(seconds), now)).toBe(shown);
  });

  it('says 0s for a start a skewed platform clock puts in the future', () => {
    expect(age(since(-30), now)).toBe('0s');
  });
});
