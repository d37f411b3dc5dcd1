import { describe, expect, it } from 'vitest';
import { createMaskContext } from '../operators/index.js';
import { isCredentialKey, maskObject, maskValue } from './index.js';

const key = 'k'.repeat(32);

describe('maskValue', () => {
  it('replaces every finding with <TYPE> by default', () => {
    expect(maskValue('write to ada@example.com or bob@example.org')).toBe('write to <EMAIL> or <EMAIL>');
    expect(maskValue('nothing here')).toBe('nothing here');
    expect(maskValue('')).toBe('');
  });

  it('takes the findings operator, a key and a shared numbering context', () => {
    expect(maskValue('ada@example.com', { findings: 'redact' })).toBe('');
    expect(maskValue('x ada@example.com', { findings: 'tokenize', key })).toMatch(/^x tok_[0-9a-f]{24}$/);
    const context = createMaskContext();
    expect(maskValue('a@x.io, b@y.io', { numbered: true, context })).toBe('<EMAIL_1>, <EMAIL_2>');
    expect(maskValue('b@y.io', { numbered: true, context })).toBe('<EMAIL_2>');
  });
});

describe('maskObject', () => {
  const input = {
    user: { email: 'ada@example.com', Password: 'hunter2', name: 'Ada', 'API-Key': 'abc', nested: [{ token: 1 }] },
    notes: ['call ada@example.com', 42, true, null],
    client_secret: { any: 'thing' },
    session_cookie: null,
    max_tokens: 100,
    author: 'Bob',
  };

  it('redacts credential-like keys whole and masks other strings by content', () => {
    expect(maskObject(input)).toEqual({
      user: {
        email: '<EMAIL>',
        Password: '<REDACTED>',
        name: 'Ada',
        'API-Key': '<REDACTED>',
        nested: [{ token: '<REDACTED>' }],
      },
      notes: ['call <EMAIL>', 42, true, null],
      client_secret: '<REDACTED>',
      session_cookie: null,
      max_tokens: 100,
      author: 'Bob',
    });
  });

  it('never modifies its input', () => {
    const before = structuredClone(input);
    const frozen = deepFreeze(structuredClone(input));
    maskObject(input);
    maskObject(frozen);
    expect(input).toEqual(before);
  });

  it('redacts the keys and paths it is given as well', () => {
    const masked = maskObject(
      { a: { dob: '1990-01-01', b: { c: 'x' } }, c: 'kept', tax_ssn: 'x' },
      { sensitiveKeys: ['dob', 'a.b.c', '*_ssn'] },
    );
    expect(masked).toEqual({ a: { dob: '<REDACTED>', b: { c: '<REDACTED>' } }, c: 'kept', tax_ssn: '<REDACTED>' });
  });

  it('scans keys too, keeping keys that mask alike apart', () => {
    expect(maskObject({ 'ada@example.com': 1, 'bob@example.org': 2 })).toEqual({ '<EMAIL>': 1, '<EMAIL>_2': 2 });
  });

  it('checks long integers as text (a card number stored as a number)', () => {
    expect(maskObject({ card: 4111111111111111, small: 12345678 })).toEqual({ card: '<CREDIT_CARD>', small: 12345678 });
  });

  it('numbers findings across the whole value', () => {
    expect(maskObject({ a: 'a@x.io', b: ['b@y.io', 'a@x.io'] }, { numbered: true })).toEqual({
      a: '<EMAIL_1>',
      b: ['<EMAIL_2>', '<EMAIL_1>'],
    });
  });

  it('masks a __proto__ key as data rather than touching the prototype', () => {
    const parsed = JSON.parse('{"__proto__": "ada@example.com", "password": "x"}');
    const masked = maskObject(parsed) as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(masked, '__proto__')?.value).toBe('<EMAIL>');
    expect(Object.getPrototypeOf(masked)).toBe(Object.prototype);
    expect(JSON.stringify(masked)).toBe('{"__proto__":"<EMAIL>","password":"<REDACTED>"}');
  });

  it('masks primitives and dates given directly', () => {
    expect(maskObject('ada@example.com')).toBe('<EMAIL>');
    expect(maskObject(null)).toBeNull();
    expect(maskObject({ at: new Date('2020-01-02T00:00:00Z') })).toEqual({ at: '2020-01-02T00:00:00.000Z' });
  });
});

describe('isCredentialKey', () => {
  it.each([
    'password',
    'PASSWORD',
    'db_password',
    'passwd',
    'secret',
    'client_secret',
    'token',
    'accessToken',
    'refresh-token',
    'api_key',
    'X-Api-Key',
    'apiKey',
    'authorization',
    'Authorization',
    'cookie',
    'Set-Cookie',
    'private_key',
    'aws_secret_access_key',
    'credentials',
  ])('%s is a credential', (name) => {
    expect(isCredentialKey(name)).toBe(true);
  });

  it.each(['name', 'max_tokens', 'author', 'email', 'tokenizer', 'description', ''])('%j is not', (name) => {
    expect(isCredentialKey(name)).toBe(false);
  });
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
