import type { Action, JsonValue } from '@countersign/core';

/**
 * The one place where what channels show is masked: every notification's action passes through
 * {@link redactForChannels} before a channel sees it, so chat and webhook receivers never hold raw personal data or
 * secrets. Fields named sensitive (in config, or by a credential-like name) are replaced whole; every other string,
 * and every long integer, is scanned by the value detectors in {@link valueDetectors}. The masking toolkit
 * (`packages/mask`) will plug its full detectors in by replacing that one table.
 *
 * Everything here runs on text an agent chose, so every detector is linear in the length of its input: patterns
 * are anchored where a token starts (so a failed attempt is not retried inside the same run of characters) and
 * their repetitions are bounded or unambiguous; the rest is plain scanning code.
 */
export interface RedactionRules {
  /**
   * Fields masked whole, matched without regard to case: a key name anywhere (`ssn`), a glob over key names
   * (`*_ssn`), or a dotted path with globs per segment (`params.customer.*`). A dotted path that starts at
   * `params` or `context` is anchored there; any other dotted path matches wherever it ends (`customer.email`).
   * Array elements share their array's path (`params.rows.ssn` covers `params.rows[3].ssn`; `[]` may be written).
   */
  sensitiveFields: readonly string[];
}

/** What a sensitive field shows instead of its value. */
export const redactedValue = '<REDACTED>';

/**
 * Key names masked whatever the config says, compared lower-cased with everything but letters and digits removed
 * (`X-Api-Key`, `api_key` and `apiKey` are all `apikey`): credentials are never worth showing a reviewer.
 */
const credentialName =
  /(?:password|passwd|passphrase|pwd|secret|token|apikey|accesskey|secretkey|privatekey|signingkey|encryptionkey|authorization|cookie|credentials?|sessionid)$|^(?:pin|otp|cvv|cvv2|cvc)$/;

/** Whether a key is always masked, whatever the config says (`password`, `client_secret`, `accessToken`, …). */
export function isCredentialName(key: string): boolean {
  return credentialName.test(key.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

/**
 * An action as channels see it: masked, and carrying its digest only when masking changed nothing the digest
 * covers. The digest is an unsalted SHA-256 over the action's name, resource, environment and parameters as
 * submitted; beside the masked rest it would let a receiver confirm guesses of a masked value (a PIN, an SSN) by
 * hashing candidates. The authenticated API still gives the digest to those allowed to see the action.
 */
export type MaskedAction = Omit<Action, 'digest'> & { digest?: string };

/**
 * The action with sensitive fields and values masked: a new object; the input is not changed. Parameters and
 * context go through the field rules and the detectors (keys included, as a key can be an email); the resource id,
 * labels, justification, review comments and outcome detail through the detectors. Who asked (requester, owner,
 * on-behalf-of) and why the policy asked (rule names, reason, written by the policy's authors) are shown as they
 * are: a reviewer cannot judge a request without them, and eligibility reads them.
 *
 * @example
 * redactForChannels(action, { sensitiveFields: ['*_ssn'] }).params
 * // { holder_ssn: '<REDACTED>', contact: '<EMAIL>', rows: 5000 }
 */
export function redactForChannels(action: Action, rules: RedactionRules): MaskedAction {
  const configured = rules.sensitiveFields.map(fieldRule);
  const sensitive: FieldTest = (path) =>
    isCredentialName(path[path.length - 1] ?? '') || configured.some((matches) => matches(path));
  const { digest, ...rest } = action;
  const resource = {
    ...action.resource,
    id: maskText(action.resource.id),
    labels: action.resource.labels.map(maskText),
  };
  const params = redactObject(action.params, ['params'], sensitive);
  const unchanged =
    JSON.stringify(resource) === JSON.stringify(action.resource) &&
    JSON.stringify(params) === JSON.stringify(action.params);
  return {
    ...rest,
    ...(unchanged && { digest }),
    resource,
    params,
    context: redactObject(action.context, ['context'], sensitive),
    ...(action.justification !== undefined && { justification: maskText(action.justification) }),
    reviews: action.reviews.map((review) =>
      review.comment === undefined ? review : { ...review, comment: maskText(review.comment) },
    ),
    ...(action.outcome?.detail !== undefined && {
      outcome: { ...action.outcome, detail: maskText(action.outcome.detail) },
    }),
  };
}

/** Whether the field at a path (`['params', 'customer', 'email']`) is masked whole. */
type FieldTest = (path: readonly string[]) => boolean;

function redactObject(
  value: Record<string, JsonValue>,
  path: readonly string[],
  sensitive: FieldTest,
): Record<string, JsonValue> {
  const entries = new Map<string, JsonValue>();
  const keys = new Set(Object.keys(value));
  for (const [key, item] of Object.entries(value)) {
    let name = maskText(key);
    // Two keys masked alike (two emails) would collide: number the later ones rather than lose one.
    if (name !== key) {
      const masked = name;
      for (let n = 2; entries.has(name) || keys.has(name); n++) name = `${masked} (${n})`;
    }
    entries.set(name, redactValue(item, [...path, key], sensitive));
  }
  // fromEntries defines own properties, so a `__proto__` key stays a plain key.
  return Object.fromEntries(entries);
}

function redactValue(value: JsonValue, path: readonly string[], sensitive: FieldTest): JsonValue {
  if (sensitive(path)) return value === null ? null : redactedValue;
  if (typeof value === 'string') return maskText(value);
  // A card number or an SSN sent as a JSON number is still one.
  if (typeof value === 'number') return maskNumber(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, path, sensitive));
  if (value !== null && typeof value === 'object') return redactObject(value, path, sensitive);
  return value;
}

function maskNumber(value: number): JsonValue {
  if (!Number.isSafeInteger(value) || Math.abs(value) < 100_000_000) return value;
  const text = String(value);
  const masked = maskText(text);
  return masked === text ? value : masked;
}

/**
 * A field rule as a test over paths. Each segment is a glob (`*` = any run of characters) compared lower-cased;
 * a rule anchored at `params`/`context` must match from the root, any other matches the end of the path.
 */
function fieldRule(rule: string): FieldTest {
  const segments = rule
    .replace(/\[(?:\*|\d*)\]/g, '')
    .toLowerCase()
    .split('.')
    .filter((segment) => segment !== '');
  if (segments.length === 0) return () => false;
  const anchored = segments.length > 1 && (segments[0] === 'params' || segments[0] === 'context');
  return (path) => {
    if (path.length < segments.length) return false;
    // Anchored rules also cover what is below the path they name (its ancestors were masked whole already).
    const offset = anchored ? 0 : path.length - segments.length;
    return segments.every((segment, i) => globMatches(segment, (path[offset + i] ?? '').toLowerCase()));
  };
}

/**
 * `*` wildcard matching in O(text × glob) at worst, without regular expressions: a glob from config over a key an
 * agent chose must not be able to backtrack exponentially.
 */
export function globMatches(glob: string, text: string): boolean {
  let g = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (g < glob.length && glob[g] !== '*' && glob[g] === text[t]) {
      g++;
      t++;
    } else if (g < glob.length && glob[g] === '*') {
      star = g++;
      resume = t;
    } else if (star >= 0) {
      g = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (glob[g] === '*') g++;
  return g === glob.length;
}

/** Where a detector found something: `text.slice(start, end)` is replaced by `<TYPE>`. */
export interface Finding {
  start: number;
  end: number;
}

/** A value detector: finds what must not be shown, in order and without overlaps. */
export interface ValueDetector {
  /** Shown in place of each finding, as `<TYPE>`. */
  type: string;
  find(text: string): Iterable<Finding>;
}

/**
 * The value detectors, in the order they run (most specific first, so an IBAN is not mistaken for a card number
 * and a JWT not for three tokens). Each runs on the output of the one before. This table is what the masking
 * toolkit replaces.
 */
export const valueDetectors: readonly ValueDetector[] = [
  { type: 'PRIVATE_KEY', find: privateKeys },
  { type: 'JWT', find: matches(/(?<![\w-])eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]*/g) },
  {
    type: 'SECRET',
    // Vendor tokens with fixed prefixes: Slack, GitHub, Stripe, Standard Webhooks, Google, OpenAI/Anthropic,
    // GitLab, Countersign's own agent and reviewer keys, and Slack incoming-webhook URLs.
    find: matches(
      /(?<![\w-])(?:xox[abposre]-[A-Za-z0-9-]{10,}|xapp-\d-[A-Za-z0-9-]{10,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{30,}|[rs]k_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9+/=]{16,}|AIza[\w-]{35}|sk-[\w-]{20,}|glpat-[\w-]{20,}|cs[kr]_[0-9a-f]{16}_[\w-]{16,}|https:\/\/hooks\.slack\.com\/[\w/-]+)/g,
    ),
  },
  {
    type: 'AWS_ACCESS_KEY',
    find: matches(/(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA)[A-Z0-9]{16}(?![A-Za-z0-9])/g),
  },
  // The password in a URL's user info (`https://user:PASSWORD@host`).
  { type: 'SECRET', find: matches(/:\/\/[^\s/:@]{1,256}:([^\s/@]{1,256})@/dg, 1) },
  // A value given after a credential-like word (`password=…`, `"api_key": "…"`, `Authorization: Bearer …`).
  {
    type: 'SECRET',
    find: matches(
      /(?<![A-Za-z0-9])(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|authorization)(?![A-Za-z0-9])["']?\s{0,3}[:=]\s{0,3}["']?(?:(?:bearer|basic|token)\s{1,3})?([^\s"'`,;&<>]{3,})/dgi,
      1,
    ),
  },
  { type: 'SECRET', find: matches(/(?<![A-Za-z0-9])bearer\s{1,3}([\w.~+/-]{16,}=*)/dgi, 1) },
  { type: 'EMAIL', find: emails },
  { type: 'IBAN', find: ibans },
  { type: 'CREDIT_CARD', find: cardNumbers },
  {
    type: 'US_SSN',
    find: matches(/(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])/g, 0, (ssn) => validSsn(ssn.replace(/-/g, ''))),
  },
  // Nine digits are an SSN only when labelled as one.
  {
    type: 'US_SSN',
    find: matches(/(?<![A-Za-z0-9])ssn["']?\s{0,3}[:=#]?\s{0,3}["']?(\d{9}|\d{3} \d{2} \d{4})(?!\d)/dgi, 1, (ssn) =>
      validSsn(ssn.replace(/ /g, '')),
    ),
  },
];

/**
 * `text` with every detected value replaced by `<TYPE>`.
 *
 * @example
 * maskText('mail jane@example.com, card 4111 1111 1111 1111') // 'mail <EMAIL>, card <CREDIT_CARD>'
 */
export function maskText(text: string): string {
  let out = text;
  for (const detector of valueDetectors) out = replaceFindings(out, detector);
  return out;
}

function replaceFindings(text: string, detector: ValueDetector): string {
  let out = '';
  let copied = 0;
  for (const { start, end } of detector.find(text)) {
    if (start < copied || end <= start) continue; // overlapping or empty: ignore rather than corrupt the text
    out += `${text.slice(copied, start)}<${detector.type}>`;
    copied = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * A detector from a global regular expression: each match (or its capture `group`, which needs the `d` flag) is a
 * finding when `valid` accepts it.
 */
function matches(pattern: RegExp, group = 0, valid?: (found: string) => boolean): ValueDetector['find'] {
  return function* (text) {
    for (const match of text.matchAll(pattern)) {
      const at = match.index ?? 0;
      const span: readonly [number, number] | undefined =
        group === 0 ? [at, at + match[0].length] : match.indices?.[group];
      const found = match[group];
      if (!span || found === undefined || (valid && !valid(found))) continue;
      yield { start: span[0], end: span[1] };
    }
  };
}

/** PEM private keys, from BEGIN to END; a key cut short (no END) is masked to the end of the text. */
function* privateKeys(text: string): Iterable<Finding> {
  const begin = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
  const end = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
  for (let found = begin.exec(text); found; found = begin.exec(text)) {
    end.lastIndex = begin.lastIndex;
    const stop = end.exec(text) ? end.lastIndex : text.length;
    yield { start: found.index, end: stop };
    begin.lastIndex = stop;
  }
}

const localPart = /[\w.%+-]/;
const domainPart = /[A-Za-z0-9.-]/;

/**
 * Email addresses, found from each `@` by scanning outwards (a local part never contains `@`, nor does a domain,
 * so each character is scanned at most twice): a local part, and a domain of two or more labels ending in a
 * top-level domain of letters.
 */
function* emails(text: string): Iterable<Finding> {
  let from = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', Math.max(at + 1, from))) {
    let start = at;
    while (start > from && localPart.test(text[start - 1] ?? '')) start--;
    while (start < at && text[start] === '.') start++;
    let end = at + 1;
    while (end < text.length && domainPart.test(text[end] ?? '')) end++;
    while (end > at + 1 && /[.-]/.test(text[end - 1] ?? '')) end--;
    if (start === at || !validDomain(text.slice(at + 1, end))) continue;
    yield { start, end };
    from = end;
  }
}

function validDomain(domain: string): boolean {
  if (domain.length > 253) return false;
  const labels = domain.split('.');
  const top = labels[labels.length - 1] ?? '';
  return (
    labels.length >= 2 &&
    /^[A-Za-z]{2,24}$/.test(top) &&
    labels.every((label) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label))
  );
}

/**
 * Card numbers: 13–19 digits, together or in groups of 3–6 separated by single spaces or dashes, that pass the
 * Luhn check. Runs of digit groups are found first; within a run, the longest valid window from each group wins, so
 * a card after an unrelated number (`order 12 4111 1111 1111 1111`) is still found.
 */
function* cardNumbers(text: string): Iterable<Finding> {
  for (const run of text.matchAll(/\d+(?:[ -]\d+)*/g)) {
    const groups = [...run[0].matchAll(/\d+/g)].map((group) => ({
      start: run.index + group.index,
      end: run.index + group.index + group[0].length,
    }));
    // Digits glued to letters belong to an identifier (`v2`, `ab123`), not to a card number.
    if (/\w/.test(text[run.index - 1] ?? '')) groups.shift();
    if (/[A-Za-z_]/.test(text[run.index + run[0].length] ?? '')) groups.pop();
    let i = 0;
    while (i < groups.length) {
      const found = cardAt(text, groups, i);
      if (found === undefined) {
        i++;
        continue;
      }
      yield { start: groups[i]!.start, end: groups[found]!.end };
      i = found + 1;
    }
  }
}

/** The last group of the longest Luhn-valid card number starting at group `first`, if any. */
function cardAt(text: string, groups: readonly Finding[], first: number): number | undefined {
  let digits = '';
  let last: number | undefined;
  for (let j = first; j < groups.length; j++) {
    const group = groups[j]!;
    const length = group.end - group.start;
    const single = j === first && length >= 13 && length <= 19;
    if (!single && (length < 3 || length > 6)) break;
    digits += text.slice(group.start, group.end);
    if (digits.length > 19) break;
    if (digits.length >= 13 && luhn(digits)) last = j;
    if (single) break;
  }
  return last;
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * IBAN lengths by country (the SWIFT IBAN registry): a candidate is the country's length in letters and digits,
 * optionally in groups separated by single spaces, and must pass the ISO 7064 mod-97 check.
 */
// biome-ignore format: a table reads better in columns
const ibanLengths: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22,
  GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30,
  KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20,
  MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22,
  RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

function* ibans(text: string): Iterable<Finding> {
  const starts = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}/g;
  for (let found = starts.exec(text); found; found = starts.exec(text)) {
    const length = ibanLengths[found[0].slice(0, 2).toUpperCase()];
    if (length === undefined) continue;
    let iban = '';
    let end = found.index;
    while (iban.length < length && end < text.length) {
      if (isAlphanumeric(text, end)) iban += text[end]!.toUpperCase();
      else if (!(text[end] === ' ' && isAlphanumeric(text, end + 1))) break;
      end++;
    }
    if (iban.length !== length || isAlphanumeric(text, end) || !ibanChecksumValid(iban)) continue;
    yield { start: found.index, end };
    starts.lastIndex = end;
  }
}

function isAlphanumeric(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  const lower = code | 0x20;
  return (code >= 48 && code <= 57) || (lower >= 97 && lower <= 122);
}

/** ISO 7064 mod 97-10: the country and check digits moved to the end, letters as 10–35, must leave 1. */
function ibanChecksumValid(iban: string): boolean {
  let remainder = 0;
  for (const char of iban.slice(4) + iban.slice(0, 4)) {
    const code = char.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = (remainder * (value >= 10 ? 100 : 10) + value) % 97;
  }
  return remainder === 1;
}

/**
 * US Social Security numbers as issued: never area 000, 666 or 900–999, group 00 or serial 0000 (`digits` is the
 * nine digits).
 */
function validSsn(digits: string): boolean {
  const area = digits.slice(0, 3);
  return (
    area !== '000' && area !== '666' && area[0] !== '9' && digits.slice(3, 5) !== '00' && digits.slice(5) !== '0000'
  );
}
