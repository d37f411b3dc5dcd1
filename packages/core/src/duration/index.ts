import { CountersignError } from '../errors/index.js';

const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const durationPattern = /^(?:(\d+)(ms|s|m|h|d))+$/;
const partPattern = /(\d+)(ms|s|m|h|d)/g;

/**
 * Parses a duration such as `30m`, `1h30m`, `10s`, `250ms` or `7d` into milliseconds.
 *
 * @example parseDuration('1h30m') // 5_400_000
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (!durationPattern.test(trimmed)) {
    throw new CountersignError(
      'validation_failed',
      `"${text}" is not a duration: write a whole number and a unit (ms, s, m, h, d), for example 30m or 1h30m`,
    );
  }
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(partPattern)) {
    total += Number(amount) * units[unit as keyof typeof units];
  }
  if (total <= 0) throw new CountersignError('validation_failed', `duration "${text}" must be longer than zero`);
  return total;
}

/** Formats milliseconds the way a policy would write them: `5400000` → `1h30m`. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = ms;
  let text = '';
  for (const [unit, size] of [
    ['d', units.d],
    ['h', units.h],
    ['m', units.m],
    ['s', units.s],
    ['ms', units.ms],
  ] as const) {
    const amount = Math.floor(rest / size);
    if (amount > 0) {
      text += `${amount}${unit}`;
      rest -= amount * size;
    }
  }
  return text;
}
