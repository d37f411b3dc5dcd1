/**
 * Realistic values of every entity type, and hard negatives that look like them but are not: each generator takes
 * the seeded source and returns the text exactly as it would be written in a document (grouping, separators,
 * national or international format). Check digits are computed, never faked, so a detector that validates them
 * has something to validate.
 */
import { crc32 } from 'node:zlib';
import { type CountryCode, isValidPhoneNumber, parsePhoneNumber } from 'libphonenumber-js/max';
import type { SeededRandom } from '../seeded-random.js';

const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const lower = 'abcdefghijklmnopqrstuvwxyz';
const digits = '0123456789';
const alnum = `${upper}${lower}${digits}`;
const base62 = `${digits}${upper}${lower}`;
const hex = '0123456789abcdef';

export const firstNames = [
  'James',
  'Mary',
  'Robert',
  'Patricia',
  'Michael',
  'Jennifer',
  'David',
  'Linda',
  'William',
  'Elizabeth',
  'Emily',
  'Daniel',
  'Sarah',
  'Thomas',
  'Jessica',
  'Christopher',
  'Karen',
  'Matthew',
  'Nancy',
  'Anthony',
  'Olivia',
  'Oliver',
  'Amelia',
  'George',
  'Isla',
  'Harry',
  'Charlotte',
  'Lukas',
  'Hannah',
  'Maximilian',
  'Lena',
  'Jürgen',
  'Sophie',
  'Camille',
  'Louis',
  'Chloé',
  'François',
  'Inès',
  'Rahul',
  'Priya',
  'Arjun',
  'Ananya',
  'Vikram',
  'Deepika',
  'Lucas',
  'Gabriela',
  'João',
  'Beatriz',
  'Rafael',
  'Larissa',
  'Jack',
  'Matilda',
  'Noah',
  'Zoë',
  'Ethan',
  'Chen',
  'Wei',
  'Aisha',
  'Mohammed',
  'Fatima',
  'Sofia',
  'Mateo',
  'Valentina',
  'Liam',
  'Grace',
];

export const lastNames = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Wilson',
  'Anderson',
  'Taylor',
  'Thomas',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Thompson',
  'White',
  'Harris',
  'Clark',
  'Walker',
  'Hughes',
  'Evans',
  'Roberts',
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Becker',
  'Dubois',
  'Lefèvre',
  'Moreau',
  'Laurent',
  'Girard',
  'Sharma',
  'Patel',
  'Gupta',
  'Iyer',
  'Reddy',
  'Nair',
  'Silva',
  'Santos',
  'Oliveira',
  'Souza',
  'Pereira',
  'Costa',
  'Nguyen',
  "O'Brien",
  'MacDonald',
  'Kowalski',
  'Novak',
  'Haddad',
  'Okafor',
  'Zhang',
  'Wang',
  'Kim',
  'Fernández',
  'García-López',
  'van der Berg',
];

const emailDomains = [
  'gmail.com',
  'outlook.com',
  'yahoo.com',
  'icloud.com',
  'proton.me',
  'acme-corp.com',
  'globex.io',
  'initech.co.uk',
  'umbrella.de',
  'example.org',
  'mail.fr',
  'hotmail.co.uk',
  'contoso.com.au',
  'uol.com.br',
  'rediffmail.com',
];

/** A person's name as written in text: `First Last`, sometimes with a middle name. */
export function personName(random: SeededRandom): string {
  const first = random.pick(firstNames);
  const last = random.pick(lastNames);
  return random.chance(0.12) ? `${first} ${random.pick(firstNames)} ${last}` : `${first} ${last}`;
}

function asciiFold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}

/** An address, built from `name` when given (as most real addresses are). */
export function email(random: SeededRandom, name = personName(random)): string {
  const [first = 'user', ...rest] = name.split(' ');
  const f = asciiFold(first);
  const l = asciiFold(rest[rest.length - 1] ?? 'x');
  const local = random.pick([
    `${f}.${l}`,
    `${f}${l}`,
    `${f[0]}${l}`,
    `${f}_${l}${random.int(1, 99)}`,
    `${f}.${l}+${random.pick(['billing', 'work', 'news'])}`,
    `${l}.${f}`,
    `${f}${random.int(1970, 2005)}`,
  ]);
  const address = `${local}@${random.pick(emailDomains)}`;
  return random.chance(0.05) ? address.replace(/^./, (c) => c.toUpperCase()) : address;
}

export const phoneRegions = ['US', 'GB', 'DE', 'FR', 'IN', 'BR', 'AU', 'CA'] as const satisfies readonly CountryCode[];
export type PhoneRegion = (typeof phoneRegions)[number];

/** National significant numbers (without trunk prefix) drawn from real numbering-plan ranges, per region. */
const nationalShapes: Record<PhoneRegion, ((random: SeededRandom) => string)[]> = {
  US: [
    (r) =>
      `${r.pick(['212', '415', '312', '617', '206', '512', '303', '404', '305', '702', '646', '718'])}${r.int(2, 9)}${r.digits(6)}`,
  ],
  CA: [(r) => `${r.pick(['416', '604', '514', '403', '613', '905', '780', '902', '647'])}${r.int(2, 9)}${r.digits(6)}`],
  GB: [
    (r) => `7${r.int(4, 9)}${r.digits(8)}`,
    (r) => `20${r.pick(['7', '8', '3'])}${r.digits(7)}`,
    (r) => `161${r.digits(7)}`,
  ],
  DE: [
    (r) => `1${r.pick(['51', '52', '60', '62', '70', '71', '72', '75', '76', '78'])}${r.digits(7)}`,
    (r) => `30${r.int(2, 9)}${r.digits(7)}`,
    (r) => `89${r.int(2, 9)}${r.digits(6)}`,
  ],
  FR: [(r) => `${r.pick(['6', '7'])}${r.digits(8)}`, (r) => `${r.int(1, 5)}${r.digits(8)}`],
  IN: [(r) => `${r.int(6, 9)}${r.digits(9)}`],
  BR: [
    (r) => `${r.pick(['11', '21', '31', '41', '51', '61'])}9${r.int(6, 9)}${r.digits(7)}`,
    (r) => `${r.pick(['11', '21', '31'])}${r.int(2, 5)}${r.digits(7)}`,
  ],
  AU: [(r) => `4${r.digits(8)}`, (r) => `${r.pick(['2', '3', '7', '8'])}${r.int(3, 9)}${r.digits(7)}`],
};

/** A valid (by libphonenumber's full metadata) number of `region`, formatted nationally or internationally. */
export function phone(random: SeededRandom, region: PhoneRegion = random.pick(phoneRegions)): string {
  for (;;) {
    const national = random.pick(nationalShapes[region])(random);
    if (!isValidPhoneNumber(national, region)) continue;
    const parsed = parsePhoneNumber(national, region);
    const style = random.weighted([
      ['national', 5],
      ['international', 4],
      ['e164', 1],
    ] as const);
    if (style === 'e164') return parsed.number;
    if (style === 'international') return parsed.formatInternational();
    if (region === 'US' && random.chance(0.5)) return parsed.formatNational().replace(/^\((\d{3})\) /, '$1-');
    if (region === 'IN') return parsed.formatNational().replace(/^0/, '');
    return parsed.formatNational();
  }
}

/** An SSN the SSA could issue: area 001–899 but not 666, group 01–99, serial 0001–9999. */
export function ssn(random: SeededRandom): string {
  let area = random.int(1, 899);
  if (area === 666) area = 667;
  const group = random.int(1, 99);
  const serial = random.int(1, 9999);
  const separator = random.chance(0.9) ? '-' : ' ';
  return [String(area).padStart(3, '0'), String(group).padStart(2, '0'), String(serial).padStart(4, '0')].join(
    separator,
  );
}

/** Shaped like an SSN, but never issued: area 000, 666 or 9xx, group 00, or serial 0000. */
export function invalidSsn(random: SeededRandom): string {
  const area = random.pick(['000', '666', `9${random.digits(2)}`, String(random.int(1, 665)).padStart(3, '0')]);
  const valid = area !== '000' && area !== '666' && !area.startsWith('9');
  const group = valid && random.chance(0.5) ? '00' : String(random.int(1, 99)).padStart(2, '0');
  const serial = valid && group !== '00' ? '0000' : String(random.int(1, 9999)).padStart(4, '0');
  return `${area}-${group}-${serial}`;
}

export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

interface Issuer {
  prefix: (random: SeededRandom) => string;
  length: number;
  groups: number[];
}

const issuers: Record<string, Issuer> = {
  visa: { prefix: () => '4', length: 16, groups: [4, 4, 4, 4] },
  mastercard: {
    prefix: (r) => (r.chance(0.7) ? String(r.int(51, 55)) : String(r.int(2221, 2720))),
    length: 16,
    groups: [4, 4, 4, 4],
  },
  amex: { prefix: (r) => r.pick(['34', '37']), length: 15, groups: [4, 6, 5] },
  discover: { prefix: (r) => r.pick(['6011', '65', String(r.int(644, 649))]), length: 16, groups: [4, 4, 4, 4] },
  jcb: { prefix: (r) => String(r.int(3528, 3589)), length: 16, groups: [4, 4, 4, 4] },
  diners: { prefix: (r) => r.pick(['36', '38', `30${r.int(0, 5)}`]), length: 14, groups: [4, 6, 4] },
};

function group(text: string, sizes: number[], separator: string): string {
  const out: string[] = [];
  let at = 0;
  for (const size of sizes) {
    out.push(text.slice(at, at + size));
    at += size;
  }
  if (at < text.length) out.push(text.slice(at));
  return out.join(separator);
}

/** A Luhn-valid number with a real issuer prefix, grouped with spaces or dashes, or compact. */
export function creditCard(random: SeededRandom): string {
  const issuer = random.weighted([
    [issuers.visa, 40],
    [issuers.mastercard, 30],
    [issuers.amex, 12],
    [issuers.discover, 8],
    [issuers.jcb, 5],
    [issuers.diners, 5],
  ] as const) as Issuer;
  const prefix = issuer.prefix(random);
  const payload = prefix + random.digits(issuer.length - 1 - prefix.length);
  const number = payload + luhnCheckDigit(payload);
  const style = random.weighted([
    [' ', 5],
    ['-', 2],
    ['', 3],
  ] as const);
  return style === '' ? number : group(number, issuer.groups, style);
}

/** Sixteen digits, Luhn-invalid, half of them with a card issuer's prefix: ids that are not cards. */
export function luhnInvalidNumber(random: SeededRandom): string {
  const payload = random.chance(0.5) ? `4${random.digits(14)}` : `${random.int(1, 9)}${random.digits(14)}`;
  const wrong = (luhnCheckDigit(payload) + random.int(1, 9)) % 10;
  const number = payload + wrong;
  return random.chance(0.5) ? number : group(number, [4, 4, 4, 4], random.pick([' ', '-']));
}

function mod97(numeric: string): number {
  let remainder = 0;
  for (let i = 0; i < numeric.length; i += 7) remainder = Number(`${remainder}${numeric.slice(i, i + 7)}`) % 97;
  return remainder;
}

function ibanNumeric(text: string): string {
  let out = '';
  for (const c of text) out += c >= 'A' && c <= 'Z' ? String(c.charCodeAt(0) - 55) : c;
  return out;
}

function weightedMod11(digitsText: string): number {
  const weights = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];
  let sum = 0;
  for (let i = 0; i < digitsText.length; i++) sum += Number(digitsText[i]) * (weights[i] ?? 0);
  const check = 11 - (sum % 11);
  return check === 11 ? 0 : check === 10 ? 1 : check;
}

/** Basic bank account numbers with their national check digits where a country has them. */
const bbans: Record<string, (random: SeededRandom) => string> = {
  GB: (r) => `${r.pick(['NWBK', 'BARC', 'LOYD', 'HBUK', 'MIDL'])}${r.digits(6)}${r.digits(8)}`,
  DE: (r) => `${r.pick(['37040044', '10070000', '50010517', '20041133', '70150000'])}${r.digits(10)}`,
  FR: (r) => {
    const bank = r.pick(['30004', '30003', '20041', '10107']);
    const branch = r.digits(5);
    const account = r.digits(11);
    const key = 97n - ((89n * BigInt(bank) + 15n * BigInt(branch) + 3n * BigInt(account)) % 97n);
    return `${bank}${branch}${account}${String(key).padStart(2, '0')}`;
  },
  NL: (r) => `${r.pick(['ABNA', 'INGB', 'RABO', 'TRIO', 'SNSB'])}${r.digits(10)}`,
  ES: (r) => {
    const bank = r.pick(['2100', '0049', '0182', '0081']);
    const branch = r.digits(4);
    const account = r.digits(10);
    return `${bank}${branch}${weightedMod11(`00${bank}${branch}`)}${weightedMod11(account)}${account}`;
  },
  IT: (r) => `${r.chars(upper, 1)}${r.pick(['03069', '02008', '05034'])}${r.digits(5)}${r.digits(12)}`,
  BE: (r) => {
    const first = `${r.pick(['001', '068', '310', '539'])}${r.digits(7)}`;
    const check = Number(BigInt(first) % 97n) || 97;
    return `${first}${String(check).padStart(2, '0')}`;
  },
  CH: (r) => `${r.pick(['00762', '00230', '08390'])}${r.digits(12)}`,
};

export const ibanCountries = Object.keys(bbans);

function ibanWithCheck(country: string, bban: string, check: number): string {
  return `${country}${String(check).padStart(2, '0')}${bban}`;
}

function ibanCheckDigits(country: string, bban: string): number {
  return 98 - mod97(ibanNumeric(`${bban}${country}00`));
}

function formatIban(iban: string, random: SeededRandom): string {
  return random.chance(0.5) ? iban : group(iban, Array(Math.ceil(iban.length / 4)).fill(4), ' ');
}

/** A mod-97-valid IBAN of one of eight countries, compact or in groups of four. */
export function iban(random: SeededRandom): string {
  const country = random.pick(ibanCountries);
  const bban = (bbans[country] as (r: SeededRandom) => string)(random);
  return formatIban(ibanWithCheck(country, bban, ibanCheckDigits(country, bban)), random);
}

/** Shaped like an IBAN, with check digits that fail mod 97. */
export function badIban(random: SeededRandom): string {
  const country = random.pick(ibanCountries);
  const bban = (bbans[country] as (r: SeededRandom) => string)(random);
  const right = ibanCheckDigits(country, bban);
  let wrong = random.int(2, 98);
  if (wrong === right) wrong = right === 98 ? 2 : right + 1;
  return formatIban(ibanWithCheck(country, bban, wrong), random);
}

export function ipv4(random: SeededRandom): string {
  const first = random.weighted([
    [10, 2],
    [192, 2],
    [random.int(11, 223), 6],
  ] as const);
  if (first === 192) return `192.168.${random.int(0, 255)}.${random.int(1, 254)}`;
  return `${first === 127 ? 128 : first}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`;
}

export function ipv6(random: SeededRandom): string {
  const groups = [random.pick(['2001', '2a02', '2600', 'fe80', '2406', 'fd12'])];
  for (let i = 1; i < 8; i++) groups.push(random.chance(0.3) ? '0' : random.int(1, 0xffff).toString(16));
  if (groups[0] === '2001' && random.chance(0.5)) groups[1] = 'db8';
  if (random.chance(0.15)) return groups.map((g) => g.padStart(4, '0')).join(':');
  if (!groups.includes('0') && random.chance(0.6)) {
    const at = random.int(2, 5);
    groups[at] = '0';
    groups[at + 1] = '0';
  }
  // Compress the longest run of two or more zero groups, as RFC 5952 writes an address.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

export function ipAddress(random: SeededRandom): string {
  return random.chance(0.7) ? ipv4(random) : ipv6(random);
}

const months = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A calendar date in one of the usual written forms. */
export function date(random: SeededRandom, fromYear: number, toYear: number): string {
  const year = random.int(fromYear, toYear);
  const month = random.int(1, 12);
  const day = random.int(1, 28);
  const mm = String(month).padStart(2, '0');
  const dd = String(day).padStart(2, '0');
  const monthName = months[month - 1] as string;
  return random.pick([
    `${year}-${mm}-${dd}`,
    `${mm}/${dd}/${year}`,
    `${dd}.${mm}.${year}`,
    `${dd}/${mm}/${year}`,
    `${monthName} ${day}, ${year}`,
    `${day} ${monthName} ${year}`,
    `${day} ${monthName.slice(0, 3)} ${year}`,
  ]);
}

export function dateOfBirth(random: SeededRandom): string {
  return date(random, 1940, 2006);
}

/** A US passport number: nine digits, or (next generation books) a letter and eight digits. */
export function usPassport(random: SeededRandom): string {
  return random.chance(0.5)
    ? `${random.int(1, 9)}${random.digits(8)}`
    : `${random.chars('ACEFGHJKLMNPRSTUVWXYZ', 1)}${random.digits(8)}`;
}

/** A driver's licence number in one of several states' formats, with the state it belongs to. */
export function usDriverLicense(random: SeededRandom): { state: string; number: string } {
  return random.pick([
    () => ({ state: 'CA', number: `${random.chars(upper, 1)}${random.digits(7)}` }),
    () => ({ state: 'NY', number: `${random.int(1, 9)}${random.digits(8)}` }),
    () => ({ state: 'TX', number: `${random.int(1, 4)}${random.digits(7)}` }),
    () => ({ state: 'FL', number: `${random.chars(upper, 1)}${random.digits(12)}` }),
    () => ({ state: 'IL', number: `${random.chars(upper, 1)}${random.digits(11)}` }),
    () => ({ state: 'WA', number: `WDL${random.chars(`${upper}${digits}`, 9)}` }),
    () => ({ state: 'PA', number: `${random.int(1, 9)}${random.digits(7)}` }),
  ])();
}

export function awsAccessKey(random: SeededRandom): string {
  return `${random.weighted([
    ['AKIA', 4],
    ['ASIA', 1],
  ] as const)}${random.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`;
}

export function awsSecretKey(random: SeededRandom): string {
  return random.chars(`${alnum}+/`, 40);
}

export function base62Encode(value: number, width: number): string {
  let out = '';
  let n = value;
  while (n > 0) {
    out = base62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out.padStart(width, '0');
}

/** A classic GitHub token (`ghp_` + 30 random base62 + a 6-character base62 CRC32) or a fine-grained `github_pat_`. */
export function githubToken(random: SeededRandom): string {
  if (random.chance(0.2)) return `github_pat_${random.chars(alnum, 22)}_${random.chars(alnum, 59)}`;
  const prefix = random.weighted([
    ['ghp_', 6],
    ['gho_', 1],
    ['ghs_', 1],
  ] as const);
  const body = random.chars(base62, 30);
  return `${prefix}${body}${base62Encode(crc32(body), 6)}`;
}

export function slackToken(random: SeededRandom): string {
  if (random.chance(0.6))
    return `xoxb-${random.digits(random.int(10, 13))}-${random.digits(random.int(10, 13))}-${random.chars(alnum, 24)}`;
  return `xoxp-${random.digits(random.int(10, 13))}-${random.digits(random.int(10, 13))}-${random.digits(random.int(10, 13))}-${random.chars(hex, 32)}`;
}

export function stripeSecretKey(random: SeededRandom): string {
  return random.chance(0.5) ? `sk_live_${random.chars(alnum, 24)}` : `sk_live_51${random.chars(alnum, 97)}`;
}

/** Stripe's publishable keys are meant to be public: not a secret. */
export function stripePublishableKey(random: SeededRandom): string {
  return `${random.pick(['pk_live_', 'pk_test_'])}${random.chars(alnum, random.pick([24, 99]))}`;
}

export function base64url(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString('base64url');
}

export function uuid(random: SeededRandom): string {
  const h = random.chars(hex, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${random.pick(['8', '9', 'a', 'b'])}${h.slice(17, 20)}-${h.slice(20)}`;
}

/** A signed-looking JWT: real base64url JSON header and claims, random signature bytes of the algorithm's size. */
export function jwt(random: SeededRandom): string {
  const alg = random.pick(['HS256', 'RS256', 'ES256']);
  const header = alg === 'HS256' ? { alg, typ: 'JWT' } : { alg, typ: 'JWT', kid: random.chars(hex, 16) };
  const iat = 1_700_000_000 + random.int(0, 40_000_000);
  const claims = {
    iss: random.pick(['https://auth.acme-corp.com/', 'https://login.globex.io', 'https://accounts.example.org']),
    sub: uuid(random),
    aud: random.pick(['api', 'billing-service', 'https://api.acme-corp.com']),
    iat,
    exp: iat + 3600,
    ...(random.chance(0.5)
      ? { scope: random.pick(['read:orders write:orders', 'openid profile email', 'admin']) }
      : {}),
  };
  const signature = random.bytes(alg === 'RS256' ? 256 : alg === 'ES256' ? 64 : 32);
  return `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}.${base64url(signature)}`;
}

/** A PEM private key block; `newline` is '\n', or the two characters `\n` as in a JSON service-account file. */
export function privateKey(random: SeededRandom, newline = '\n', indent = ''): string {
  const label = random.pick(['RSA PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY']);
  const body = Buffer.from(random.bytes(label === 'EC PRIVATE KEY' ? 121 : random.int(300, 1200))).toString('base64');
  const lines = body.match(/.{1,64}/g) ?? [];
  const sep = `${newline}${indent}`;
  return `-----BEGIN ${label}-----${sep}${lines.join(sep)}${sep}-----END ${label}-----`;
}

/**
 * A high-entropy password or API key, as found after `password=` or `api_key:`. No `&` or `$`: unquoted in a URL
 * query or a shell line, they would end the value.
 */
export function secret(random: SeededRandom): string {
  return random.pick([
    () => random.chars(`${alnum}!@#%^*_-`, random.int(16, 28)),
    () => random.chars(alnum, random.int(24, 40)),
    () => random.chars(hex, random.pick([32, 40, 64])),
    () => Buffer.from(random.bytes(random.pick([24, 32]))).toString('base64'),
  ])();
}

// --- hard negatives: identifiers that must not be masked ---

export function gitSha(random: SeededRandom): string {
  return random.chars(hex, 40);
}

export function versionString(random: SeededRandom): string {
  return random.pick([
    () => `${random.int(0, 12)}.${random.int(0, 30)}.${random.int(0, 40)}`,
    () => `v${random.int(1, 5)}.${random.int(0, 20)}.${random.int(0, 9)}`,
    () => `10.0.${random.int(17000, 22631)}.${random.int(1, 4000)}`,
    () => `${random.int(1, 9)}.${random.int(0, 9)}.${random.int(0, 99)}.${random.int(1000, 9999)}`,
  ])();
}

export function orderNumber(random: SeededRandom): string {
  return random.pick([
    () => `ORD-${random.int(2019, 2025)}-${random.digits(6)}`,
    () => `INV-${random.digits(7)}`,
    () => `PO ${random.int(4500000000, 4599999999)}`,
    () => `#${random.int(100000, 999999)}`,
  ])();
}

export function timestamp(random: SeededRandom): string {
  const d = new Date(Date.UTC(2022, 0, 1) + random.int(0, 1_000) * 86_400_000 + random.int(0, 86_399_999));
  return random.pick([
    () => d.toISOString(),
    () => d.toISOString().slice(0, 10),
    () => d.toISOString().replace('T', ' ').slice(0, 19),
    () => String(Math.floor(d.getTime() / 1000)),
  ])();
}

export function price(random: SeededRandom): string {
  const amount = (random.int(100, 2_500_000) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });
  return random.pick([`$${amount}`, `€${amount}`, `£${amount}`, `${amount} USD`, `EUR ${amount}`]);
}

export function trackingNumber(random: SeededRandom): string {
  return random.pick([
    () => `1Z${random.chars(`${upper}${digits}`, 6)}${random.digits(10)}`,
    () => `9400 ${random.digits(4)} ${random.digits(4)} ${random.digits(4)} ${random.digits(4)} ${random.digits(2)}`,
    () => `${random.chars(upper, 2)}${random.digits(9)}${random.pick(['GB', 'DE', 'US', 'FR'])}`,
  ])();
}

/** Hard negatives by kind: each looks like some entity type and is none. */
export const hardNegatives = {
  luhnInvalidNumber,
  invalidSsn,
  badIban,
  uuid,
  gitSha,
  versionString,
  orderNumber,
  timestamp,
  price,
  trackingNumber,
  stripePublishableKey,
} as const;

export type HardNegativeKind = keyof typeof hardNegatives;
