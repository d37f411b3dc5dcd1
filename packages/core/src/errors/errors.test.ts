import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CountersignError, errorCodes, isCountersignError } from './index.js';

describe('error codes', () => {
  const documented = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');

  it.each(Object.keys(errorCodes))('documents %s in docs/errors.md', (code) => {
    expect(documented).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });

  it('documents no code that does not exist', () => {
    const rows = [...documented.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]);
    expect(rows.sort()).toEqual(Object.keys(errorCodes).sort());
  });

  it('carries its code and details', () => {
    const error = new CountersignError('not_pending', 'action a1 is approved', { id: 'a1' });
    expect(isCountersignError(error)).toBe(true);
    expect(isCountersignError(error, 'not_pending')).toBe(true);
    expect(isCountersignError(error, 'forbidden')).toBe(false);
    expect(isCountersignError(new Error('x'))).toBe(false);
    expect(error.details).toEqual({ id: 'a1' });
  });
});
