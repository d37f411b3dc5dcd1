import { type Action, actionSchema, type JsonValue } from '@countersign/core';
import { describe, expect, it } from 'vitest';
import { pendingExportAction } from '../test-support/index.js';
import { globMatches, isCredentialName, maskAction, maskText } from './index.js';

/**
 * The masking every notification and audited submission passes through: field rules from config, the credential
 * names that are always masked, the toolkit's detectors as the server uses them (their own edge cases are tested in
 * `packages/mask`), which fields are scanned, that the input is left alone, and that adversarial input cannot
 * stall it. That a webhook receiver only ever gets the masked action is
 * shown end to end in `webhook/webhook.test.ts`.
 */

const action = (fields: Partial<Action> = {}): Action => pendingExportAction(fields);

const paramsAfter = (params: Record<string, JsonValue>, sensitiveFields: string[] = []) =>
  maskAction(action({ params }), { sensitiveFields }).params;

describe('the digest', () => {
  it('is kept when masking changed nothing it covers, and dropped when it did (it would confirm guesses)', () => {
    const plain = action({ params: { rows: 10, format: 'csv' }, context: { note: 'mail ops@example.com' } });
    expect(maskAction(plain, { sensitiveFields: [] }).digest).toBe(plain.digest);
    for (const masked of [
      action({ params: { pin: '4821' } }),
      action({ params: { contact: 'jane@example.org' } }),
      action({ resource: { type: 'dataset', id: 'jane@example.org', labels: [] } }),
      action({ params: { card: '1234' } }),
    ]) {
      const seen = maskAction(masked, { sensitiveFields: ['card'] });
      expect(seen).not.toHaveProperty('digest');
      expect(JSON.stringify(seen)).not.toContain(masked.digest.slice(7));
    }
  });
});

describe('sensitive field rules', () => {
  it('masks a bare key name wherever it appears, in objects and arrays of objects', () => {
    expect(
      paramsAfter(
        { ssn: '1', customer: { ssn: 2, name: 'x' }, rows: [{ ssn: '3', id: 1 }, { id: 2 }], ssn_last4: '4' },
        ['ssn'],
      ),
    ).toEqual({
      ssn: '<REDACTED>',
      customer: { ssn: '<REDACTED>', name: 'x' },
      rows: [{ ssn: '<REDACTED>', id: 1 }, { id: 2 }],
      ssn_last4: '4',
    });
  });

  it('matches globs over key names, without regard to case', () => {
    expect(paramsAfter({ holder_ssn: 'a', SPOUSE_SSN: 'b', ssn: 'c', Ssn_Note: 'd' }, ['*_ssn'])).toEqual({
      holder_ssn: '<REDACTED>',
      SPOUSE_SSN: '<REDACTED>',
      ssn: 'c',
      Ssn_Note: 'd',
    });
    expect(paramsAfter({ Email: 'x', EMAIL: 'y' }, ['email'])).toEqual({ Email: '<REDACTED>', EMAIL: '<REDACTED>' });
  });

  it('matches dotted paths with globs per segment, anchored at params or context', () => {
    const params = { customer: { name: 'Jane', address: { city: 'Oslo' } }, other: { customer: { name: 'Bo' } } };
    expect(paramsAfter(params, ['params.customer.*'])).toEqual({
      customer: { name: '<REDACTED>', address: '<REDACTED>' },
      other: { customer: { name: 'Bo' } },
    });
    expect(paramsAfter(params, ['PARAMS.Customer.Address.*'])).toEqual({
      ...params,
      customer: { name: 'Jane', address: { city: '<REDACTED>' } },
    });
    const redacted = maskAction(action({ params: { a: 'x' }, context: { a: 'y', b: { c: 'z' } } }), {
      sensitiveFields: ['context.*'],
    });
    expect({ params: redacted.params, context: redacted.context }).toEqual({
      params: { a: 'x' },
      context: { a: '<REDACTED>', b: '<REDACTED>' },
    });
  });

  it('matches a dotted path that is not anchored wherever it ends', () => {
    expect(
      paramsAfter({ customer: { name: 'a' }, order: { customer: { name: 'b', id: 1 } } }, ['customer.name']),
    ).toEqual({ customer: { name: '<REDACTED>' }, order: { customer: { name: '<REDACTED>', id: 1 } } });
  });

  it('masks a sensitive array whole, and gives array elements their array’s path', () => {
    expect(paramsAfter({ emails: ['a', 'b'], keep: ['c'] }, ['emails'])).toEqual({ emails: '<REDACTED>', keep: ['c'] });
    const rows = { rows: [{ ssn: '1', n: 1 }, [{ ssn: '2' }]] };
    const expected = { rows: [{ ssn: '<REDACTED>', n: 1 }, [{ ssn: '<REDACTED>' }]] };
    expect(paramsAfter(rows, ['params.rows.ssn'])).toEqual(expected);
    expect(paramsAfter(rows, ['params.rows[].ssn'])).toEqual(expected);
    expect(paramsAfter(rows, ['params.rows[*].ssn'])).toEqual(expected);
  });

  it('masks numbers, booleans and objects at a sensitive path, and leaves null as null', () => {
    expect(paramsAfter({ a: 1, b: true, c: { d: 1 }, e: null, f: [] }, ['a', 'b', 'c', 'e', 'f'])).toEqual({
      a: '<REDACTED>',
      b: '<REDACTED>',
      c: '<REDACTED>',
      e: null,
      f: '<REDACTED>',
    });
  });

  it('matches globs in linear steps, `*` spanning any run of characters', () => {
    expect(globMatches('*_ssn', 'holder_ssn')).toBe(true);
    expect(globMatches('*_ssn', '_ssn')).toBe(true);
    expect(globMatches('*_ssn', 'holder_ssnx')).toBe(false);
    expect(globMatches('a*b*c', 'axxbyyc')).toBe(true);
    expect(globMatches('a*b*c', 'axxbyy')).toBe(false);
    expect(globMatches('*', '')).toBe(true);
    expect(globMatches('', 'a')).toBe(false);
    expect(globMatches('a.b', 'a.b')).toBe(true);
    expect(globMatches('a.b', 'axb')).toBe(false);
    // Many stars against a long key that almost matches: quadratic at worst, never exponential.
    expect(globMatches('*a*a*a*a*a*a*a*a*b', 'a'.repeat(20_000))).toBe(false);
  });
});

describe('credential names', () => {
  it.each([
    'password',
    'db_password',
    'Passwd',
    'passphrase',
    'secret',
    'client_secret',
    'token',
    'accessToken',
    'refresh-token',
    'api_key',
    'apiKey',
    'X-Api-Key',
    'aws_secret_access_key',
    'private_key',
    'signingKey',
    'Authorization',
    'Cookie',
    'set-cookie',
    'credentials',
    'session_id',
    'pin',
    'cvv',
  ])('always masks %s', (name) => {
    expect(isCredentialName(name)).toBe(true);
    expect(paramsAfter({ [name]: 'value', other: 'value' })).toEqual({ [name]: '<REDACTED>', other: 'value' });
  });

  it.each(['max_tokens', 'token_count', 'author', 'keyboard', 'primary_key_column', 'pinned', 'secretary_name'])(
    'leaves %s to the value detectors',
    (name) => {
      expect(isCredentialName(name)).toBe(false);
    },
  );

  it('applies to context too', () => {
    expect(
      maskAction(action({ context: { session_token: 's', ticket: 'T-1' } }), { sensitiveFields: [] }).context,
    ).toEqual({ session_token: '<REDACTED>', ticket: 'T-1' });
  });
});

describe('value detectors', () => {
  const masked: Array<[string, string, string]> = [
    ['an email', 'write to jane.doe+ops@mail.example.co.uk today', 'write to <EMAIL> today'],
    ['an email in brackets, then a full stop', 'Jane <jane@example.com>.', 'Jane <<EMAIL>>.'],
    ['a Luhn-valid card in groups', 'card 4111 1111 1111 1111 exp 12/29', 'card <CREDIT_CARD> exp 12/29'],
    ['a Luhn-valid card with dashes', '4111-1111-1111-1111', '<CREDIT_CARD>'],
    ['a Luhn-valid card in one run', 'pan=4111111111111111', 'pan=<CREDIT_CARD>'],
    ['an Amex card (4-6-5)', '3782 822463 10005', '<CREDIT_CARD>'],
    ['a card after an unrelated number', 'order 12 4111 1111 1111 1111', 'order 12 <CREDIT_CARD>'],
    ['an SSN', 'ssn on file: 219-09-9998.', 'ssn on file: <US_SSN>.'],
    ['an SSN with a low area', '078-05-1121', '<US_SSN>'],
    ['nine digits labelled as an SSN', 'SSN: 123456789', 'SSN: <US_SSN>'],
    ['an IBAN in groups', 'pay GB82 WEST 1234 5698 7654 32 now', 'pay <IBAN> now'],
    ['an IBAN in one run', 'DE89370400440532013000', '<IBAN>'],
    ['a lower-case IBAN', 'de89 3704 0044 0532 0130 00', '<IBAN>'],
    ['a 15-character Norwegian IBAN', 'NO9386011117947', '<IBAN>'],
    ['a 16-character Belgian IBAN', 'BE68 5390 0754 7034', '<IBAN>'],
    ['a JWT', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqYW5lIn0.c2lnbmF0dXJlLXZhbHVl', 'Bearer <JWT>'],
    ['an AWS access key id', 'key AKIAIOSFODNN7EXAMPLE used', 'key <AWS_ACCESS_KEY> used'],
    [
      'a PEM private key',
      'k=-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY----- ok',
      'k=<PRIVATE_KEY> ok',
    ],
    ['a private key cut short', 'x -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg', 'x <PRIVATE_KEY>'],
    [
      'an OpenSSH private key',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbg==\n-----END OPENSSH PRIVATE KEY-----',
      '<PRIVATE_KEY>',
    ],
    ['a Slack bot token', 'xoxb-1234567890-0987654321-AbCdEfGhIj', '<SLACK_TOKEN>'],
    ['a GitHub token', 'token ghp_abcdefghijklmnopqrstuvwxyz0123456789 here', 'token <GITHUB_TOKEN> here'],
    ['a Stripe secret key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', '<STRIPE_KEY>'],
    ['a Standard Webhooks secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '<STRIPE_KEY>'],
    ['a Countersign agent key', 'csk_0123456789abcdef_AbCdEfGhIjKlMnOpQrStUv', '<SECRET>'],
    [
      'a Slack webhook URL',
      'post to https://hooks.slack.com/services/T0A1B2C3D/B0E4F5G6H/AbCdEfGhIjKlMnOpQrStUvWx',
      'post to <SLACK_TOKEN>',
    ],
    ['a phone number', 'call +1 415 555 0134 today', 'call <PHONE> today'],
    ['an IP address', 'from 203.0.113.9 at noon', 'from <IP_ADDRESS> at noon'],
    ['a password after its name', 'login with password=hunter2!', 'login with password=<SECRET>'],
    ['an API key in JSON text', '{"api_key": "abc123def"}', '{"api_key": "<SECRET>"}'],
    ['an Authorization header', 'Authorization: Bearer abcdefghijklmnop', 'Authorization: Bearer <SECRET>'],
    ['a bearer token', 'sent bearer abcdefghijklmnopqrstuvwx', 'sent bearer <SECRET>'],
    ['a password in a URL', 'postgres://app:s3cr3t@db.internal/prod', 'postgres://app:<SECRET>@db.internal/prod'],
  ];
  it.each(masked)('masks %s', (_what, text, expected) => {
    expect(maskText(text)).toBe(expected);
  });

  const kept: Array<[string, string]> = [
    ['a card number failing Luhn', '4111 1111 1111 1112'],
    ['digits glued to letters', 'ref ab4111111111111111'],
    ['a 20-digit number', '41111111111111111111'],
    ['an SSN with area 000', '000-12-3456'],
    ['an SSN with area 666', '666-12-3456'],
    ['an SSN with an area in the 900s', '900-12-3456'],
    ['an SSN with area 987', '987-65-4321'],
    ['an SSN with group 00', '123-00-4567'],
    ['an SSN with serial 0000', '123-45-0000'],
    ['nine digits without a label', 'order 123456789'],
    ['an IBAN with a wrong check', 'GB82 WEST 1234 5698 7654 33'],
    ['an IBAN one character short', 'DE89 3704 0044 0532 0130 0'],
    ['an IBAN followed by more digits', 'DE893704004405320130001'],
    ['an IBAN of an unknown country', 'XX89370400440532013000'],
    ['an address without a domain', 'user@localhost'],
    ['a one-letter top-level domain', 'a@b.c'],
    ['an at sign alone', 'meet @ noon, @handle'],
    ['a JWT-looking prefix', 'eyJ only'],
    ['an access key id one short', 'AKIAIOSFODNN7EXAMPL'],
    ['a public key', '-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----'],
    ['words about passwords', 'reset the password for the user'],
    ['a plain URL', 'https://example.com/a:b@c'],
    ['ordinary text', 'Export 5000 rows of dataset customers to s3://bucket/exports (ticket CS-1042).'],
  ];
  it.each(kept)('keeps %s', (_what, text) => {
    expect(maskText(text)).toBe(text);
  });

  it('masks card numbers sent as JSON numbers, and leaves other numbers alone', () => {
    expect(paramsAfter({ pan: 4111111111111111, rows: 5000, big: 4111111111111112, ratio: 0.5 })).toEqual({
      pan: '<CREDIT_CARD>',
      rows: 5000,
      big: 4111111111111112,
      ratio: 0.5,
    });
  });

  it('masks keys too, numbering keys that would collide', () => {
    expect(paramsAfter({ 'jane@example.com': 1, 'bob@example.com': 2, '<EMAIL>': 3, plain: 4 })).toEqual({
      '<EMAIL> (2)': 1,
      '<EMAIL> (3)': 2,
      '<EMAIL>': 3,
      plain: 4,
    });
  });

  it('keeps a __proto__ key as a plain key', () => {
    // As the store hands it over: JSON.parse makes `__proto__` an own key.
    const params = JSON.parse('{"__proto__": {"email": "jane@example.com"}}') as Record<string, JsonValue>;
    const redacted = maskAction({ ...action(), params }, { sensitiveFields: [] }).params;
    expect(Object.getPrototypeOf(redacted)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(redacted, '__proto__')?.value).toEqual({ email: '<EMAIL>' });
  });
});

describe('what is scanned', () => {
  it('masks the resource id and labels, justification, review comments and outcome detail', () => {
    const redacted = maskAction(
      action({
        status: 'succeeded',
        resource: { type: 'mailbox', id: 'jane@example.com', labels: ['owner:bob@example.com'] },
        justification: 'Jane (jane@example.com) asked; card 4111 1111 1111 1111',
        reviews: [
          {
            reviewer: 'alice@example.com',
            verdict: 'approve',
            comment: 'ok, confirmed with bob@example.com',
            countedFor: ['pii-export'],
            via: 'api',
            at: '2026-11-22T09:05:00.000Z',
          },
          { reviewer: 'erin@example.com', verdict: 'approve', countedFor: [], at: '2026-11-22T09:06:00.000Z' },
        ],
        outcome: { status: 'succeeded', detail: 'sent to ops@example.com with password=abc123' },
      }),
      { sensitiveFields: [] },
    );
    expect(redacted.resource).toEqual({ type: 'mailbox', id: '<EMAIL>', labels: ['owner:<EMAIL>'] });
    expect(redacted.justification).toBe('Jane (<EMAIL>) asked; card <CREDIT_CARD>');
    expect(redacted.reviews.map((review) => review.comment)).toEqual(['ok, confirmed with <EMAIL>', undefined]);
    // Who reviewed stays visible: reviewers judge with it.
    expect(redacted.reviews.map((review) => review.reviewer)).toEqual(['alice@example.com', 'erin@example.com']);
    expect(redacted.outcome).toEqual({ status: 'succeeded', detail: 'sent to <EMAIL> with password=<SECRET>' });
    expect(actionSchema.omit({ digest: true }).parse(redacted)).toEqual(redacted);
  });

  it('leaves the input unchanged', () => {
    const input = action({
      params: { contact: 'jane@example.com', customer: { ssn: '219-09-9999' }, list: ['4111 1111 1111 1111'] },
      context: { token: 'abc' },
      justification: 'for jane@example.com',
    });
    const before = structuredClone(input);
    const frozen = deepFreeze(input);
    const redacted = maskAction(frozen, { sensitiveFields: ['ssn'] });
    expect(frozen).toEqual(before);
    expect(redacted.params).toEqual({
      contact: '<EMAIL>',
      customer: { ssn: '<REDACTED>' },
      list: ['<CREDIT_CARD>'],
    });
  });
});

describe('adversarial input', () => {
  const size = 100_000;
  const adversarial: Record<string, string> = {
    'a run of digits': '4'.repeat(size),
    'digit groups': '4111 '.repeat(size / 5),
    'digits and dashes': '1-'.repeat(size / 2),
    'SSN-like prefixes': '123-45-'.repeat(size / 7),
    'at signs': '@'.repeat(size),
    'letters and at signs': 'a@'.repeat(size / 2),
    dots: '.'.repeat(size),
    'a long local part and domain': `${'a.'.repeat(size / 4)}@${'b.'.repeat(size / 4)}`,
    'eyJ repeats': 'eyJ'.repeat(size / 3),
    'eyJ and dashes': 'eyJ-'.repeat(size / 4),
    'JWT-like segments': 'eyJaaaaa.'.repeat(size / 9),
    'private key headers without an end': '-----BEGIN RSA PRIVATE KEY-----'.repeat(size / 31),
    'a header and spaces': `-----BEGIN ${' '.repeat(size)}`,
    'URL user info': '://aaaa:'.repeat(size / 8),
    'credential words': 'password='.repeat(size / 9),
    'bearer words': 'bearer '.repeat(size / 7),
    'IBAN-like prefixes': 'DE89 '.repeat(size / 5),
    'token prefixes': 'xoxb-'.repeat(size / 5),
    'access key prefixes': 'AKIA'.repeat(size / 4),
    'SSN labels': 'ssn '.repeat(size / 4),
  };

  it.each(Object.entries(adversarial))(
    'masking finishes on %s',
    (_what, text) => {
      expect(maskText(text).length).toBeGreaterThan(0);
    },
    10_000,
  );

  it('masks a 1 MB string of mixed near-misses', { timeout: 60_000 }, () => {
    const unit = 'a@b.c 4111-1111 eyJ DE89 123-45-6789 AKIA ';
    const text = unit.repeat(Math.ceil(1_000_000 / unit.length));
    const out = maskText(text);
    expect(out).toBe(text.replaceAll('123-45-6789', '<US_SSN>'));
  });
});

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}
