import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePatterns } from './glob.js';

/** The meaning of a pattern, written as plainly as possible: `*` is any run of characters, the rest literal. */
function reference(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*');
  return new RegExp(`^${source}$`).test(value);
}

describe('patterns', () => {
  it.each([
    ['data.*', 'data.export', true],
    ['data.*', 'data.', true],
    ['data.*', 'database', false],
    ['*.delete', 'data.delete', true],
    ['*.delete', 'data.deleted', false],
    ['sync.*.push', 'sync.vendor.push', true],
    ['sync.*.push', 'sync.push', false],
    ['*', '', true],
    ['a.b', 'axb', false],
    ['a+b', 'a+b', true],
  ])('%s against %s is %s', (pattern, value, expected) => {
    expect(compilePatterns(pattern).matches(value)).toBe(expected);
  });

  it('matches a list when any pattern matches', () => {
    const set = compilePatterns(['prod', 'stag*', '*-eu']);
    expect(['prod', 'staging', 'dev-eu'].map(set.matches)).toEqual([true, true, true]);
    expect(set.matches('dev')).toBe(false);
    expect(set.exact).toEqual(['prod']);
  });

  it('agrees with the plain definition for any pattern and value', () => {
    const alphabet = fc.constantFrom('a', 'b', '.', '*', '-', '+', '(');
    const text = fc.array(alphabet, { maxLength: 8 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(
        fc.array(
          text.filter((p) => p.length > 0),
          { minLength: 1, maxLength: 3 },
        ),
        text,
        (patterns, raw) => {
          const value = raw.replaceAll('*', 'a');
          const expected = patterns.some((pattern) => reference(pattern, value));
          expect(compilePatterns(patterns).matches(value)).toBe(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
