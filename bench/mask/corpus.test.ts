import { isIP } from 'node:net';
import { crc32 } from 'node:zlib';
import { isValidPhoneNumber } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { builtinEntityTypes } from '../../packages/mask/src/types.js';
import { csvHeader, csvLines, generateDocuments, jsonlLines, type LabelledDocument, ordinaryText } from './corpus.js';
import { firstNames, lastNames, phoneRegions } from './values.js';

// Validators written independently of the generators, from each format's rules.

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

function cardIssuer(digits: string): string | undefined {
  const n = (length: number) => Number(digits.slice(0, length));
  if (digits.length === 16 && digits.startsWith('4')) return 'visa';
  if (digits.length === 16 && ((n(2) >= 51 && n(2) <= 55) || (n(4) >= 2221 && n(4) <= 2720))) return 'mastercard';
  if (digits.length === 15 && (n(2) === 34 || n(2) === 37)) return 'amex';
  if (digits.length === 16 && (n(4) === 6011 || n(2) === 65 || (n(3) >= 644 && n(3) <= 649))) return 'discover';
  if (digits.length === 16 && n(4) >= 3528 && n(4) <= 3589) return 'jcb';
  if (digits.length === 14 && (n(2) === 36 || n(2) === 38 || (n(3) >= 300 && n(3) <= 305))) return 'diners';
  return undefined;
}

const ibanLengths: Record<string, number> = { GB: 22, DE: 22, FR: 27, NL: 18, ES: 24, IT: 27, BE: 16, CH: 21 };

function ibanMod97(compact: string): bigint {
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  const numeric = rearranged.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  return BigInt(numeric) % 97n;
}

function ssnIssuable(text: string): boolean {
  const match = /^(\d{3})[- ](\d{2})[- ](\d{4})$/.exec(text);
  if (!match) return false;
  const [, area = '', group, serial] = match;
  return area !== '000' && area !== '666' && !area.startsWith('9') && group !== '00' && serial !== '0000';
}

function base62(value: number): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let out = '';
  for (let n = value; n > 0; n = Math.floor(n / 62)) out = alphabet[n % 62] + out;
  return out.padStart(6, '0');
}

function entropyBitsPerChar(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) bits -= (count / text.length) * Math.log2(count / text.length);
  return bits;
}

const nameWords = new Set([...firstNames, ...lastNames.flatMap((name) => name.split(' '))]);

/** A small RFC 4180 reader, independent of the writer under test. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && (c === ',' || c === '\n')) {
      row.push(field);
      field = '';
      if (c === '\n') {
        rows.push(row);
        row = [];
      }
    } else {
      field += c;
    }
  }
  row.push(field);
  rows.push(row);
  return rows;
}

const decodeJson = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** Checks that a labelled value is what its type claims; `before` is the text just ahead of it. */
const claims: Record<(typeof builtinEntityTypes)[number], (value: string, before: string) => boolean> = {
  EMAIL: (v) => /^[A-Za-z0-9._+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}$/.test(v),
  PHONE: (v) => phoneRegions.some((region) => isValidPhoneNumber(v, region)),
  US_SSN: (v) => ssnIssuable(v),
  CREDIT_CARD: (v) => {
    const separators = new Set(v.replace(/\d/g, ''));
    const digits = v.replace(/[ -]/g, '');
    return separators.size <= 1 && /^\d+$/.test(digits) && luhnValid(digits) && cardIssuer(digits) !== undefined;
  },
  IBAN: (v) => {
    const compact = v.replaceAll(' ', '');
    return ibanLengths[compact.slice(0, 2)] === compact.length && ibanMod97(compact) === 1n;
  },
  IP_ADDRESS: (v) => isIP(v) !== 0,
  DATE_OF_BIRTH: (v, before) =>
    /(?:birth|birthdate|DOB|D\.O\.B\.|born on)\W{0,4}$/i.test(before) &&
    /^(?:\d{4}-\d\d-\d\d|\d\d[./]\d\d[./]\d{4}|[A-Z][a-z]+ \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]+ \d{4})$/.test(v) &&
    /\b(?:19[4-9]\d|200[0-6])\b/.test(v),
  US_PASSPORT: (v, before) => /passport/i.test(before) && /^[A-Z0-9]\d{8}$/.test(v),
  US_DRIVER_LICENSE: (v, before) => /driver|DL#/i.test(before) && /^[A-Z0-9]{7,13}$/.test(v),
  AWS_ACCESS_KEY: (v) => /^(?:AKIA|ASIA)[A-Z2-7]{16}$/.test(v),
  GITHUB_TOKEN: (v) =>
    /^github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}$/.test(v) ||
    (/^gh[pos]_[A-Za-z0-9]{36}$/.test(v) && base62(crc32(v.slice(4, 34))) === v.slice(34)),
  SLACK_TOKEN: (v) => /^xoxb-\d{10,13}-\d{10,13}-[A-Za-z0-9]{24}$|^xoxp-(?:\d{10,13}-){3}[0-9a-f]{32}$/.test(v),
  STRIPE_KEY: (v) => /^sk_live_[A-Za-z0-9]{24,}$/.test(v),
  JWT: (v) => {
    const [header, payload, signature, ...rest] = v.split('.');
    if (!header || !payload || !signature || rest.length > 0) return false;
    const h = decodeJson(header);
    const p = decodeJson(payload);
    return h.typ === 'JWT' && /^[HRE]S256$/.test(h.alg) && typeof p.iat === 'number' && p.exp > p.iat;
  },
  PRIVATE_KEY: (v) => {
    const match = /^-----BEGIN ([A-Z ]+)-----([\s\S]+)-----END ([A-Z ]+)-----$/.exec(v);
    if (!match || match[1] !== match[3] || !match[1]?.endsWith('PRIVATE KEY')) return false;
    const body = (match[2] ?? '').replaceAll('\\n', '\n').replace(/\s+/g, '');
    return body.length > 100 && /^[A-Za-z0-9+/]+=*$/.test(body);
  },
  SECRET: (v, before) =>
    /(?:password|passwd|secret|api_key|key)\W{0,4}(?:is )?$/i.test(before) &&
    v.length >= 16 &&
    entropyBitsPerChar(v) > 3,
  PERSON: (v) => {
    const words = v.split(' ');
    return words.length >= 2 && firstNames.includes(words[0] ?? '') && words.every((word) => nameWords.has(word));
  },
};

describe('labelled corpus', () => {
  const documents = generateDocuments(700);

  it('is the same for the same seed and different for another', () => {
    expect(generateDocuments(50)).toEqual(documents.slice(0, 50));
    const other = generateDocuments(50, 7);
    expect(other.map((d) => d.text)).not.toEqual(documents.slice(0, 50).map((d) => d.text));
  });

  it('holds every entity type, and spans that are in bounds, sorted and disjoint from each other and the negatives', () => {
    const seen = new Map<string, number>();
    for (const document of documents) {
      const all = [...document.spans, ...document.negatives].sort((a, b) => a.start - b.start);
      let end = 0;
      for (const span of all) {
        expect(span.start).toBeGreaterThanOrEqual(end);
        expect(span.end).toBeGreaterThan(span.start);
        end = span.end;
      }
      expect(end).toBeLessThanOrEqual(document.text.length);
      for (const span of document.spans) seen.set(span.type, (seen.get(span.type) ?? 0) + 1);
    }
    for (const type of builtinEntityTypes) expect(seen.get(type) ?? 0, type).toBeGreaterThanOrEqual(20);
  });

  it('labels only values that are what they claim to be', () => {
    const failures: string[] = [];
    for (const document of documents) {
      for (const span of document.spans) {
        const value = document.text.slice(span.start, span.end);
        const before = document.text.slice(Math.max(0, span.start - 40), span.start);
        if (!claims[span.type](value, before))
          failures.push(`${span.type}: ${JSON.stringify(before)} ${JSON.stringify(value)}`);
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
  });

  it('writes phones of all eight regions, nationally and internationally, and cards grouped and compact', () => {
    const values = (type: string) =>
      documents.flatMap((d) => d.spans.filter((s) => s.type === type).map((s) => d.text.slice(s.start, s.end)));
    const phones = values('PHONE');
    for (const region of phoneRegions) {
      const national = phones.filter((p) => !p.startsWith('+') && isValidPhoneNumber(p, region));
      expect(national.length, region).toBeGreaterThan(0);
    }
    expect(phones.filter((p) => p.startsWith('+')).length).toBeGreaterThan(phones.length / 4);
    const cards = values('CREDIT_CARD');
    expect(cards.some((c) => /^\d+$/.test(c))).toBe(true);
    expect(cards.some((c) => c.includes(' '))).toBe(true);
    const issuers = new Set(cards.map((c) => cardIssuer(c.replace(/\D/g, ''))));
    expect(issuers.size).toBe(6);
    const ibans = values('IBAN');
    expect(new Set(ibans.map((i) => i.slice(0, 2))).size).toBe(8);
    expect(ibans.some((i) => i.includes(' ')) && ibans.some((i) => !i.includes(' '))).toBe(true);
    const ips = values('IP_ADDRESS');
    expect(ips.some((ip) => isIP(ip) === 4) && ips.some((ip) => isIP(ip) === 6)).toBe(true);
  });

  it('mixes in hard negatives that fail exactly the check they are near', () => {
    const negatives = (document: LabelledDocument) =>
      document.negatives.map((n) => ({ kind: n.kind, value: document.text.slice(n.start, n.end) }));
    const all = documents.flatMap(negatives);
    const kinds = new Set(all.map((n) => n.kind));
    expect(kinds.size).toBe(11);
    for (const { kind, value } of all) {
      const digits = value.replace(/[ -]/g, '');
      switch (kind) {
        case 'luhnInvalidNumber':
          expect(digits).toMatch(/^\d{16}$/);
          expect(luhnValid(digits), value).toBe(false);
          break;
        case 'invalidSsn':
          expect(value).toMatch(/^\d{3}-\d{2}-\d{4}$/);
          expect(ssnIssuable(value), value).toBe(false);
          break;
        case 'badIban': {
          const compact = value.replaceAll(' ', '');
          expect(ibanLengths[compact.slice(0, 2)]).toBe(compact.length);
          expect(ibanMod97(compact), value).not.toBe(1n);
          break;
        }
        case 'uuid':
          expect(value).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
          break;
        case 'gitSha':
          expect(value).toMatch(/^[0-9a-f]{40}$/);
          break;
        case 'versionString':
          expect(value).toMatch(/^v?\d+(?:\.\d+){2,3}$/);
          break;
        case 'stripePublishableKey':
          expect(value).toMatch(/^pk_(?:live|test)_[A-Za-z0-9]+$/);
          break;
        default:
          expect(value.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('ordinary text', () => {
  const text = ordinaryText(200_000);

  it('is the same for the same seed, and about the size asked for', () => {
    expect(ordinaryText(200_000)).toBe(text);
    expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(200_000);
    expect(Buffer.byteLength(text)).toBeLessThan(202_000);
  });

  it('holds nothing to mask: no addresses, keys, tokens or full names', () => {
    expect(text).not.toMatch(/@|sk_live_|-----BEGIN|eyJ|AKIA|xox[bp]-|ghp_/);
    const words = text.split(/[\s,.?!]+/);
    for (let i = 1; i < words.length; i++) {
      expect(firstNames.includes(words[i - 1] ?? '') && lastNames.includes(words[i] ?? '')).toBe(false);
    }
    for (const run of text.match(/\d[\d -]{11,}\d/g) ?? []) {
      const digits = run.replace(/\D/g, '');
      expect(cardIssuer(digits) !== undefined && luhnValid(digits), run).toBe(false);
    }
  });
});

describe('bulk files', () => {
  it('writes JSON lines of nested customer records, the same for the same seed', () => {
    const lines = jsonlLines();
    const first = Array.from({ length: 200 }, () => lines.next().value as string);
    const again = jsonlLines();
    expect(again.next().value).toBe(first[0]);
    for (const line of first) {
      expect(line).not.toContain('\n');
      const record = JSON.parse(line);
      expect(typeof record.customer.email).toBe('string');
      expect(typeof record.notes).toBe('string');
      expect(Array.isArray(record.events)).toBe(true);
    }
  });

  it('writes CSV rows of nine fields under the header, notes quoted when they need it', () => {
    const lines = csvLines();
    expect(lines.next().value).toBe(csvHeader);
    const text = Array.from({ length: 200 }, () => lines.next().value as string).join('\n');
    const rows = parseCsv(text);
    expect(rows).toHaveLength(200);
    for (const row of rows) expect(row).toHaveLength(9);
    expect(rows.some((row) => (row[8] ?? '').includes('\n'))).toBe(true);
  });
});
