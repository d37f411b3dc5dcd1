import { describe, expect, it } from 'vitest';
import { MaskError } from '../errors.js';
import { columnRuleFor, compileColumnPattern, fieldRuleFor, parseMaskingPolicy } from './index.js';

const key = 'k'.repeat(32);

const example = `version: 1
key_env: COUNTERSIGN_MASK_KEY
default: scan
findings: replace
numbered: false
detectors:
  types: [EMAIL, PHONE, US_SSN]
  phone_regions: [US, GB]
  custom:
    - { type: EMPLOYEE_ID, pattern: 'E-\\d{6}', cues: [employee] }
columns:
  - { match: email, operator: tokenize }
  - { match: '*_ssn', operator: partial, keep: 4 }
  - { match: notes, operator: scan }
  - { match: dob, operator: generalise }
  - { match: age, operator: generalise, bucket: 10 }
  - { match: internal_id, operator: drop }
  - { match: country, operator: keep }
  - { match: name, operator: replace, type: PERSON }
  - { match: customer.email, operator: tokenize }
  - { match: items.*.card, operator: partial }
`;

/** The MaskError `run` throws. */
function failure(run: () => unknown): MaskError {
  try {
    run();
  } catch (error) {
    if (error instanceof MaskError) return error;
    throw error;
  }
  throw new Error('expected a MaskError');
}

describe('parseMaskingPolicy', () => {
  it('compiles the documented example', () => {
    const policy = parseMaskingPolicy(example, { env: { COUNTERSIGN_MASK_KEY: key } });
    expect(policy.default).toBe('scan');
    expect(policy.findings).toEqual({ operator: 'replace' });
    expect(policy.key).toBe(key);
    expect(policy.tokenizes).toBe(true);
    expect(policy.detectors).toEqual({
      types: ['EMAIL', 'PHONE', 'US_SSN'],
      phoneRegions: ['US', 'GB'],
      custom: [{ type: 'EMPLOYEE_ID', pattern: 'E-\\d{6}', cues: ['employee'] }],
    });
    expect(policy.columns.map((rule) => rule.operator)).toEqual([
      { operator: 'tokenize' },
      { operator: 'partial', keep: 4 },
      { operator: 'scan' },
      { operator: 'generalise' },
      { operator: 'generalise', bucket: 10 },
      { operator: 'drop' },
      { operator: 'keep' },
      { operator: 'replace', type: 'PERSON' },
      { operator: 'tokenize' },
      { operator: 'partial' },
    ]);
    expect(policy.scanner.scan('mail ada@example.com').map((span) => span.type)).toEqual(['EMAIL']);
  });

  it('is frozen', () => {
    const policy = parseMaskingPolicy(example, { env: { COUNTERSIGN_MASK_KEY: key } });
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.columns)).toBe(true);
    expect(Object.isFrozen(policy.columns[1]?.operator)).toBe(true);
  });

  it('fills in defaults for a minimal policy', () => {
    const policy = parseMaskingPolicy('version: 1\n', { env: {} });
    expect(policy).toMatchObject({
      default: 'scan',
      findings: { operator: 'replace' },
      columns: [],
      classify: undefined,
    });
    expect(policy.key).toBeUndefined();
  });

  it('applies numbered to replace findings and replace rules', () => {
    const policy = parseMaskingPolicy('version: 1\nnumbered: true\ncolumns:\n  - { match: n, operator: replace }\n', {
      env: {},
    });
    expect(policy.findings).toEqual({ operator: 'replace', numbered: true });
    expect(policy.columns[0]?.operator).toEqual({ operator: 'replace', numbered: true });
  });

  it('takes classify as true or with settings', () => {
    expect(parseMaskingPolicy('version: 1\nclassify: true\n', { env: {} }).classify).toEqual({
      sample: 1000,
      threshold: 0.5,
    });
    expect(parseMaskingPolicy('version: 1\nclassify: { sample: 50 }\n', { env: {} }).classify).toEqual({
      sample: 50,
      threshold: 0.5,
    });
  });

  it('takes the findings operator as a mapping too', () => {
    const policy = parseMaskingPolicy('version: 1\nfindings: { operator: partial, keep: 2 }\n', { env: {} });
    expect(policy.findings).toEqual({ operator: 'partial', keep: 2 });
  });

  describe('errors name the path and the line', () => {
    it.each([
      [
        'version: 1\ncolumns:\n  - { match: a, operator: keep }\n  - { match: b, operator: keep }\n  - { match: c, operator: shred }\n',
        'columns[2].operator',
        5,
        'expected one of scan, redact, replace, partial, tokenize, drop, keep, generalise; got "shred"',
      ],
      ['version: 2\n', 'version', 1, 'expected 1'],
      ['version: 1\ndefault: hide\n', 'default', 2, 'expected one of scan, keep'],
      ['version: 1\nfindings: shred\n', 'findings', 2, 'expected one of replace, redact, partial, tokenize'],
      ['version: 1\ncolumns:\n  - { match: a, operator: partial, keep: -1 }\n', 'columns[0].keep', 3, '>=0'],
      ['version: 1\ncolumns:\n  - { match: a, operator: keep, bucket: 3 }\n', 'columns[0].bucket', 3, 'unknown key'],
      ['version: 1\ncolumns:\n  - { operator: keep }\n', 'columns[0].match', 3, 'is required'],
      ['version: 1\nkey_envv: X\n', 'key_envv', 2, 'unknown key'],
      ['version: 1\ndetectors:\n  types: [EMAIL, SHOE_SIZE]\n', 'detectors.types[1]', 3, 'expected one of EMAIL'],
      ['version: 1\ndetectors:\n  phone_regions: [ZZ]\n', 'detectors.phone_regions[0]', 3, 'region code'],
      ['version: 1\nclassify: maybe\n', 'classify', 2, 'expected true, false'],
      ['version: 1\ncolumns:\n  - { match: n, operator: replace, type: person }\n', 'columns[0].type', 3, 'upper-case'],
    ])('%#: %s', (text, path, line, message) => {
      const error = failure(() => parseMaskingPolicy(text, { env: {}, file: 'mask.yaml' }));
      expect(error.code).toBe('mask_policy_invalid');
      expect(error.message).toContain(`mask.yaml:${line}: ${path}: `);
      expect(error.message).toContain(message);
      expect(error.details?.issues).toContainEqual(expect.objectContaining({ path, line }));
    });

    it('reports every problem at once', () => {
      const error = failure(() => parseMaskingPolicy('version: 3\ndefault: x\nextra: 1\n', { env: {} }));
      expect(error.details?.issues).toHaveLength(3);
    });

    it('reports YAML syntax errors with their line', () => {
      const error = failure(() => parseMaskingPolicy('version: 1\ncolumns: [\n  { match: a\n', { env: {} }));
      expect(error.code).toBe('mask_policy_invalid');
      expect(error.message).toMatch(/:\d+: YAML: /);
    });

    it('refuses duplicate keys and a document that is not a mapping', () => {
      expect(failure(() => parseMaskingPolicy('version: 1\nversion: 1\n', { env: {} })).code).toBe(
        'mask_policy_invalid',
      );
      expect(failure(() => parseMaskingPolicy('- a\n', { env: {} })).code).toBe('mask_policy_invalid');
    });

    it('refuses an invalid custom detector, naming it', () => {
      const error = failure(() =>
        parseMaskingPolicy("version: 1\ndetectors:\n  custom:\n    - { type: lower, pattern: 'x' }\n", { env: {} }),
      );
      expect(error.code).toBe('mask_policy_invalid');
      expect(error.message).toContain('detectors.custom[0].type');
    });

    it('refuses an unsafe custom pattern as a policy error at its path', () => {
      const error = failure(() =>
        parseMaskingPolicy("version: 1\ndetectors:\n  custom:\n    - { type: X_ID, pattern: '(a+)+$' }\n", { env: {} }),
      );
      expect(error.code).toBe('mask_policy_invalid');
      expect(error.message).toContain('detectors.custom[0].pattern');
    });

    it('refuses key and key_env together', () => {
      const error = failure(() => parseMaskingPolicy('version: 1\nkey: abc\nkey_env: K\n', { env: {} }));
      expect(error.message).toContain('key: give key_env');
    });
  });

  describe('the key', () => {
    const tokenizing = 'version: 1\ncolumns:\n  - { match: email, operator: tokenize }\n';

    it('is required only when something tokenises', () => {
      expect(parseMaskingPolicy('version: 1\n', { env: {} }).key).toBeUndefined();
      const error = failure(() => parseMaskingPolicy(tokenizing, { env: {} }));
      expect(error.code).toBe('mask_key_missing');
      expect(error.message).toContain('COUNTERSIGN_MASK_KEY');
      expect(failure(() => parseMaskingPolicy('version: 1\nfindings: tokenize\n', { env: {} })).code).toBe(
        'mask_key_missing',
      );
    });

    it('comes from key_env, an inline key, or the caller (which wins)', () => {
      expect(parseMaskingPolicy(tokenizing, { env: { COUNTERSIGN_MASK_KEY: 'a' } }).key).toBe('a');
      expect(parseMaskingPolicy(`key_env: MY_KEY\n${tokenizing}`, { env: { MY_KEY: 'b' } }).key).toBe('b');
      expect(parseMaskingPolicy(`key: c\n${tokenizing}`, { env: {} }).key).toBe('c');
      expect(parseMaskingPolicy(tokenizing, { env: { COUNTERSIGN_MASK_KEY: 'a' }, key: 'd' }).key).toBe('d');
      expect(failure(() => parseMaskingPolicy(tokenizing, { env: { COUNTERSIGN_MASK_KEY: '' } })).code).toBe(
        'mask_key_missing',
      );
    });
  });
});

describe('column rules', () => {
  const policy = parseMaskingPolicy(example, { env: { COUNTERSIGN_MASK_KEY: key } });

  it('match CSV column names exactly or by glob, case-insensitively; first match wins', () => {
    expect(columnRuleFor(policy, 'EMAIL')?.index).toBe(0);
    expect(columnRuleFor(policy, 'customer_ssn')?.operator).toEqual({ operator: 'partial', keep: 4 });
    expect(columnRuleFor(policy, 'Tax_SSN')?.index).toBe(1);
    expect(columnRuleFor(policy, 'emails')).toBeUndefined();
    expect(columnRuleFor(policy, 'customer.email')?.index).toBe(8);
  });

  it('match JSONL field paths, with * standing for any keys', () => {
    expect(fieldRuleFor(policy, 'email')?.index).toBe(0);
    expect(fieldRuleFor(policy, 'customer.email')?.index).toBe(8);
    expect(fieldRuleFor(policy, 'Customer.Email')?.index).toBe(8);
    expect(fieldRuleFor(policy, 'items.card')?.index).toBe(9);
    expect(fieldRuleFor(policy, 'items.payment.card')?.index).toBe(9);
    expect(fieldRuleFor(policy, 'other.email')).toBeUndefined();
    expect(fieldRuleFor(policy, 'customer.tax_ssn')).toBeUndefined();
  });
});

describe('compileColumnPattern', () => {
  it.each([
    ['*_ssn', 'tax_ssn', true, true],
    ['*_ssn', 'a.tax_ssn', true, false],
    ['phone*', 'phone_home', true, true],
    ['*.email', 'email', false, true],
    ['*.email', 'a.b.email', true, true],
    ['a.*', 'a', false, true],
    ['a.*', 'a.b.c', true, true],
    ['*', 'anything.at.all', true, true],
    ['a*b*c', 'aXbYc', true, true],
    ['a+b', 'aab', false, false],
  ])('%s against %s: column %s, path %s', (pattern, value, column, path) => {
    const compiled = compileColumnPattern(pattern);
    expect(compiled.matchesColumn(value)).toBe(column);
    expect(compiled.matchesPath(value)).toBe(path);
  });

  it('matches in linear time on hostile names', () => {
    const compiled = compileColumnPattern('*a*a*a*a*a*b');
    expect(compiled.matchesColumn('a'.repeat(20_000))).toBe(false);
    expect(compiled.matchesPath('a'.repeat(20_000))).toBe(false);
  }, 3_000);

  it('matches in linear time on hostile paths', () => {
    const compiled = compileColumnPattern('*.*.*.*.x');
    expect(compiled.matchesPath(`${'a.'.repeat(5000)}y`)).toBe(false);
  }, 3_000);
});
