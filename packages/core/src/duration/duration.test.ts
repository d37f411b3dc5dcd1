import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './index.js';

describe('durations', () => {
  it.each([
    ['250ms', 250],
    ['10s', 10_000],
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['7d', 604_800_000],
    [' 5m ', 300_000],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', 'm', '5 m', '-5m', '1.5h', '5min', '0s', '5mh'])('refuses %j with validation_failed', (text) => {
    expect(() => parseDuration(text)).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });

  it.each([
    [5_400_000, '1h30m'],
    [600_000, '10m'],
    [90_000, '1m30s'],
    [250, '250ms'],
  ])('formats %d ms as %s and back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});
