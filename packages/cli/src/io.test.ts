import { describe, expect, it } from 'vitest';
import { groupDigits } from './io.js';

describe('groupDigits', () => {
  it('groups thousands as en-US does', () => {
    for (const n of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 1_234_567_890, -1234, 2 ** 53 - 1]) {
      expect(groupDigits(n)).toBe(n.toLocaleString('en-US'));
    }
  });
});
