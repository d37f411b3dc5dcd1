import { Buffer } from 'node:buffer';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Span } from '../types.js';
import { credentialDetectors, findSecretKeywords, findTokenPrefixes } from './credentials.js';
import { place } from './scan-core.js';
import { TextIndex } from './text-index.js';

const detectors = credentialDetectors();

interface Finding {
  type: string;
  text: string;
  score: number;
}

/** Everything every credential detector finds in `text`, overlaps kept, in order. */
function scan(text: string): Finding[] {
  const spans: Span[] = [];
  for (const detector of detectors) detector.detect(text, spans);
  return spans
    .sort((a, b) => a.start - b.start || a.type.localeCompare(b.type))
    .map((span) => ({ type: span.type, text: text.slice(span.start, span.end), score: span.score }));
}

/** What one detector finds: the matched texts. */
function found(type: string, text: string): string[] {
  return scan(text)
    .filter((finding) => finding.type === type)
    .map((finding) => finding.text);
}

// Test credentials are assembled at run time so that the source holds nothing a secret scanner would take for a
// live key.
const join = (...parts: string[]) => parts.join('');

const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A classic GitHub token whose last six characters are the base62 CRC32 of the 30 before them. */
function githubToken(kind: string, random30: string): string {
  let checksum = crc32(random30);
  let encoded = '';
  for (let i = 0; i < 6; i++) {
    encoded = base62.charAt(checksum % 62) + encoded;
    checksum = Math.floor(checksum / 62);
  }
  return join('gh', kind, '_', random30, encoded);
}

const random30 = 'Xq7Lk2Pz9Wm4Rt1Vb8Nc3Hd6Jf5Gs0';

describe('AWS_ACCESS_KEY', () => {
  it.each(['AKIA', 'ASIA', 'AROA', 'AIDA', 'ANPA', 'APKA'])('finds a %s key id', (prefix) => {
    const key = join(prefix, 'IOSFODNN7EXAMPLE');
    expect(scan(`aws_access_key_id = ${key}\n`)).toEqual([{ type: 'AWS_ACCESS_KEY', text: key, score: 0.9 }]);
  });

  it('needs exactly 16 base32 characters after the prefix, bounded on both sides', () => {
    expect(found('AWS_ACCESS_KEY', join('AKIA', 'IOSFODNN7EXAMPL'))).toEqual([]); // 15
    expect(found('AWS_ACCESS_KEY', join('AKIA', 'IOSFODNN7EXAMPLES'))).toEqual([]); // 17
    expect(found('AWS_ACCESS_KEY', join('AKIA', 'IOSFODNN1EXAMPLE'))).toEqual([]); // 1 is not base32
    expect(found('AWS_ACCESS_KEY', join('AKIA', 'iosfodnn7example'))).toEqual([]);
    expect(found('AWS_ACCESS_KEY', join('XAKIA', 'IOSFODNN7EXAMPLE'))).toEqual([]);
    expect(found('AWS_ACCESS_KEY', join('AXXA', 'IOSFODNN7EXAMPLE'))).toEqual([]);
  });

  it('finds a secret access key only behind its name', () => {
    const secret = join('wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCYEXAMPLEKEY');
    expect(scan(`aws_secret_access_key = ${secret}`)).toEqual([{ type: 'SECRET', text: secret, score: 0.95 }]);
    expect(scan(`"AWS Secret Access Key": "${secret}"`)).toEqual([{ type: 'SECRET', text: secret, score: 0.95 }]);
    expect(scan(`blob ${secret} end`)).toEqual([]);
  });
});

describe('GITHUB_TOKEN', () => {
  it.each(['p', 'o', 'u', 's', 'r'])('finds a gh%s_ token with a valid checksum at 0.99', (kind) => {
    const token = githubToken(kind, random30);
    expect(scan(`found ${token}.`)).toEqual([{ type: 'GITHUB_TOKEN', text: token, score: 0.99 }]);
  });

  it('validates the checksum against a published real-world token', () => {
    // From base62-token.js's fixtures of real (revoked) GitHub tokens.
    const token = join('ghp_', 'zQWBuTSOoRi4A9spHcVY5ncnsDkxkJ0mLq17');
    expect(scan(token)).toEqual([{ type: 'GITHUB_TOKEN', text: token, score: 0.99 }]);
  });

  it('still reports a token-shaped string whose checksum fails, at 0.8', () => {
    const valid = githubToken('p', random30);
    const broken = valid.slice(0, -1) + (valid.endsWith('A') ? 'B' : 'A');
    expect(scan(broken)).toEqual([{ type: 'GITHUB_TOKEN', text: broken, score: 0.8 }]);
  });

  it('needs 36 alphanumerics after the prefix, bounded on both sides', () => {
    const token = githubToken('p', random30);
    expect(found('GITHUB_TOKEN', token.slice(0, -1))).toEqual([]);
    expect(found('GITHUB_TOKEN', `${token}x`)).toEqual([]);
    expect(found('GITHUB_TOKEN', `x${token}`)).toEqual([]);
    expect(found('GITHUB_TOKEN', token.replace('gh', 'gx'))).toEqual([]);
    expect(found('GITHUB_TOKEN', join('ghx_', random30, 'abcdef'))).toEqual([]);
    expect(found('GITHUB_TOKEN', `${token.slice(0, 20)}-${token.slice(21)}`)).toEqual([]);
  });

  it('finds a fine-grained token (github_pat_ + 22 + _ + 59)', () => {
    const token = join('github', '_pat_', '11ABCDEFG0123456789abc', '_', 'x'.repeat(20), 'Y1'.repeat(19), 'z');
    expect(scan(`pat ${token} ok`)).toEqual([{ type: 'GITHUB_TOKEN', text: token, score: 0.95 }]);
    expect(found('GITHUB_TOKEN', token.slice(0, -1))).toEqual([]);
    expect(found('GITHUB_TOKEN', token.replace('abc_', 'abc-'))).toEqual([]);
  });
});

describe('SLACK_TOKEN', () => {
  it.each([
    join('xox', 'b-', '123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'),
    join('xox', 'p-', '123456789012-123456789012-123456789012-0123456789abcdef0123456789abcdef'),
    join('xox', 'a-', '2-123456789012-ABCdef123456'),
    join('xox', 'e.xoxp-', '1-Mi0yLTEyMzQ1Njc4OTAxMi0xMjM0NTY3ODkw'),
    join('xap', 'p-', '1-A0123456789-1234567890123-abcdef0123456789'),
  ])('finds %s', (token) => {
    expect(scan(`SLACK_TOKEN=${token}\n`)).toContainEqual({ type: 'SLACK_TOKEN', text: token, score: 0.95 });
  });

  it('finds an incoming-webhook URL', () => {
    const url = join('https://hooks.slack.com/services/', 'T0123ABCD/B0456EFGH/', 'aBcDeFgHiJkLmNoPqRsTuVwX');
    expect(scan(`post to ${url} now`)).toEqual([{ type: 'SLACK_TOKEN', text: url, score: 0.99 }]);
    expect(found('SLACK_TOKEN', url.replace('/T0123', '/X0123'))).toEqual([]);
    expect(found('SLACK_TOKEN', url.slice(0, -10))).toEqual([]);
  });

  it('rejects wrong shapes', () => {
    expect(found('SLACK_TOKEN', join('xox', 'b-', 'abc'))).toEqual([]); // too short
    expect(found('SLACK_TOKEN', join('xox', 'z-', '123456789012-1234567890123-AbCdEf'))).toEqual([]); // unknown kind
    expect(found('SLACK_TOKEN', join('xox', 'b-', 'AbCdEfGhIjKlMnOpQrStUvWx12345'))).toEqual([]); // no digit groups
    expect(found('SLACK_TOKEN', join('xox', 'b-', '123456789012-1234567890123-'))).toEqual([]); // no secret
  });
});

describe('STRIPE_KEY', () => {
  it.each(['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'])('finds %s keys', (prefix) => {
    const key = join(prefix.slice(0, 3), prefix.slice(3), '4eC39HqLyjWDarjtT1zdp7dc');
    expect(scan(`stripe ${key}`)).toEqual([{ type: 'STRIPE_KEY', text: key, score: 0.95 }]);
  });

  it('finds webhook signing secrets', () => {
    const secret = join('wh', 'sec_', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    expect(scan(secret)).toEqual([{ type: 'STRIPE_KEY', text: secret, score: 0.95 }]);
  });

  it('does not flag publishable keys, short bodies or unknown modes', () => {
    expect(scan(join('pk_', 'live_', '4eC39HqLyjWDarjtT1zdp7dc'))).toEqual([]);
    expect(scan(join('pk_', 'test_', '4eC39HqLyjWDarjtT1zdp7dc'))).toEqual([]);
    expect(found('STRIPE_KEY', join('sk_', 'live_', '4eC39HqLyjWDarjtT1zd'))).toEqual([]); // 20 < 24
    expect(found('STRIPE_KEY', join('sk_', 'prod_', '4eC39HqLyjWDarjtT1zdp7dc'))).toEqual([]);
    expect(found('STRIPE_KEY', join('ask_', 'live_', '4eC39HqLyjWDarjtT1zdp7dc'))).toEqual([]);
  });

  it('reads a body (in the core) to its first unit outside it, at every length and alignment, whatever its low byte', () => {
    // U+0130 and U+0161 hold "0" and "a" in their low byte; + and = end a key's body but not a webhook secret's.
    const stops = ['', ' ', '\u0130', '\u0161', '\ud800', '+', '=', '.'];
    const body = 'Zx8Kq2Lm9Pn4Rt7Vw1Yb3Dc6'.repeat(11);
    for (let length = 24; length <= 41; length++) {
      for (let before = 0; before < 8; before++) {
        for (const stop of stops) {
          const key = join('rk', '_test_', body.slice(0, length));
          const secret = join('wh', 'sec_', body.slice(0, length));
          const signs = stop === '+' || stop === '=';
          expect(found('STRIPE_KEY', `${' '.repeat(before)}${key}${stop}`)).toEqual([key]);
          expect(found('STRIPE_KEY', `${' '.repeat(before)}${secret}${stop} .`)).toEqual([
            secret + (signs ? stop : ''),
          ]);
        }
      }
    }
    // At most 247 characters of a key's body, and 128 of a secret's: a longer one is read no further and not taken.
    expect(found('STRIPE_KEY', join('sk', '_live_', body.slice(0, 247)))).toHaveLength(1);
    expect(found('STRIPE_KEY', join('sk', '_live_', body.slice(0, 248)))).toEqual([]);
    expect(found('STRIPE_KEY', join('wh', 'sec_', body.slice(0, 128)))).toHaveLength(1);
    expect(found('STRIPE_KEY', join('wh', 'sec_', body.slice(0, 129)))).toEqual([]);
  });
});

describe('JWT', () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = b64({ alg: 'HS256', typ: 'JWT' });
  const payload = b64({ sub: '1234567890', name: 'Jane', iat: 1516239022 });
  const jwt = `${header}.${payload}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`;

  it('finds a JWT whose header decodes to JSON with "alg", at 0.95', () => {
    expect(scan(`Authorization: Bearer ${jwt}`)).toContainEqual({ type: 'JWT', text: jwt, score: 0.95 });
    expect(found('JWT', `token=${jwt}.`)).toEqual([jwt]);
    expect(found('JWT', `{"id_token":"${jwt}"}`)).toEqual([jwt]);
  });

  it('rejects a header that is not JSON with an alg', () => {
    const noAlg = `${b64({ typ: 'JWT', kid: 'k1' })}.${payload}.sig`;
    const notJson = `eyJub3QganNvbiBhdCBhbGw.${payload}.sig`;
    expect(found('JWT', noAlg)).toEqual([]);
    expect(found('JWT', notJson)).toEqual([]);
  });

  it('needs three segments with the payload a JSON object too', () => {
    expect(found('JWT', `${header}.${payload}`)).toEqual([]);
    expect(found('JWT', `${header}.dGVzdA.sig`)).toEqual([]);
    expect(found('JWT', `${jwt}.more`)).toEqual([]); // five-part JWE-like
    expect(found('JWT', `x${jwt}`)).toEqual([]);
  });

  it('bounds each segment to 8 KB', () => {
    const huge = `${header}.${b64({ data: 'x'.repeat(9000) })}.sig`;
    expect(found('JWT', huge)).toEqual([]);
  });
});

describe('PRIVATE_KEY', () => {
  const begin = (label: string) => join('-----BEGIN ', label, ' KEY-----');
  const end = (label: string) => join('-----END ', label, ' KEY-----');
  const body = [
    'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
    'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
    'LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo',
  ];

  it.each(['RSA PRIVATE', 'EC PRIVATE', 'OPENSSH PRIVATE', 'ENCRYPTED PRIVATE', 'PRIVATE', 'DSA PRIVATE'])(
    'covers a whole %s KEY block from BEGIN to END',
    (label) => {
      const block = [begin(label), ...body, 'bwKfBstI==', end(label)].join('\n');
      expect(scan(`key:\n${block}\nnext line`)).toEqual([{ type: 'PRIVATE_KEY', text: block, score: 0.99 }]);
    },
  );

  it('covers a block inside a JSON string, newlines escaped', () => {
    const block = [begin('PRIVATE'), ...body, end('PRIVATE')].join('\\n');
    expect(found('PRIVATE_KEY', `{"private_key":"${block}\\n","client_email":"x@y.z"}`)).toEqual([block]);
    const doubled = [begin('RSA PRIVATE'), ...body, end('RSA PRIVATE')].join('\\\\n');
    expect(found('PRIVATE_KEY', `"{\\"key\\":\\"${doubled}\\"}"`)).toEqual([doubled]);
  });

  it('covers a key pasted on one line and a legacy encrypted key with headers', () => {
    const oneLine = [begin('RSA PRIVATE'), ...body, end('RSA PRIVATE')].join(' ');
    expect(found('PRIVATE_KEY', `KEY="${oneLine}"`)).toEqual([oneLine]);
    const legacy = [
      begin('RSA PRIVATE'),
      'Proc-Type: 4,ENCRYPTED',
      'DEK-Info: AES-128-CBC,3F17F5316E2BAC89',
      '',
      ...body,
      end('RSA PRIVATE'),
    ].join('\n');
    expect(found('PRIVATE_KEY', legacy)).toEqual([legacy]);
  });

  it('covers an unterminated block to the end of its base64 body, not the prose after it', () => {
    const truncated = [begin('OPENSSH PRIVATE'), ...body, 'QyNTUx'].join('\n');
    expect(scan(`${truncated}\n(truncated) The rest of the log.`)).toEqual([
      { type: 'PRIVATE_KEY', text: truncated, score: 0.9 },
    ]);
    expect(found('PRIVATE_KEY', `${begin('EC PRIVATE')} then some words follow`)).toEqual([begin('EC PRIVATE')]);
  });

  it('ignores public keys and certificates', () => {
    expect(found('PRIVATE_KEY', [begin('PUBLIC'), ...body, end('PUBLIC')].join('\n'))).toEqual([]);
    expect(found('PRIVATE_KEY', [join('-----BEGIN ', 'CERTIFICATE-----'), ...body].join('\n'))).toEqual([]);
  });
});

describe('SECRET from vendor key prefixes', () => {
  const vendor = (text: string) =>
    scan(text)
      .filter((finding) => finding.type === 'SECRET' && finding.score === 0.9)
      .map((finding) => finding.text);
  // Assembled at run time so the source holds nothing a secret scanner blocks on push.
  const google = ['AI', 'za', 'SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY'].join('');
  const openai = ['sk', '-proj-', 'T3BlbkFJ4f9Kq2Lm8Xz0Vb7Nc1'].join('');
  const gitlab = ['gl', 'pat-', 'xR4m9Qz2Lp8Ns5Tv1Wk7'].join('');
  const countersign = ['cs', 'k_', '0123456789abcdef_', 'Zk3Jm8Qp1Rt6Vw9Xy2'].join('');

  it('finds Google, OpenAI/Anthropic, GitLab and Countersign keys', () => {
    for (const key of [google, openai, gitlab, countersign]) expect(vendor(`key ${key} here`)).toEqual([key]);
  });

  it('needs the prefix in its own case', () => {
    expect(vendor(`key ${openai.toUpperCase()} here`)).toEqual([]);
    expect(vendor(`key ${google.replace('AIza', 'aiza')} here`)).toEqual([]);
    expect(vendor(`key ${countersign.replace('csk_', 'CSK_')} here`)).toEqual([]);
  });

  it('needs the exact shape: Google 35 characters, sk- with digits and letters, Countersign hex ids', () => {
    expect(vendor(`${google}x`)).toEqual([]);
    expect(vendor(google.slice(0, -1))).toEqual([]);
    expect(vendor('sk-learn-compatible-estimators')).toEqual([]);
    expect(vendor('task-0123456789abcdefghij')).toEqual([]);
    expect(vendor(['cs', 'k_', '0123456789abcdeg_', 'Zk3Jm8Qp1Rt6Vw9Xy2'].join(''))).toEqual([]);
    expect(vendor(['gl', 'pat-', 'short'].join(''))).toEqual([]);
  });
});

describe('SECRET', () => {
  const random = 'Zx8Kq2Lm9Pn4Rt7Vw1Yb3Dc6';

  it.each([
    [`api_key=${random}`],
    [`"apiKey": "${random}"`],
    [`X-Api-Key: ${random}`],
    [`client_secret: '${random}'`],
    [`export AUTH_TOKEN=${random}`],
    [`private_key = "${random}"`],
    [`credentials: ${random}`],
    [`access_key := "${random}"`],
    [`{\\"secret\\": \\"${random}\\"}`],
    [`https://api.example.com/v1?token=${random}&page=2`],
  ])('finds the random value in %s', (text) => {
    expect(scan(text)).toEqual([{ type: 'SECRET', text: random, score: 0.8 }]);
  });

  it('finds keywords in any case', () => {
    expect(found('SECRET', `API_KEY=${random}`)).toEqual([random]);
    expect(found('SECRET', `"Client-Secret": "${random}"`)).toEqual([random]);
    expect(found('SECRET', `PassWord: ${random}`)).toEqual([random]);
  });

  it('finds a keyword that starts inside a vendor prefix', () => {
    expect(found('SECRET', `AIzapikey: ${random}`)).toEqual([random]);
  });

  it('reports a value found both behind a keyword and by its vendor prefix once', () => {
    const google = ['AI', 'za', 'SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY'].join('');
    expect(scan(`api_key=${google}`)).toEqual([{ type: 'SECRET', text: google, score: 0.8 }]);
  });

  it('finds Bearer tokens and Basic credentials', () => {
    expect(scan(`Authorization: Bearer ${random}`)).toEqual([{ type: 'SECRET', text: random, score: 0.85 }]);
    expect(scan(`curl -H "authorization: bearer ${random}"`)).toEqual([{ type: 'SECRET', text: random, score: 0.85 }]);
    expect(found('SECRET', 'Authorization: Basic dXNlcm5hbWU6cGFzc3dvcmQ=')).toEqual(['dXNlcm5hbWU6cGFzc3dvcmQ=']);
    expect(found('SECRET', 'AUTHORIZATION: BASIC dXNlcm5hbWU6cGFzc3dvcmQ=')).toEqual(['dXNlcm5hbWU6cGFzc3dvcmQ=']);
    expect(found('SECRET', `token: TOKEN ${random}`)).toEqual([random]);
    expect(found('SECRET', 'He was the bearer of good news: everyone got a raise.')).toEqual([]);
  });

  it('scores hex values (and UUIDs) behind a keyword lower than mixed-case ones', () => {
    expect(scan('client_secret: "8f14e45fceea167a5a36dedd4bea2543"')).toEqual([
      { type: 'SECRET', text: '8f14e45fceea167a5a36dedd4bea2543', score: 0.7 },
    ]);
  });

  it('takes any 8+ characters after a password name, at 0.6 unless random', () => {
    expect(scan('password=hunter2222')).toEqual([{ type: 'SECRET', text: 'hunter2222', score: 0.6 }]);
    expect(scan('DB_PASS=changeme')).toEqual([{ type: 'SECRET', text: 'changeme', score: 0.6 }]);
    expect(scan('"password": "correct horse battery"')).toEqual([
      { type: 'SECRET', text: 'correct horse battery', score: 0.6 },
    ]);
    expect(scan(`pwd: ${random}`)).toEqual([{ type: 'SECRET', text: random, score: 0.8 }]);
    expect(found('SECRET', 'passwd = "P@ss w0rd!"')).toEqual(['P@ss w0rd!']);
  });

  it('takes a non-random value assigned to a credential name when it has a digit or symbol, at 0.55', () => {
    expect(scan('{"api_key": "abc123def"}')).toEqual([{ type: 'SECRET', text: 'abc123def', score: 0.55 }]);
    expect(found('SECRET', 'client_secret=s3cr3t-v4lue')).toEqual(['s3cr3t-v4lue']);
    expect(found('SECRET', 'client_secret=sandbox-2024')).toEqual([]); // words: a setting's name
    expect(found('SECRET', '"token": "expired"')).toEqual([]);
  });

  it('takes an unquoted value with symbols after a credential name, up to whitespace or a delimiter', () => {
    const value = 'Tq9#vL2!pRw8^zK4';
    expect(scan(`x-api-key: ${value}\nnext`)).toEqual([{ type: 'SECRET', text: value, score: 0.55 }]);
    expect(found('SECRET', `AWS_SECRET_ACCESS_KEY=${value}`)).toEqual([value]);
    expect(found('SECRET', `aws:\n  secret_access_key: ${value}\n  region: eu-west-1`)).toEqual([value]);
    expect(found('SECRET', `the auth_token: ${value}, then more`)).toEqual([value]);
  });

  it('does not take an email address, URL user info or non-ASCII words for such a value', () => {
    expect(found('SECRET', 'auth: jane.doe42@example.com')).toEqual([]);
    expect(found('SECRET', 'token: café-crème!2024')).toEqual([]);
    // A vendor key with more glued to it: the key as its format bounds it.
    const openai = ['sk', '-proj-', 'T3BlbkFJ4f9Kq2Lm8Xz0Vb7Nc1'].join('');
    expect(scan(`client_secret:${openai}:x!`)).toEqual([{ type: 'SECRET', text: openai, score: 0.9 }]);
    // Only the URL's password, not the rest of the URL after it.
    expect(found('SECRET', 'git remote https://x-access-token:Tq9!vL2^pRw8@localhost/repo.git')).toEqual([
      'Tq9!vL2^pRw8',
    ]);
  });

  it('takes a value starting with % unless it is a format or environment placeholder', () => {
    expect(found('SECRET', 'api_key: %cQ8!zLw2Xv9#Kd4')).toEqual(['%cQ8!zLw2Xv9#Kd4']);
    expect(found('SECRET', 'password=%7Bq9!Lw2x')).toEqual(['%7Bq9!Lw2x']);
    expect(found('SECRET', 'password="%(db_password)s"')).toEqual([]);
    expect(found('SECRET', 'password=%-12.4f')).toEqual([]);
    expect(found('SECRET', 'password=%DB_PASSWORD%')).toEqual([]);
  });

  it('takes 16+ token characters after Bearer even when they look tame', () => {
    expect(found('SECRET', 'Authorization: Bearer abcdefghijklmnop')).toEqual(['abcdefghijklmnop']);
    expect(found('SECRET', 'the bearer of this letter')).toEqual([]);
  });

  it('leaves a vendor token in URL user info to the vendor detector (regression)', () => {
    const token = join('ghp_', 'zQWBuTSOoRi4A9spHcVY5ncnsDkxkJ0mLq17');
    const spans = scan(`git clone https://x-access-token:${token}@github.com/acme/api.git`);
    expect(spans.every((span) => span.text === token)).toBe(true);
    expect(spans.map((span) => span.type)).toContain('GITHUB_TOKEN');
  });

  it('finds a random-looking value after a credential name in prose, and not prose after the same names', () => {
    expect(found('SECRET', 'Use client_secret 4kp!7Hjj95gAQP_L#pk#hvg1rne for the sandbox app')).toEqual([
      '4kp!7Hjj95gAQP_L#pk#hvg1rne',
    ]);
    expect(found('SECRET', 'The DB password is 7wGSkTwPLlvaCcn5KzNdP8mUfviu until Friday.')).toEqual([
      '7wGSkTwPLlvaCcn5KzNdP8mUfviu',
    ]);
    // Hex digits carry at most 4 bits each: 3 per character is enough for them.
    expect(found('SECRET', 'Rotate the client_secret 7f3e9c1a5b7d3f1e9c5a7b3d1f9e5c3a before Monday.')).toEqual([
      '7f3e9c1a5b7d3f1e9c5a7b3d1f9e5c3a',
    ]);
    expect(found('SECRET', 'Rotate the client_secret aaaa1111bbbb2222cccc3333 before Monday.')).toEqual([]);
    // Base64 may start with a slash; a path does too, but has no padding.
    expect(found('SECRET', 'The DB password is /q8Lr2Zx9Vb4Nc7Mk1Jh6Gf3Dd0Ss5Aa= until Friday.')).toEqual([
      '/q8Lr2Zx9Vb4Nc7Mk1Jh6Gf3Dd0Ss5Aa=',
    ]);
    expect(found('SECRET', 'The secret is /var/lib/app/secret2024.txt for now.')).toEqual([]);
    expect(found('SECRET', 'The secret sauce is patience, and the token bucket refills every 60 seconds.')).toEqual([]);
    expect(found('SECRET', 'Rotate the password quarterly; the auth service v2.3.1 handles it.')).toEqual([]);
  });

  it('skips very short passwords, placeholders and prose after "password:"', () => {
    expect(found('SECRET', 'password=hunter2')).toEqual(['hunter2']);
    expect(found('SECRET', 'password="pa55"')).toEqual(['pa55']);
    expect(found('SECRET', 'password=abc')).toEqual([]);
    expect(found('SECRET', 'password: short1')).toEqual([]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a configuration placeholder, literally
    expect(found('SECRET', 'password: ${DB_PASSWORD}')).toEqual([]);
    expect(found('SECRET', 'password: "{{ vault_password }}"')).toEqual([]);
    expect(found('SECRET', 'password=********')).toEqual([]);
    expect(found('SECRET', 'password: <redacted>')).toEqual([]);
    expect(found('SECRET', 'Password: required for every account')).toEqual([]);
    expect(found('SECRET', 'The password reset link: see the help page.')).toEqual([]);
  });

  it('reports the password of URL credentials', () => {
    expect(scan('DATABASE_URL=postgres://admin:s3cr3t-Pw@db.internal:5432/app')).toEqual([
      { type: 'SECRET', text: 's3cr3t-Pw', score: 0.9 },
    ]);
    expect(found('SECRET', 'redis://:p4ssw0rd@cache:6379/0')).toEqual(['p4ssw0rd']);
    expect(found('SECRET', 'https://user@example.com/x https://example.com:8443/a?b=c')).toEqual([]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a configuration placeholder, literally
    expect(found('SECRET', 'amqp://guest:${RABBIT_PW}@mq/')).toEqual([]);
  });

  it.each([
    ['a UUID without a keyword', 'request 123e4567-e89b-12d3-a456-426614174000 done'],
    ['a git SHA without a keyword', 'commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39 merged'],
    ['a base64 blob without a keyword', 'data dGhpcyBpcyBhIHNlY3JldCB2YWx1ZQ== end'],
    ['an English word after token:', 'token: expired'],
    ['words joined by underscores', 'token: refresh_token_expired_2024'],
    ['CamelCase words', 'token=ExpiredSessionToken2'],
    ['a version string', 'token_version: 1.2.3-beta.4+build'],
    ['a dotted name', 'token_audience: com.example.mobile.app2'],
    ['a file path', 'secret_file: /var/run/secrets/kubernetes.io/serviceaccount/token2'],
    ['a URL without credentials', 'token_url: https://auth.example.com/oauth/token'],
    ['a timestamp', 'token_expiry: 2024-01-15T10:30:00Z'],
    ['a low-entropy value', 'api_key: aaaaaaaaaaaaaaaa1111'],
    ['a count', 'max_tokens: 4096'],
    ['an author', 'author: Jd8Kq2Lm9Pn4Rt7Vw1Yb3'],
    ['an authority', 'certificate_authority: Jd8Kq2Lm9Pn4Rt7Vw1Yb3'],
  ])('does not flag %s', (_, text) => {
    expect(scan(text)).toEqual([]);
  });
});

describe('each detector finds its own prefixes among look-alikes', () => {
  it('finds an AWS key id among other capital As, but not one glued to a letter', () => {
    const key = join('AKIA', 'IOSFODNN7EXAMPLE');
    expect(found('AWS_ACCESS_KEY', `A AA AKIB ${key} A`)).toEqual([key]);
    expect(found('AWS_ACCESS_KEY', `A${key}`)).toEqual([]);
  });

  it('finds Slack bot and app tokens and a webhook in one text, among other x', () => {
    const app = join('xap', 'p-', '1-A0123456789-1234567890123-abcdef0123456789');
    const bot = join('xox', 'b-', '123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx');
    const hook = join('https://hooks.slack.com/services/', 'T0123ABCD/B0456EFGH/', 'aBcDeFgHiJkLmNoPqRsTuVwX');
    const text = `xerox ${app} next ${bot} box; see example.com/ and ${hook}`;
    expect(found('SLACK_TOKEN', text)).toEqual([app, bot, hook]);
  });

  it('finds a Stripe webhook secret before a key, among other underscores', () => {
    const secret = join('wh', 'sec_', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const key = join('sk', '_live_', '4eC39HqLyjWDarjtT1zdp7dc');
    expect(found('STRIPE_KEY', `snake_case ${secret} task_id ${key} desk_`)).toEqual([secret, key]);
  });

  it('finds a JWT after other Js and eys', () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const jwt = `${b64({ alg: 'HS256' })}.${b64({ sub: '1' })}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`;
    expect(found('JWT', `JSON keyJ eyJ ${jwt}`)).toEqual([jwt]);
  });

  it('finds a PEM block after a BEGIN without its dashes', () => {
    const block = join(
      '-----BEGIN ',
      'EC PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0\n-----END EC PRIVATE KEY-----',
    );
    expect(found('PRIVATE_KEY', `BEGIN PRIVATE KEY----- ---BEGIN x\n${block}`)).toEqual([block]);
  });

  it('finds URL credentials after other double slashes', () => {
    expect(found('SECRET', '// a comment, file:///tmp/x, then https://admin:p4ssw0rd@db/x')).toEqual(['p4ssw0rd']);
  });

  describe('SECRET keywords, found by the core', () => {
    const random = 'Zx8Kq2Lm9Pn4Rt7Vw1Yb3Dc6';

    it('finds each keyword in any mix of case', () => {
      const names = ['pAsSwOrD', 'PASSWD', 'passPhrase', 'Pass', 'pWd', 'SECRET', 'tOkEn', 'Api-Key', 'ACCESSKEY'];
      for (const name of [...names, 'cReDeNtIaL', 'aUtH', 'PRIVATE_key']) {
        expect(found('SECRET', `${name}=${random}`)).toEqual([random]);
      }
      expect(found('SECRET', `bEaReR ${random}`)).toEqual([random]);
    });

    it('takes no look-alike outside ASCII for a keyword letter', () => {
      // Ű and ĩ hold the bytes of "p" and "i" in their low half; the Kelvin sign lower-cases to "k".
      for (const name of ['\u0170assword', 'credent\u0169al', 'to\u212aen', '\u017fecret']) {
        expect(found('SECRET', `${name}=${random}`)).toEqual([]);
      }
    });

    it("finds keywords at every offset from a sixteen-unit block, and at the text's start and end", () => {
      for (let before = 0; before <= 40; before++) {
        expect(found('SECRET', `${'a'.repeat(before)} credential=${random}`)).toEqual([random]);
        expect(found('SECRET', `${'\u00e9'.repeat(before)} api_key=${random}`)).toEqual([random]);
        expect(found('SECRET', `${'\u0130'.repeat(before)}Bearer ${random}`)).toEqual([random]);
      }
    });
  });
});

describe('findSecretKeywords', () => {
  /** The keywords the core finds, as [text, number] pairs. */
  function keywords(text: string): Array<[string, number]> {
    const found = findSecretKeywords(place({}, text));
    const out: Array<[string, number]> = [];
    for (let k = 0; k < found.length; k += 2) {
      const start = found[k] as number;
      const packed = found[k + 1] as number;
      out.push([text.slice(start, start + (packed >> 4)), packed & 15]);
    }
    return out;
  }

  // The core's keywords by number, as the case-insensitive regexes they stand for.
  const patterns = [
    /pass(?:w(?:or)?d|phrase)?/iy,
    /pwd/iy,
    /secret/iy,
    /token/iy,
    /api[-_ ]?key/iy,
    /access[-_ ]?key/iy,
    /auth/iy,
    /credential/iy,
    /bearer/iy,
    /private[-_ ]?key/iy,
    /aiza/iy,
    /sk-/iy,
    /glpat-/iy,
    /cs[k]_/iy,
    /cs[r]_/iy,
    /:\/\//y,
  ];

  /** What the regexes find: at every position, the one keyword that starts there, if any. */
  function expected(text: string): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    for (let at = 0; at < text.length; at++) {
      patterns.forEach((pattern, number) => {
        pattern.lastIndex = at;
        const match = pattern.exec(text);
        if (match !== null) out.push([match[0], number]);
      });
    }
    return out;
  }

  it('finds every keyword, its longest ending, in any case, overlapping ones too', () => {
    const text =
      'PassWord pass passwd PASSPHRASE pwd Secret tOKEN api-key Api_Key api key apikey ACCESSkey authorization';
    expect(keywords(text)).toEqual(expected(text));
    expect(keywords('aizapikey passk- csk_ csr_ glpat- https://x')).toEqual([
      ['aiza', 10],
      ['apikey', 4],
      ['pass', 0],
      ['sk-', 11],
      ['csk_', 13],
      ['csr_', 14],
      ['glpat-', 12],
      ['://', 15],
    ]);
  });

  it('reads nothing past the text: a keyword cut off at its end is not there', () => {
    expect(keywords('x api_ke')).toEqual([]);
    expect(keywords('x passwor')).toEqual([['pass', 0]]);
    expect(keywords('credentia')).toEqual([]);
    expect(keywords(':/')).toEqual([]);
    expect(keywords('')).toEqual([]);
    // The same keywords just inside the end of a text long enough for whole blocks.
    const long = `${'-'.repeat(45)}token`;
    for (let cut = 0; cut <= 5; cut++) {
      expect(keywords(long.slice(0, long.length - cut))).toEqual(cut === 0 ? [['token', 3]] : []);
    }
  });

  it('takes no unit above U+007F for an ASCII letter, whatever its low byte', () => {
    // U+0170, U+0130, U+0161 and U+212A hold p, 0, a and * in their low byte; surrogates read as none.
    for (const lookalike of ['\u0170ass', 'p\u0161ss', 'to\u212aen', 'api\u0130key', '\ud870wd', 'sk\u012d']) {
      for (let before = 0; before < 20; before++) {
        expect(keywords(`${'.'.repeat(before)}${lookalike}${'.'.repeat(20)}`)).toEqual([]);
      }
    }
    expect(keywords('\ud800password\udc00 \u00e9token\ud800')).toEqual([
      ['password', 0],
      ['token', 3],
    ]);
  });

  it('finds what the regexes find in random texts, at every alignment', () => {
    // Letters of the keywords, separators, and units whose low byte is one of them, so near misses are common.
    const alphabet = 'pasworhdecktnibvlzgu-_ :/PASWKTZ\u0170\u0161\u0130\u212a\ud800\u00e9\n';
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
      return seed;
    };
    const words = ['password', 'passphrase', 'api_key', 'access key', 'private-key', 'credential', 'bearer', 'glpat-'];
    for (let n = 0; n < 2000; n++) {
      let text = '';
      const length = next() % 90;
      while (text.length < length) {
        text += next() % 4 === 0 ? words[next() % words.length] : alphabet.charAt(next() % alphabet.length);
      }
      expect(keywords(text)).toEqual(expected(text));
    }
  });
});

describe('findTokenPrefixes', () => {
  /** The prefixes the core finds, as [start, number] pairs. */
  function prefixes(text: string): Array<[number, number]> {
    const found = findTokenPrefixes(new TextIndex(text));
    const out: Array<[number, number]> = [];
    for (let k = 0; k < found.length; k += 2) out.push([found[k] as number, found[k + 1] as number]);
    return out;
  }

  // The core's prefixes by number, as the regexes they stand for.
  const patterns = [
    /A(?:[KSB]I|CC|GP|I[DP]|RO|N[PV]|PK)A/y,
    /gh[posur]_/y,
    /github_pat_/y,
    /xox/y,
    /xapp-/y,
    /hooks\.slack\.com\//y,
    /[sr]k_(?:live|test)_/y,
    /whsec_/y,
    /eyJ/y,
    /-----BEGIN /y,
  ];

  /** What the regexes find: at every position, the one prefix that starts there, if any. */
  function expected(text: string): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let at = 0; at < text.length; at++) {
      patterns.forEach((pattern, number) => {
        pattern.lastIndex = at;
        if (pattern.test(text)) out.push([at, number]);
      });
    }
    return out;
  }

  const examples = [
    'AKIA',
    'ASIA',
    'ABIA',
    'ACCA',
    'AGPA',
    'AIDA',
    'AIPA',
    'AROA',
    'ANPA',
    'ANVA',
    'APKA',
    'ghp_',
    'gho_',
    'ghu_',
    'ghs_',
    'ghr_',
    'github_pat_',
    'xox',
    'xapp-',
    'hooks.slack.com/',
    'sk_live_',
    'sk_test_',
    'rk_live_',
    'rk_test_',
    'whsec_',
    'eyJ',
    '-----BEGIN ',
  ];

  it('finds every prefix, exactly as written, overlapping ones too', () => {
    const text = examples.join(' ');
    expect(prefixes(text)).toEqual(expected(text));
    expect(prefixes(text)).toHaveLength(examples.length);
    expect(prefixes('xoxoxapp- ------BEGIN  ghp_github_pat_')).toEqual([
      [0, 3],
      [2, 3],
      [4, 4],
      [11, 9],
      [23, 1],
      [27, 2],
    ]);
  });

  it('takes no other case and no near miss', () => {
    const misses = ['akia', 'AKIa', 'AKIB', 'AXIA', 'GHP_', 'ghx_', 'ghp-', 'Github_pat_', 'github_pat-', 'XOX', 'xOx'];
    const more = ['xapp_', 'Hooks.slack.com/', 'hooks.slack.com', 'SK_live_', 'sk_Live_', 'pk_live_', 'whsec-'];
    const text = [...misses, ...more, 'WHSEC_', 'eyj', 'EYJ', '-----begin ', '-----BEGIN-', '----BEGIN '].join(' ');
    expect(prefixes(text)).toEqual([]);
  });

  it("finds prefixes at every offset from a sixteen-unit block, and at the text's start and end", () => {
    for (const example of examples) {
      const number = expected(example)[0]?.[1];
      for (let before = 0; before <= 40; before++) {
        for (const fill of ['.', '\u00e9', '\u0130']) {
          const text = `${fill.repeat(before)}${example}`;
          expect(prefixes(text)).toEqual([[before, number]]);
          // Cut off at the text's end, a prefix is not there.
          expect(prefixes(text.slice(0, -1))).toEqual([]);
        }
      }
    }
  });

  it('takes no unit above U+007F for an ASCII character, whatever its low byte', () => {
    // U+0141, U+0165, U+0178, U+012D and U+015F hold A, e, x, - and _ in their low byte; surrogates read as none.
    const lookalikes = [
      '\u0141KIA',
      'AK\u0149A',
      '\u0165yJ',
      'ey\u014a',
      '\u0178ox',
      'gh\u0170\u015f',
      '\u012d----BEGIN ',
    ];
    for (const lookalike of [...lookalikes, 'sk\u015flive_', 'whsec\u015f', '\ud800yJ', 'e\udc00J']) {
      for (let before = 0; before < 20; before++) {
        expect(prefixes(`${'.'.repeat(before)}${lookalike}${'.'.repeat(20)}`)).toEqual([]);
      }
    }
    expect(prefixes('\ud800eyJ\udc00 \u00e9xox\ud800')).toEqual([
      [1, 8],
      [7, 3],
    ]);
  });

  it('finds what the regexes find in random texts, at every alignment', () => {
    // Characters of the prefixes, separators, and units whose low byte is one of them, so near misses are common.
    const alphabet = 'AKSIBCGPDRONVghposurtb_-xaelkcmwyJE /.\n\u0141\u0165\u0178\u012d\u015f\ud800\u00e9';
    let seed = 11;
    const next = () => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed >>> 8;
    };
    for (let n = 0; n < 2000; n++) {
      let text = '';
      const length = next() % 90;
      while (text.length < length) {
        const part = next() % 4 === 0 ? (examples[next() % examples.length] as string) : '';
        text += part.slice(0, part.length - (next() % 2)) + alphabet.charAt(next() % alphabet.length);
      }
      expect(prefixes(text)).toEqual(expected(text));
    }
  });
});

describe('text without triggers', () => {
  it('finds nothing in ordinary prose, JSON and logs', () => {
    const text = [
      'The quarterly review is on Monday at 10:30; please bring the updated forecast (v2.4.1).',
      '{"id": 42, "status": "ok", "owner": "ops", "note": "rotate keys monthly", "ratio": 0.75}',
      '2024-05-01T10:00:00Z INFO request_id=9f8e7d6c path=/api/v1/users status=200 duration_ms=12',
      'See https://example.com/docs?page=2&lang=en for details: a == b, x != y, i <= n.',
    ].join('\n');
    expect(scan(text)).toEqual([]);
  });
});

describe('adversarial input runs in linear time', () => {
  const size = 200_000;
  const fill = (unit: string) => unit.repeat(Math.ceil(size / unit.length));
  it.each([
    'eyJ',
    'eyJ.',
    'eyJhbGciOiJub25lIn0.',
    'AKIA',
    'ghp_',
    'github_pat_',
    'xoxb-',
    'xoxe.xoxp-1-',
    'xapp-1-',
    'hooks.slack.com/services/T0123ABCD/',
    'sk_live_',
    'whsec_',
    '-----BEGIN ',
    '-----BEGIN RSA PRIVATE KEY-----',
    '-----BEGIN PRIVATE KEY-----\\',
    'password=',
    'ass',
    'credentIal',
    'token: ',
    'token=A_',
    'Bearer ',
    '://',
    '/',
    'a://u:',
    'A',
    'AKIA0',
    'x',
    'J',
    'yJ',
    '_',
    'k_',
    'BEGIN ',
    'k.com/',
    'a',
    'A1',
  ])(
    '%j repeated to 200 KB',
    (unit) => {
      const text = fill(unit);
      const spans: Span[] = [];
      for (const detector of detectors) detector.detect(text, spans);
      for (const span of spans) expect(span.end).toBeGreaterThan(span.start);
    },
    3000,
  );
});
