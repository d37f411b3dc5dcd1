import { describe, expect, it } from 'vitest';
import { newActionId } from './ids.js';

describe('action ids', () => {
  it('are act_ and a 26-character Crockford base32 ULID', () => {
    expect(newActionId(new Date())).toMatch(/^act_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('sort by creation time', () => {
    const ids = [0, 1, 1000, 86_400_000, 10 ** 12].map((ms) => newActionId(new Date(1_700_000_000_000 + ms)));
    expect([...ids].sort()).toEqual(ids);
  });

  it('do not repeat', () => {
    const now = new Date();
    const ids = new Set(Array.from({ length: 10_000 }, () => newActionId(now)));
    expect(ids.size).toBe(10_000);
  });
});
