/**
 * Credential detectors (labels `secrets`): vendor token formats recognised by their literal prefixes, JWTs, PEM
 * private keys, and high-entropy values behind a keyword (`password=`, `"api_key": "…"`, `Bearer …`,
 * `scheme://user:password@host`).
 *
 * The detectors find their literals with the compiled core (`assembly/credentials.ts`): one pass over the placed text
 * finds every vendor token's prefix (`eyJ`, `xox`, `AKIA`, `ghp_`, `-----BEGIN `, `sk_live_`, …) for all of them,
 * once per scan, and another the credential keywords, vendor key prefixes and "://" for SECRET; each detector then
 * reads forward by hand from its own. Every read is bounded by the format's length or resumes past what it consumed,
 * so each detector is linear in the text on any input.
 */

import { Buffer } from 'node:buffer';
import { crc32 } from 'node:zlib';
import type { Detector, SensitivityLabel, Span } from '../types.js';
import { coreFunction, type Placed } from './scan-core.js';
import { type IndexedDetector, indexedDetector, type TextIndex } from './text-index.js';

const labels: readonly SensitivityLabel[] = Object.freeze(['secrets']);

/** The credential detectors: AWS_ACCESS_KEY, GITHUB_TOKEN, SLACK_TOKEN, STRIPE_KEY, JWT, PRIVATE_KEY, SECRET. */
export function credentialDetectors(): Detector[] {
  return [
    awsAccessKeyDetector(),
    githubTokenDetector(),
    slackTokenDetector(),
    stripeKeyDetector(),
    jwtDetector(),
    privateKeyDetector(),
    secretDetector(),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Character classes (ASCII only: every format here is ASCII).

const ALNUM = 1; // A-Z a-z 0-9
const BASE64URL = 2; // ALNUM _ -
const BASE64 = 4; // ALNUM + / =
const VALUE = 8; // ALNUM + / = _ - . ~  (what a secret value is made of)
const BASE32 = 16; // A-Z 2-7
const SLACK = 32; // ALNUM -
const HEX = 64; // 0-9 a-f A-F
const DELIMITER = 128; // what may follow an unquoted value: whitespace, quotes, , ; & ) ] } < > \ |
const NAME = 256; // ALNUM _ - .  (what a credential's name is made of)

const charClasses = buildCharClasses();

function buildCharClasses(): Uint16Array {
  const table = new Uint16Array(128);
  const add = (chars: string, flags: number) => {
    for (let i = 0; i < chars.length; i++) {
      const c = chars.charCodeAt(i);
      table[c] = (table[c] ?? 0) | flags;
    }
  };
  const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const lower = upper.toLowerCase();
  const digits = '0123456789';
  add(upper + lower + digits, ALNUM | BASE64URL | BASE64 | VALUE | SLACK | NAME);
  add('_-', BASE64URL);
  add('+/=', BASE64);
  add('+/=_-.~', VALUE);
  add('-', SLACK);
  add(`${upper}234567`, BASE32);
  add(`${digits}abcdefABCDEF`, HEX);
  add(' \t\n\r"\'`,;&)]}<>\\|', DELIMITER);
  add('_-.', NAME);
  return table;
}

/** Whether char code `c` is in class `flags` (false past either end of the text, where `c` is NaN). */
function is(c: number, flags: number): boolean {
  return c < 128 && ((charClasses[c] ?? 0) & flags) !== 0;
}

/** The end of the run of `flags` characters starting at `from`, reading no further than `limit`. */
function runEnd(text: string, from: number, flags: number, limit = text.length): number {
  const stop = Math.min(limit, text.length);
  let i = from;
  while (i < stop && is(text.charCodeAt(i), flags)) i++;
  return i;
}

const runEndIn =
  coreFunction<(text: number, length: number, from: number, limit: number, signs: boolean) => number>(
    'credentialRunEnd',
  );

/**
 * {@link runEnd} for ALNUM, or for BASE64 with `signs`, read by the core from the placed text: about half the time on
 * the hundred or more characters of a Stripe key's body.
 */
function placedRunEnd({ textAt, length }: Placed, from: number, signs: boolean, limit: number): number {
  return runEndIn(textAt, length, from, limit, signs);
}

// ---------------------------------------------------------------------------------------------------------------
// The vendor tokens' prefixes, found for every detector below by one pass of the core.

// The prefixes the core's `tokenPrefixes` finds, exactly as written, by their number there.
const AWS = 0; // AKIA ASIA ABIA ACCA AGPA AIDA AROA AIPA ANPA ANVA APKA
const GITHUB = 1; // gh[posur]_
const GITHUB_PAT = 2; // github_pat_
const XOX = 3; // xox
const XAPP = 4; // xapp-
const SLACK_HOOK = 5; // hooks.slack.com/
const STRIPE = 6; // sk_live_ sk_test_ rk_live_ rk_test_
const WHSEC = 7; // whsec_
const EYJ = 8; // eyJ
const PEM_BEGIN = 9; // "-----BEGIN "

const tokenPrefixesIn = coreFunction<(text: number, length: number, out: number) => number>('tokenPrefixes');

/** Each scan's vendor prefixes, found once for the six detectors that read them. */
const prefixesByIndex = new WeakMap<TextIndex, Int32Array>();

/**
 * The vendor prefixes in the index's text as pairs `[start, number]` (AWS, GITHUB, …), in order of start.
 *
 * @example findTokenPrefixes(new TextIndex('id AKIA')) // Int32Array [3, 0]
 */
export function findTokenPrefixes(index: TextIndex): Int32Array {
  let found = prefixesByIndex.get(index);
  if (found === undefined) {
    const { textAt, length, outAt, out } = index.placed;
    found = out.slice(0, tokenPrefixesIn(textAt, length, outAt));
    prefixesByIndex.set(index, found);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// AWS access key ids: a 4-letter kind prefix and 16 base32 characters.

function awsAccessKeyDetector(): IndexedDetector {
  return indexedDetector('AWS_ACCESS_KEY', labels, (index, spans) => {
    const { text } = index;
    const prefixes = findTokenPrefixes(index);
    let next = 0;
    for (let k = 0; k < prefixes.length; k += 2) {
      const start = prefixes[k] as number;
      if (prefixes[k + 1] !== AWS || start < next) continue;
      const end = start + 20;
      if (is(text.charCodeAt(start - 1), ALNUM) || is(text.charCodeAt(end), ALNUM)) continue;
      if (runEnd(text, start + 4, BASE32, end) !== end) continue;
      spans.push({ type: 'AWS_ACCESS_KEY', start, end, score: 0.9 });
      next = end;
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// GitHub tokens. Classic ones (ghp_, gho_, ghu_, ghs_, ghr_) are 30 random base62 characters and a 6-character
// base62 CRC32 of those 30: a token whose checksum holds is near-certain (0.99); one that is only shaped like a
// token is still reported (0.8), since masking a look-alike costs less than leaking a real one. Fine-grained
// tokens (github_pat_ + 22 + _ + 59) carry no checksum we can check.

const base62Digits = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Whether the 36 characters at `bodyStart` end with the base62 CRC32 of their first 30. */
function githubChecksumValid(text: string, bodyStart: number): boolean {
  let encoded = 0;
  for (let i = bodyStart + 30; i < bodyStart + 36; i++) encoded = encoded * 62 + base62Digits.indexOf(text.charAt(i));
  return encoded === crc32(text.slice(bodyStart, bodyStart + 30));
}

function githubTokenDetector(): IndexedDetector {
  return indexedDetector('GITHUB_TOKEN', labels, (index, spans) => {
    const { text } = index;
    const prefixes = findTokenPrefixes(index);
    let next = 0;
    for (let k = 0; k < prefixes.length; k += 2) {
      const start = prefixes[k] as number;
      const prefix = prefixes[k + 1];
      if (start < next) continue;
      if (prefix === GITHUB) {
        if (is(text.charCodeAt(start - 1), ALNUM)) continue;
        const end = start + 40;
        if (runEnd(text, start + 4, ALNUM, end + 1) !== end) continue;
        const score = githubChecksumValid(text, start + 4) ? 0.99 : 0.8;
        spans.push({ type: 'GITHUB_TOKEN', start, end, score });
        next = end;
      } else if (prefix === GITHUB_PAT) {
        if (is(text.charCodeAt(start - 1), ALNUM)) continue;
        const idEnd = start + 33;
        const end = start + 93;
        if (runEnd(text, start + 11, ALNUM, idEnd) !== idEnd || text.charCodeAt(idEnd) !== 95 /* _ */) continue;
        if (runEnd(text, idEnd + 1, ALNUM, end + 1) !== end) continue;
        spans.push({ type: 'GITHUB_TOKEN', start, end, score: 0.95 });
        next = end;
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Slack: bot/user/app/refresh/legacy tokens (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe-, rotating xoxe.xoxp-), app
// tokens (xapp-) and incoming-webhook URLs.

function isSlackKind(c: number): boolean {
  // b p a r s e
  return c === 98 || c === 112 || c === 97 || c === 114 || c === 115 || c === 101;
}

/** Slack token bodies are dash-separated digit groups then an alphanumeric secret: "123-456-AbC…". */
function slackBodyEnd(text: string, bodyStart: number): { end: number; plausible: boolean } {
  const end = runEnd(text, bodyStart, SLACK, bodyStart + 256);
  const length = end - bodyStart;
  const plausible =
    length >= 20 &&
    length < 256 &&
    text.charCodeAt(bodyStart) >= 48 &&
    text.charCodeAt(bodyStart) <= 57 &&
    hasDash(text, bodyStart, end) &&
    text.charCodeAt(end - 1) !== 45 &&
    !is(text.charCodeAt(end), BASE64URL);
  return { end, plausible };
}

function hasDash(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === 45) return true;
  return false;
}

/** Where the body of the token whose "xox" is at `s` starts ("xoxb-", "xoxe.xoxp-"), or -1 if it is no token. */
function slackTokenBodyStart(text: string, s: number): number {
  const kind = text.charCodeAt(s + 3);
  if (isSlackKind(kind) && text.charCodeAt(s + 4) === 45 /* - */) return s + 5;
  if (
    kind === 101 &&
    text.charCodeAt(s + 4) === 46 /* . */ &&
    text.startsWith('xox', s + 5) &&
    isSlackKind(text.charCodeAt(s + 8)) &&
    text.charCodeAt(s + 9) === 45
  ) {
    return s + 10;
  }
  return -1;
}

function slackTokenDetector(): IndexedDetector {
  const webhook = /hooks\.slack\.com\/services\/T[A-Z0-9]{6,16}\/B[A-Z0-9]{6,16}\/[A-Za-z0-9]{16,64}(?![A-Za-z0-9])/y;
  return indexedDetector('SLACK_TOKEN', labels, (index, spans) => {
    const { text } = index;
    const prefixes = findTokenPrefixes(index);
    // Each kind is read past what it last consumed; app tokens are reported after the others, then webhooks, as three
    // scans would.
    let nextToken = 0;
    let nextAppToken = 0;
    let nextWebhook = 0;
    let appTokens: Span[] | undefined;
    let webhooks: Span[] | undefined;
    for (let k = 0; k < prefixes.length; k += 2) {
      const s = prefixes[k] as number;
      const prefix = prefixes[k + 1];
      if (prefix === XOX && s >= nextToken) {
        nextToken = s + 3;
        if (is(text.charCodeAt(s - 1), ALNUM)) continue;
        const bodyStart = slackTokenBodyStart(text, s);
        if (bodyStart === -1) continue;
        const body = slackBodyEnd(text, bodyStart);
        nextToken = Math.max(nextToken, body.end);
        if (body.plausible) spans.push({ type: 'SLACK_TOKEN', start: s, end: body.end, score: 0.95 });
      } else if (prefix === XAPP && s >= nextAppToken) {
        nextAppToken = s + 5;
        if (is(text.charCodeAt(s - 1), ALNUM)) continue;
        const body = slackBodyEnd(text, s + 5);
        nextAppToken = Math.max(nextAppToken, body.end);
        if (!body.plausible) continue;
        appTokens ??= [];
        appTokens.push({ type: 'SLACK_TOKEN', start: s, end: body.end, score: 0.95 });
      } else if (prefix === SLACK_HOOK && s >= nextWebhook) {
        webhook.lastIndex = s;
        if (!webhook.test(text)) continue;
        const start = text.startsWith('https://', s - 8) ? s - 8 : text.startsWith('http://', s - 7) ? s - 7 : s;
        webhooks ??= [];
        webhooks.push({ type: 'SLACK_TOKEN', start, end: webhook.lastIndex, score: 0.99 });
        nextWebhook = webhook.lastIndex;
      }
    }
    if (appTokens !== undefined) for (const span of appTokens) spans.push(span);
    if (webhooks !== undefined) for (const span of webhooks) spans.push(span);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Stripe secret and restricted keys (sk_/rk_ + live_/test_) and webhook signing secrets (whsec_). Publishable keys
// (pk_) are meant to be public and are not reported.

function stripeKeyDetector(): IndexedDetector {
  return indexedDetector('STRIPE_KEY', labels, (index, spans) => {
    const { text } = index;
    const prefixes = findTokenPrefixes(index);
    // Each kind is read past what it last consumed; webhook secrets are reported after the keys, as two scans would.
    let nextKey = 0;
    let nextWebhook = 0;
    let webhookSecrets: Span[] | undefined;
    for (let k = 0; k < prefixes.length; k += 2) {
      const start = prefixes[k] as number;
      const prefix = prefixes[k + 1];
      if (prefix === STRIPE && start >= nextKey) {
        if (is(text.charCodeAt(start - 1), ALNUM)) continue;
        const bodyStart = start + 8;
        const end = placedRunEnd(index.placed, bodyStart, false, bodyStart + 248);
        nextKey = end;
        if (end - bodyStart < 24 || end - bodyStart > 247 || is(text.charCodeAt(end), ALNUM)) continue;
        spans.push({ type: 'STRIPE_KEY', start, end, score: 0.95 });
      } else if (prefix === WHSEC && start >= nextWebhook) {
        nextWebhook = start + 6;
        if (is(text.charCodeAt(start - 1), ALNUM)) continue;
        const end = placedRunEnd(index.placed, start + 6, true, start + 6 + 129);
        nextWebhook = end;
        if (end - start - 6 < 24 || end - start - 6 > 128 || is(text.charCodeAt(end), BASE64)) continue;
        webhookSecrets ??= [];
        webhookSecrets.push({ type: 'STRIPE_KEY', start, end, score: 0.95 });
      }
    }
    if (webhookSecrets !== undefined) for (const span of webhookSecrets) spans.push(span);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Other vendors' API keys with a fixed prefix, reported as SECRET: Google (AIza + 35), OpenAI and Anthropic (sk-,
// sk-proj-, sk-ant-), GitLab personal access tokens (glpat-), and Countersign's own agent keys and reviewer tokens
// (csk_/csr_ + 16 hex + _ + secret).

/** The vendor prefixes, exactly as written (case matters). The SECRET keyword scan finds them in any case. */
const vendorPrefixes = ['AIza', 'sk-', 'glpat-', 'csk_', 'csr_'] as const;
type VendorPrefix = (typeof vendorPrefixes)[number];

/** The vendor prefix, in its exact case, that starts at `start`, if any. */
function vendorPrefixAt(text: string, start: number): VendorPrefix | undefined {
  for (const prefix of vendorPrefixes) if (text.startsWith(prefix, start)) return prefix;
  return undefined;
}

/**
 * Vendor keys at `starts` (ascending positions of vendor prefixes, in any case), added to `findings` (part of the
 * SECRET detector). A prefix inside the body of a key taken just before is skipped, as a left-to-right scan would.
 */
function vendorKeys(text: string, starts: readonly number[], findings: SecretFindings): void {
  let next = 0;
  for (const start of starts) {
    if (start < next) continue;
    const prefix = vendorPrefixAt(text, start);
    if (prefix === undefined) continue;
    const bodyStart = start + prefix.length;
    next = bodyStart;
    if (is(text.charCodeAt(start - 1), BASE64URL)) continue;
    const end = runEnd(text, bodyStart, BASE64URL, bodyStart + 257);
    next = Math.max(next, end);
    if (end - bodyStart > 256 || !vendorBodyValid(text, prefix, bodyStart, end)) continue;
    findings.add({ start, end, score: 0.9 });
  }
}

function vendorBodyValid(text: string, prefix: VendorPrefix, start: number, end: number): boolean {
  const length = end - start;
  if (prefix === 'AIza') return length === 35;
  if (prefix === 'glpat-') return length >= 20;
  if (prefix === 'sk-') return length >= 20 && hasDigitAndLetter(text, start, end);
  // csk_/csr_: 16 hex digits, `_`, then at least 16 characters of secret.
  return length >= 33 && text.charCodeAt(start + 16) === 95 && isHex(text, start, start + 16);
}

function hasDigitAndLetter(text: string, start: number, end: number): boolean {
  let digit = false;
  let letter = false;
  for (let i = start; i < end && !(digit && letter); i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digit = true;
    else if (is(c, ALNUM)) letter = true;
  }
  return digit && letter;
}

function isHex(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!is(text.charCodeAt(i), HEX)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// JWTs: header.payload.signature in base64url, header and payload JSON objects (so both start "eyJ", the base64 of
// '{"'). Only the header is decoded, and only for a candidate of the right shape: it must be JSON with an "alg".

const maxJwtSegment = 8192;

function jwtHeaderHasAlg(text: string, start: number, end: number): boolean {
  try {
    const header: unknown = JSON.parse(Buffer.from(text.slice(start, end), 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && typeof (header as { alg?: unknown }).alg === 'string';
  } catch {
    return false;
  }
}

const base64urlRun = /[A-Za-z0-9_-]*/y;

/** `runEnd(text, from, BASE64URL)` by a sticky regex, faster on the long runs of a JWT's segments. */
function base64urlRunEnd(text: string, from: number): number {
  if (from >= text.length) return from;
  base64urlRun.lastIndex = from;
  base64urlRun.test(text);
  return base64urlRun.lastIndex;
}

function jwtDetector(): IndexedDetector {
  return indexedDetector('JWT', labels, (index, spans) => {
    const { text } = index;
    const prefixes = findTokenPrefixes(index);
    let next = 0;
    for (let k = 0; k < prefixes.length; k += 2) {
      const s = prefixes[k] as number;
      if (prefixes[k + 1] !== EYJ || s < next) continue;
      next = s + 3;
      const before = text.charCodeAt(s - 1);
      if (is(before, BASE64URL) || before === 46 /* . */) continue;
      const headerEnd = base64urlRunEnd(text, s);
      next = headerEnd;
      if (headerEnd - s < 10 || headerEnd - s > maxJwtSegment || text.charCodeAt(headerEnd) !== 46) continue;
      const payloadStart = headerEnd + 1;
      if (!text.startsWith('eyJ', payloadStart)) continue;
      const payloadEnd = base64urlRunEnd(text, payloadStart);
      next = payloadEnd;
      if (payloadEnd - payloadStart > maxJwtSegment || text.charCodeAt(payloadEnd) !== 46) continue;
      const end = base64urlRunEnd(text, payloadEnd + 1);
      next = end;
      // A fourth segment (JWE has five) is not a JWT; a sentence's full stop after one is fine.
      if (end - payloadEnd - 1 > maxJwtSegment) continue;
      if (text.charCodeAt(end) === 46 && is(text.charCodeAt(end + 1), BASE64URL)) continue;
      if (!jwtHeaderHasAlg(text, s, headerEnd)) continue;
      spans.push({ type: 'JWT', start: s, end, score: 0.95 });
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// PEM private keys: the whole block from "-----BEGIN … PRIVATE KEY-----" to its END line. The body may be split by
// real newlines, spaces (a key pasted on one line) or JSON escapes ("\n", "\\n"); legacy encrypted keys carry
// "Proc-Type:" / "DEK-Info:" headers. A block without an END line (a truncated paste) covers its base64 body.

const pemHeaderLine = /[A-Z][A-Za-z-]{1,30}: [^\r\n\\]{1,200}/y;

/** The end of "[A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----" at `i`, or -1. */
function pemLabelEnd(text: string, i: number): number {
  let j = i;
  const limit = i + 48;
  for (; j < limit; j++) {
    const c = text.charCodeAt(j);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 32)) break;
  }
  if (!text.startsWith('-----', j)) return -1;
  const label = text.slice(i, j);
  return label.endsWith('PRIVATE KEY') || label.endsWith('PRIVATE KEY BLOCK') ? j + 5 : -1;
}

/** Skips whitespace and escaped line breaks; reports whether a line break (real or escaped) was among them. */
function skipPemSeparators(text: string, from: number): { next: number; newline: boolean } {
  let i = from;
  let newline = false;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      newline = true;
      i++;
    } else if (c === 32 || c === 9) {
      i++;
    } else if (c === 92 /* \ */) {
      let j = i + 1;
      while (text.charCodeAt(j) === 92 && j - i < 8) j++;
      const escaped = text.charCodeAt(j);
      if (escaped !== 110 /* n */ && escaped !== 114 /* r */) break;
      newline = true;
      i = j + 1;
    } else {
      break;
    }
  }
  return { next: i, newline };
}

/** Where the block whose BEGIN line ends at `from` ends, and whether an END line closed it. */
function pemBlockEnd(text: string, from: number): { end: number; terminated: boolean } {
  let end = from;
  let i = from;
  let sawBody = false;
  for (;;) {
    const separators = skipPemSeparators(text, i);
    i = separators.next;
    if (text.startsWith('-----END ', i)) {
      const labelEnd = pemLabelEnd(text, i + 9);
      return labelEnd === -1 ? { end, terminated: false } : { end: labelEnd, terminated: true };
    }
    if (!sawBody) {
      pemHeaderLine.lastIndex = i;
      if (pemHeaderLine.test(text)) {
        i = pemHeaderLine.lastIndex;
        end = i;
        continue;
      }
    }
    const runStart = i;
    i = runEnd(text, i, BASE64);
    if (i === runStart) return { end, terminated: false };
    sawBody = true;
    // A run belongs to the key when it is line-length, or a whole line on its own; a short word after a space is
    // probably prose following a truncated key, so it extends the block only if an END line turns up later.
    const after = skipPemSeparators(text, i);
    const endsLine = after.newline || after.next >= text.length || text.startsWith('-----END ', after.next);
    if (i - runStart >= 40 || (separators.newline && endsLine)) end = i;
  }
}

function privateKeyDetector(): IndexedDetector {
  return indexedDetector('PRIVATE_KEY', labels, (index, spans) => {
    const { text } = index;
    const prefixes = findTokenPrefixes(index);
    let next = 0;
    for (let k = 0; k < prefixes.length; k += 2) {
      const s = prefixes[k] as number;
      if (prefixes[k + 1] !== PEM_BEGIN || s < next) continue;
      next = s + 11;
      const headerEnd = pemLabelEnd(text, s + 11);
      if (headerEnd === -1) continue;
      const block = pemBlockEnd(text, headerEnd);
      spans.push({ type: 'PRIVATE_KEY', start: s, end: block.end, score: block.terminated ? 0.99 : 0.9 });
      next = block.end;
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// SECRET: a value assigned to something named like a credential.
//
// One pass of the core finds the keywords (password, token, api_key, secret, auth, Bearer, …) in any case. From each,
// the rest of the name is read (`password_hash`, `"api_key"`, `AWS Secret Access Key`), then an assignment — ':' or
// '=' within a few characters — and the value, quoted or not. A value must look random: 16-200 characters of
// [A-Za-z0-9+/=_\-.~], letters and digits not mostly spelling words, Shannon entropy of about 3.5 bits per character.
// After a password name any 8+ characters that are not a placeholder count (score 0.6: shape alone). "Bearer <token>"
// needs no separator, and `scheme://user:password@host` reports the password (found from "://").

/**
 * What the SECRET scan reads from a keyword: the name and value around it (for `auth`, unless in "author"), a Bearer
 * token, a vendor key, or a URL's user info (from its "://").
 */
type KeywordKind = 'name' | 'auth' | 'bearer' | 'vendor' | 'url';

/**
 * The kinds of the keywords the core's `secretKeywords` finds, by their number there: it matches the case-insensitive
 * regex `pass(?:w(?:or)?d|phrase)?|pwd|secret|token|api[-_ ]?key|access[-_ ]?key|auth|credential|bearer`
 * `|private[-_ ]?key|aiza|sk-|glpat-|cs[kr]_` (the vendor prefixes in any case), and "://", all of them, in order.
 */
const keywordKinds: readonly KeywordKind[] = [
  'name', // pass, password, passwd, passphrase
  'name', // pwd
  'name', // secret
  'name', // token
  'name', // api key
  'name', // access key
  'auth',
  'name', // credential
  'bearer',
  'name', // private key
  'vendor', // aiza
  'vendor', // sk-
  'vendor', // glpat-
  'vendor', // csk_
  'vendor', // csr_
  'url', // ://
];

const secretKeywordsIn = coreFunction<(text: number, length: number, out: number) => number>('secretKeywords');

/**
 * The keywords of {@link keywordKinds} in the placed text as pairs `[start, (end - start) << 4 | number]`, in order.
 *
 * @example findSecretKeywords(place(key, 'pwd=x')) // Int32Array [0, 49]
 */
export function findSecretKeywords({ textAt, length, outAt, out }: Placed): Int32Array {
  return out.slice(0, secretKeywordsIn(textAt, length, outAt));
}

const placeholderValues: ReadonlySet<string> = new Set([
  'null',
  'none',
  'undefined',
  'required',
  'optional',
  'redacted',
  'password',
  'hidden',
  'masked',
  'notset',
  'not set',
  'changeit',
  'example',
]);
/** Only a value this short can be one of {@link placeholderValues}: the rest skip the lookup. */
const longestPlaceholder = Math.max(...[...placeholderValues].map((value) => value.length));

interface Found {
  start: number;
  end: number;
  score: number;
}

// Scratch space for `entropy`: per-character counts (kept all zero between calls) and the characters in the order
// they first occur.
const entropyCounts = new Uint16Array(128);
const entropyOrder = new Uint8Array(128);

/** Shannon entropy in bits per character of `text[start, end)`. */
function entropy(text: string, start: number, end: number): number {
  // ASCII values count in a typed array rather than a Map; the terms are summed in first-occurrence order either way,
  // so the result is the same to the last bit.
  if (end - start > 0xffff) return entropyByMap(text, start, end); // too long for 16-bit counts
  let distinct = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128) {
      clearCounts(distinct);
      return entropyByMap(text, start, end);
    }
    const seen = entropyCounts[c] as number;
    entropyCounts[c] = seen + 1;
    if (seen === 0) entropyOrder[distinct++] = c;
  }
  return countedEntropy(distinct, end - start);
}

// The terms p·log2(p) of values up to 200 characters long (all but the odd long one), at `length * 201 + count`, each
// computed the first time it is needed (0: not yet, or p = 1, whose term is 0): Math.log2 for every distinct character
// of every value was about 5 % of the SECRET detector's time in a profile. A term is the same to the last bit either way.
const maxTermLength = 200;
const entropyTerms = new Float64Array((maxTermLength + 1) * (maxTermLength + 1));

/** The entropy of the `length` characters counted in `entropyCounts` (`distinct` of them), which it zeroes again. */
function countedEntropy(distinct: number, length: number): number {
  let bits = 0;
  for (let k = 0; k < distinct; k++) {
    const c = entropyOrder[k] as number;
    const count = entropyCounts[c] as number;
    entropyCounts[c] = 0;
    if (length > maxTermLength) {
      const p = count / length;
      bits -= p * Math.log2(p);
      continue;
    }
    const at = length * (maxTermLength + 1) + count;
    let term = entropyTerms[at] as number;
    if (term === 0) {
      const p = count / length;
      term = p * Math.log2(p);
      entropyTerms[at] = term;
    }
    bits -= term;
  }
  return bits;
}

function clearCounts(distinct: number): void {
  for (let k = 0; k < distinct; k++) entropyCounts[entropyOrder[k] as number] = 0;
}

function entropyByMap(text: string, start: number, end: number): number {
  const counts = new Map<number, number>();
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const length = end - start;
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Words and numbers joined by separators: `my_api_key_goes_here_123`, `sso-with-fallback-v2`. */
const identifierSegment = '(?:[a-z]+[0-9]*|[A-Z](?:[a-z]+|[A-Z]+)?[0-9]*|[0-9]+)'; // alternatives start apart
const identifierLike = new RegExp(`^${identifierSegment}(?:[-_.]${identifierSegment})+$`);

const notRandom = 0;
const random = 1;
const randomHex = 2; // hex digits and dashes only

/**
 * Random-looking: letters and digits, not mostly words (`refresh_token_2024`, `ExpiredSessionToken2`: in random
 * base62 a run of four same-case letters is rare), enough entropy for its alphabet, and not a path or a dotted name.
 * `text[start, end)` is value characters (ASCII). Says whether it is hex as well, and counts the characters for its
 * entropy in the same pass: one read of the value instead of three.
 */
function randomness(text: string, start: number, end: number): typeof notRandom | typeof random | typeof randomHex {
  let digits = 0;
  let letters = 0;
  let upper = 0;
  let slashes = 0;
  let dots = 0;
  let base64Marks = 0;
  let separators = 0; // - _ .
  let hex = true;
  let inWords = 0;
  let run = 0;
  let runCase = 0;
  let distinct = 0;
  for (let i = start; i <= end; i++) {
    const c = i < end ? text.charCodeAt(i) : 0;
    const letterCase = c >= 65 && c <= 90 ? 1 : c >= 97 && c <= 122 ? 2 : 0;
    if (letterCase !== 0 && letterCase === runCase) {
      run++;
    } else {
      // A capital opening a lower-case run ("Token") belongs to the word.
      if (run >= 4) inWords += run + (runCase === 2 && text.charCodeAt(i - run - 1) - 65 < 26 ? 1 : 0);
      run = letterCase === 0 ? 0 : 1;
      runCase = letterCase;
    }
    if (i === end) break;
    if (c >= 48 && c <= 57) digits++;
    else if (letterCase !== 0) {
      letters++;
      if (letterCase === 1) upper++;
    } else if (c === 47) slashes++;
    else if (c === 46) dots++;
    else if (c === 43 || c === 61) base64Marks++;
    if (c === 45 || c === 95 || c === 46) separators++;
    if (!is(c, HEX) && c !== 45) hex = false;
    const seen = entropyCounts[c] as number;
    entropyCounts[c] = seen + 1;
    if (seen === 0) entropyOrder[distinct++] = c;
  }
  const first = text.charCodeAt(start);
  if (
    digits === 0 ||
    letters === 0 ||
    inWords * 2 >= digits + letters ||
    // Only letters, digits and at least one separator can be identifier-like: skip the regex (and the slice) otherwise.
    (separators > 0 && digits + letters + separators === end - start && identifierLike.test(text.slice(start, end))) ||
    // "/var/run/secrets/token2", "./keys/id_rsa2", "~/.aws/credentials2"
    ((first === 47 || first === 46 || first === 126) && slashes >= 1 && base64Marks === 0) ||
    // "1.2.3-beta.4", "com.example.token.v2"
    (dots >= 2 && upper === 0 && base64Marks === 0)
  ) {
    clearCounts(distinct);
    return notRandom;
  }
  // 16 random base62 characters average ~3.8 bits each, 16 hex digits ~3.4 (of at most 4).
  const bits = countedEntropy(distinct, end - start);
  if (bits < (hex ? 3 : Math.min(3.5, Math.log2(end - start) - 0.7))) return notRandom;
  return hex ? randomHex : random;
}

/** Characters that may follow an unquoted value (NaN: the end of the text). */
function endsValue(c: number): boolean {
  return Number.isNaN(c) || is(c, DELIMITER);
}

function isQuote(c: number): boolean {
  return c === 34 || c === 39 || c === 96;
}

/** Characters of a name such as `aws_secret_access_key`, `x-api-key`, `db.password`. */
function isNameChar(c: number): boolean {
  return is(c, NAME);
}

/**
 * A random-looking value at `start`: 16-200 value characters, then its closing quote or a delimiter. `runStop` is
 * where the value characters at `start` end, if the caller has read them (at most 201).
 */
function randomValueAt(
  text: string,
  start: number,
  quote: number,
  runStop = runEnd(text, start, VALUE, start + 201),
): Found | undefined {
  if (runStop - start > 200) return undefined;
  const after = text.charCodeAt(runStop);
  if (quote !== 0 ? after !== quote && after !== 92 : !endsValue(after)) return undefined;
  let end = runStop;
  while (end > start && text.charCodeAt(end - 1) === 46) end--; // a sentence's full stop
  if (end - start < 16) return undefined;
  const kind = randomness(text, start, end);
  return kind === notRandom ? undefined : { start, end, score: kind === randomHex ? 0.7 : 0.8 };
}

/**
 * A password value at `start`: quoted (to its closing quote) or up to a delimiter; 4-200 characters (8 after a bare
 * ':'). Scored 0.8 when random-looking, else 0.6; `scored` false skips that test and scores 0.6.
 */
function passwordValueAt(
  text: string,
  start: number,
  quote: number,
  separator: number,
  scored = true,
): Found | undefined {
  const limit = Math.min(text.length, start + 201);
  let end = start;
  if (quote !== 0) {
    while (end < limit) {
      const c = text.charCodeAt(end);
      if (c === quote || c === 10 || c === 13 || (c === 92 && isQuote(text.charCodeAt(end + 1)))) break;
      end++;
    }
    // An unclosed quote ends the value at the end of the line or of the text alike (a record scanned alone or
    // joined with others must read the same); only running past the longest value refuses it.
    if (end === limit && end < text.length) return undefined;
  } else {
    while (end < limit && !endsValue(text.charCodeAt(end))) end++;
    if (end === limit && end < text.length) return undefined;
  }
  const length = end - start;
  // `password=hunter2` is a password however short; after a bare ':' a short word is more likely prose.
  if (length < (quote !== 0 || separator === 61 ? 4 : 8) || length > 200) return undefined;
  const first = text.charCodeAt(start);
  // Template placeholders and masks: ${DB_PASSWORD}, {{ secret }}, <password>, %s, %DB_PASSWORD%, ********. A value
  // that only starts with '%' is no placeholder (`%cKGgahpl6rat9*TzAA3b`).
  if (first === 36 || first === 123 || first === 60) return undefined;
  if (first === 37 && percentPlaceholder.test(text.slice(start, end))) return undefined;
  if (allSameCharacter(text, start, end)) return undefined;
  // (Lower-casing never shortens a string, so a longer value cannot be a placeholder.)
  if (length <= longestPlaceholder && placeholderValues.has(text.slice(start, end).toLowerCase())) return undefined;
  // "Password: required for all accounts" reads as prose; a quoted or '='-assigned word is a real (weak) password.
  if (quote === 0 && separator === 58 && allAsciiLetters(text, start, end)) return undefined;
  // (A value of value characters only ends at a character that is none, so that is where randomValueAt's run ends.)
  const random = scored && runEnd(text, start, VALUE, end) === end && randomValueAt(text, start, 0, end) !== undefined;
  return { start, end, score: random ? 0.8 : 0.6 };
}

function allSameCharacter(text: string, start: number, end: number): boolean {
  const first = text.charCodeAt(start);
  for (let i = start + 1; i < end; i++) if (text.charCodeAt(i) !== first) return false;
  return true;
}

/** Whether `text[start, end)` is all ASCII letters (/^[A-Za-z]+$/ for a non-empty range). */
function allAsciiLetters(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) | 32;
    if (c < 97 || c > 122) return false;
  }
  return true;
}

/**
 * Whether `text` at `at` reads `word` (lower-case ASCII) once lower-cased, as `toLowerCase` would: ASCII letters in
 * either case, and the Kelvin sign (U+212A), which lower-cases to "k".
 */
function startsWithLowerCased(text: string, at: number, word: string): boolean {
  for (let j = 0; j < word.length; j++) {
    const c = text.charCodeAt(at + j);
    const w = word.charCodeAt(j);
    if (c !== w && !(w >= 97 && w <= 122 && (c === w - 32 || (w === 107 && c === 0x212a)))) return false;
  }
  return true;
}

/** The value assigned to the name holding the keyword at `[keyStart, keyEnd)`, if there is one. */
function assignedSecret(text: string, keyStart: number, keyEnd: number): Found | undefined {
  // The whole name: back to its start, forward through at most two more words.
  let nameStart = keyStart;
  while (nameStart > keyStart - 32 && isNameChar(text.charCodeAt(nameStart - 1))) nameStart--;
  let nameEnd = keyEnd;
  for (let words = 0; ; words++) {
    const limit = nameEnd + 32;
    while (nameEnd < limit && isNameChar(text.charCodeAt(nameEnd))) nameEnd++;
    if (words === 2 || text.charCodeAt(nameEnd) !== 32 || !is(text.charCodeAt(nameEnd + 1), ALNUM)) break;
    nameEnd++;
  }
  // The separator: ':' or '=' (also ':=', '=>'), after a closing quote, escaped or not.
  let sep = nameEnd;
  while (sep < nameEnd + 4 && (isQuote(text.charCodeAt(sep)) || text.charCodeAt(sep) === 92)) sep++;
  while (sep < nameEnd + 6 && (text.charCodeAt(sep) === 32 || text.charCodeAt(sep) === 9)) sep++;
  const separator = text.charCodeAt(sep);
  if (separator !== 58 && separator !== 61) {
    // No assignment: perhaps prose naming the credential, its value after a space (the keyword's word only).
    let wordEnd = keyEnd;
    while (wordEnd < keyEnd + 32 && isNameChar(text.charCodeAt(wordEnd))) wordEnd++;
    // spacedSecret needs a space or tab right after the word: test that before building the name.
    const gap = text.charCodeAt(wordEnd);
    if (gap !== 32 && gap !== 9) return undefined;
    const length = compactName(text, nameStart, wordEnd, false);
    return isCredentialName(length) || isPasswordName(length) ? spacedSecret(text, wordEnd) : undefined;
  }
  let i = sep + 1;
  const next = text.charCodeAt(i);
  if (next === 47 /* :// */ || (separator === 61 && next === 61) /* == */) return undefined;
  if (next === 61 /* := */ || next === 62 /* => */) i++;
  while (i < sep + 6 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  let quote = 0;
  let q = i;
  while (text.charCodeAt(q) === 92 && q - i < 3) q++;
  if (isQuote(text.charCodeAt(q))) {
    quote = text.charCodeAt(q);
    i = q + 1;
  }
  // "Authorization: Basic dXNlcjpw…", "token: Token abc…"; Bearer values are read from the "Bearer" keyword.
  if (startsWithLowerCased(text, i, 'bearer ')) return undefined;
  if (startsWithLowerCased(text, i, 'basic ') || startsWithLowerCased(text, i, 'token ')) i += 6;

  const length = compactName(text, nameStart, nameEnd, true);
  if (lastWordIsPasswordName(text, nameStart, nameEnd) || isPasswordName(length)) {
    return passwordValueAt(text, i, quote, separator);
  }
  // The keyword is "pass" (the only 4-letter keyword starting with p): passenger, compass, bypass.
  if (keyEnd - keyStart === 4 && (text.charCodeAt(keyStart) | 32) === 112) return undefined;
  if (compactIncludes(length, 'secret') && compactIncludes(length, 'access')) {
    // An AWS secret access key: exactly 40 characters of [A-Za-z0-9/+] behind its name.
    const end = runEnd(text, i, BASE64, i + 41);
    if (end - i === 40 && !text.slice(i, end).includes('=') && !is(text.charCodeAt(end), VALUE)) {
      return { start: i, end, score: 0.95 };
    }
  }
  // A run of value characters too long for a value (a JWT after `token=`) has no closing quote or delimiter in reach
  // either, so no keyed value: saying so here saves reading it again for one.
  const runStop = runEnd(text, i, VALUE, i + 201);
  if (runStop - i > 200) return undefined;
  return (
    randomValueAt(text, i, quote, runStop) ??
    (isCredentialName(length)
      ? keyedValueAt(text, i, quote, separator, nameStart >= 3 && text.startsWith('://', nameStart - 3))
      : undefined)
  );
}

/** Whether `text[start, end)` is all printable ASCII (no spaces). */
function printableAscii(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c >= 127) return false;
  }
  return true;
}

/** Whether `text[start, end)` has an '@' with a '.' after it: an email address, or user info before a host. */
function atThenDot(text: string, start: number, end: number): boolean {
  let i = start;
  while (i < end && text.charCodeAt(i) !== 64 /* @ */) i++;
  while (i < end && text.charCodeAt(i) !== 46 /* . */) i++;
  return i < end;
}

// A name, lower-cased and without its separators (`AWS Secret-Access_Key` → "awssecretaccesskey"), as character
// codes in a scratch buffer: the name tests below read it there rather than from strings built for each keyword.
// A name is at most 32 + 11 + 98 characters (see assignedSecret).
const compacted = new Uint8Array(256);

/**
 * Writes `text[start, end)` (a name: ASCII letters, digits, `_`, `-`, `.` and spaces) to `compacted`, lower-cased,
 * without `_`, `-`, `.` and, if `dropSpaces`, spaces. Returns its length.
 */
function compactName(text: string, start: number, end: number, dropSpaces: boolean): number {
  let length = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 95 || c === 45 || c === 46 || (c === 32 && dropSpaces)) continue;
    compacted[length++] = c | 32; // lower-cases ASCII letters, keeps digits and spaces
  }
  return length;
}

function compactEndsWith(length: number, word: string): boolean {
  const from = length - word.length;
  if (from < 0) return false;
  for (let j = 0; j < word.length; j++) if (compacted[from + j] !== word.charCodeAt(j)) return false;
  return true;
}

function compactIncludes(length: number, word: string): boolean {
  for (let from = 0; from + word.length <= length; from++) {
    let j = 0;
    while (j < word.length && compacted[from + j] === word.charCodeAt(j)) j++;
    if (j === word.length) return true;
  }
  return false;
}

/** Name endings that say the value is a password. */
const passwordNames = ['password', 'passwd', 'pwd', 'passphrase'];

/** Whether the compacted name says its value is a password: it ends with a password word or is "pass". */
function isPasswordName(length: number): boolean {
  return passwordNames.some((word) => compactEndsWith(length, word)) || (length === 4 && compactEndsWith(4, 'pass'));
}

/** Whether the last word of the name `text[start, end)` (after its last space) ends with a password word or `pass`. */
function lastWordIsPasswordName(text: string, start: number, end: number): boolean {
  let wordStart = end;
  while (wordStart > start && text.charCodeAt(wordStart - 1) !== 32) wordStart--;
  if (passwordNames.some((word) => endsWithLowerCased(text, wordStart, end, word))) return true;
  // "pass" on its own or after a separator (db_pass, db.pass), not in "bypass".
  if (!endsWithLowerCased(text, wordStart, end, 'pass')) return false;
  const before = end - 5;
  const c = text.charCodeAt(before);
  return before < wordStart || c === 95 || c === 46 || c === 45;
}

/** Whether ASCII `text[start, end)` ends with the lower-case `word` once lower-cased. */
function endsWithLowerCased(text: string, start: number, end: number, word: string): boolean {
  const from = end - word.length;
  if (from < start) return false;
  for (let j = 0; j < word.length; j++) if ((text.charCodeAt(from + j) | 32) !== word.charCodeAt(j)) return false;
  return true;
}

/** Name endings that say the value is a credential (`api_key`, `client_secret`, `authToken`), compacted. */
const credentialNames = [
  'secret',
  'token',
  'apikey',
  'accesskey',
  'secretkey',
  'privatekey',
  'signingkey',
  'encryptionkey',
  'authorization',
  'auth',
  'credential',
  'credentials',
  'sessionid',
];

function isCredentialName(length: number): boolean {
  return credentialNames.some((word) => compactEndsWith(length, word));
}

/**
 * A value assigned to a credential name that does not look random (`"api_key": "abc123def"`, `api_key: D0Qh@s0K!…`):
 * a credential by its name all the same, so reported at 0.55 when it is 8+ characters with a digit or a symbol and
 * some variety — but not a lone or compound word (`token: expired`, `refresh_token_2024`, `ExpiredSessionToken2`), a
 * path, a URL, an email address, a version or a date, which name settings rather than hold secrets. `urlUser`: the
 * name is the user of a URL (`https://x-access-token:…@github.com/`).
 */
function keyedValueAt(
  text: string,
  start: number,
  quote: number,
  separator: number,
  urlUser: boolean,
): Found | undefined {
  const found = passwordValueAt(text, start, quote, separator, false);
  if (found === undefined) return undefined;
  // Unquoted, a value runs to whitespace or a delimiter and may hold symbols (`api_key: 7gO9H^s6eON1#-PE`), but only
  // printable ASCII ones; it is not the password of a URL's user info (`token:ghp_…@github.com/…`), which the URL
  // rule and the vendor detectors find, nor an email address, nor a label (`key: Proc-Type: …`), nor a vendor key
  // with more after it (`sk-…:x`), which the vendor rule bounds by its format.
  if (
    quote === 0 &&
    runEnd(text, found.start, VALUE, found.end) !== found.end &&
    (urlUser ||
      vendorPrefixAt(text, found.start) !== undefined ||
      !printableAscii(text, found.start, found.end) ||
      atThenDot(text, found.start, found.end) ||
      text.charCodeAt(found.start) === 58 /* : */ ||
      text.charCodeAt(found.end - 1) === 58)
  ) {
    return undefined;
  }
  const value = text.slice(found.start, found.end);
  if (!/[^A-Za-z]/.test(value) || /^[0-9:.TZ+\-/ ]+$/.test(value) || identifierLike.test(value)) return undefined;
  if (/^[/.~]|:\/\/|\s/.test(value) || (value.split('.').length > 2 && !/[A-Z+/=]/.test(value))) return undefined;
  if (mostlyWords(text, found.start, found.end) || entropy(text, found.start, found.end) < 2.5) return undefined;
  return { ...found, score: 0.55 };
}

/** A printf conversion (`%s`, `%(password)s`, `%-12.4f`) or a Windows environment variable (`%DB_PASSWORD%`). */
const percentPlaceholder = /^%(?:\([\w.-]*\))?[-#0 +]*(?:[1-9]\d*)?(?:\.\d+)?[A-Za-z]$|^%\w+%$/;

const spacedGap = /[ \t]{1,3}(?:(?:is|was|=)[ \t]{1,3})?/y;

/**
 * A random-looking value after a credential name and a space, in prose (`use client_secret 4kp!7Hjj95gAQ… for`,
 * `the DB password is 7wGSkTwP…`): 12-200 characters up to the next space, with letters and digits, not words, and
 * at least 3.5 bits of entropy per character (3 for hex digits, whose alphabet has 16) — prose after the same names
 * ("the secret sauce") has none of that. Not a path (`/srv/app/token2`), though base64 may start with a slash.
 */
function spacedSecret(text: string, from: number): Found | undefined {
  spacedGap.lastIndex = from;
  if (!spacedGap.test(text)) return undefined;
  const start = spacedGap.lastIndex;
  const limit = Math.min(text.length, start + 201);
  let end = start;
  while (end < limit) {
    const c = text.charCodeAt(end);
    if (c <= 32 || isQuote(c) || c === 60 || c === 62 || c === 92) break;
    end++;
  }
  while (end - start > 12 && isTrailingPunctuation(text.charCodeAt(end - 1))) end--;
  if (end - start < 12 || end - start > 200) return undefined;
  if (!hasDigitAndLetter(text, start, end)) return undefined;
  const value = text.slice(start, end);
  if (/^[/.~]/.test(value) && !markedBase64(value)) return undefined;
  if (value.includes('://') || identifierLike.test(value)) return undefined;
  const minimumEntropy = isHex(text, start, end) ? 3 : 3.5;
  if (mostlyWords(text, start, end) || entropy(text, start, end) < minimumEntropy) return undefined;
  return { start, end, score: 0.6 };
}

/** Whether `value` is base64 with a '+' in it or '=' padding at its end: `/ONAt3Z9vMcZ8A/pFD9FC…Wnsk=` is no path. */
function markedBase64(value: string): boolean {
  const body = value.replace(/={1,2}$/, '');
  return /^[A-Za-z0-9+/]+$/.test(body) && (body.length < value.length || body.includes('+'));
}

/** . , ; : ) ! ? */
function isTrailingPunctuation(c: number): boolean {
  return c === 46 || c === 44 || c === 59 || c === 58 || c === 41 || c === 33 || c === 63;
}

/**
 * Whether runs of 4+ same-case letters (words) make up half of `text[start, end)` or more: the words
 * /[A-Z]?[a-z]{4,}|[A-Z]{4,}/g would match, counted the way it matches them, left to right.
 */
function mostlyWords(text: string, start: number, end: number): boolean {
  let inWords = 0;
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      let j = i + 1;
      while (j < end && isLowerAscii(text.charCodeAt(j))) j++;
      if (j - i >= 4) inWords += j - i;
      i = j; // a shorter run inside this one is no word either
    } else if (c >= 65 && c <= 90) {
      let j = i + 1;
      while (j < end && isLowerAscii(text.charCodeAt(j))) j++;
      if (j - i - 1 >= 4) {
        inWords += j - i; // a capital and its lower-case word
        i = j;
        continue;
      }
      j = i + 1;
      while (j < end && isUpperAscii(text.charCodeAt(j))) j++;
      if (j - i >= 4) {
        inWords += j - i;
        i = j;
      } else {
        i++; // the next capital may open a word ("ABcdef")
      }
    } else {
      i++;
    }
  }
  return inWords * 2 >= end - start;
}

function isLowerAscii(c: number): boolean {
  return c >= 97 && c <= 122;
}

function isUpperAscii(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** "Bearer <token>" (any case), the keyword at `[keyStart, keyEnd)`. */
function bearerToken(text: string, keyStart: number, keyEnd: number): Found | undefined {
  if (is(text.charCodeAt(keyStart - 1), ALNUM)) return undefined;
  let i = keyEnd;
  while (i < keyEnd + 3 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  if (i === keyEnd) return undefined;
  // The token's run read once, for both tests below.
  const end = runEnd(text, i, VALUE, i + 4097);
  const value = end - i <= 200 ? randomValueAt(text, i, 0, end) : undefined;
  if (value !== undefined) return { ...value, score: 0.85 };
  // Not random-looking, but 16+ token characters after "Bearer" are a token all the same ("the bearer of" is not).
  if (end - i < 16 || end - i > 4096 || !endsValue(text.charCodeAt(end))) return undefined;
  return { start: i, end, score: 0.7 };
}

/** The password in `scheme://user:password@host`, where `://` is at `colon`. */
function urlPassword(text: string, colon: number): Found | undefined {
  let s = colon - 1;
  while (s >= colon - 32 && isSchemeChar(text.charCodeAt(s))) s--;
  if (colon - s - 1 < 2) return undefined;
  const limit = Math.min(text.length, colon + 3 + 256);
  let userColon = -1;
  let i = colon + 3;
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 64 /* @ */) break;
    if (c === 58 && userColon === -1) userColon = i;
    if (c <= 32 || c === 47 || c === 63 || c === 35 || isQuote(c) || c === 60 || c === 62 || c === 92) return;
  }
  if (text.charCodeAt(i) !== 64 || userColon === -1 || i - userColon - 1 < 1) return undefined;
  const password = text.slice(userColon + 1, i);
  const first = password.charCodeAt(0);
  if (first === 36 || first === 123 || first === 37 || first === 60) return undefined; // ${PW}, {pw}, %s, <pw>
  if (password.split(password.charAt(0)).length === password.length + 1) return undefined; // "****", "xxx"
  return { start: userColon + 1, end: i, score: 0.9 };
}

function isSchemeChar(c: number): boolean {
  return is(c, ALNUM) || c === 43 || c === 45 || c === 46;
}

/** SECRET findings of one text, pushed to `spans` as they come: a value found twice (from two keywords) counts once. */
class SecretFindings {
  readonly #spans: Span[];
  #starts: Set<number> | undefined;

  constructor(spans: Span[]) {
    this.#spans = spans;
  }

  add(found: Found | undefined): void {
    if (found === undefined) return;
    this.#starts ??= new Set();
    if (this.#starts.has(found.start)) return;
    this.#starts.add(found.start);
    this.#spans.push({ type: 'SECRET', start: found.start, end: found.end, score: found.score });
  }
}

/** Whether the keyword `auth` ending at `end` is the start of "author…" but not of "authoris…"/"authoriz…". */
function authorNotAuthorization(text: string, end: number): boolean {
  // The same test as /^or(?!i[sz])/i on the next four characters, without slicing them out.
  if ((text.charCodeAt(end) | 32) !== 111 /* o */ || (text.charCodeAt(end + 1) | 32) !== 114 /* r */) return false;
  const third = text.charCodeAt(end + 2) | 32;
  const fourth = text.charCodeAt(end + 3) | 32;
  // "authoris…", "authoriz…": i, then s or z
  return !(third === 105 && (fourth === 115 || fourth === 122));
}

function secretDetector(): IndexedDetector {
  return indexedDetector('SECRET', labels, (index, spans) => {
    const { text } = index;
    const findings = new SecretFindings(spans);
    const keywords = findSecretKeywords(index.placed);
    let vendorStarts: number[] | undefined;
    let urlColons: number[] | undefined;
    // Keywords are taken left to right, each read past the end of the one taken before (as a regex scan would).
    let next = 0;
    for (let k = 0; k < keywords.length; k += 2) {
      const start = keywords[k] as number;
      const found = keywords[k + 1] as number;
      const kind = keywordKinds[found & 15];
      if (kind === 'url') {
        // Read after the keywords, as a scan of its own.
        urlColons ??= [];
        urlColons.push(start);
        continue;
      }
      if (start < next) continue;
      const end = start + (found >> 4);
      next = end;
      if (kind === 'vendor') {
        // Checked after the URLs, as a scan of its own; resuming right after the prefix's first character hides no
        // keyword ("AIzapikey").
        vendorStarts ??= [];
        vendorStarts.push(start);
        next = start + 1;
      } else if (kind === 'bearer') {
        findings.add(bearerToken(text, start, end));
      } else if (!(kind === 'auth' && authorNotAuthorization(text, end))) {
        // (not "author", "authority": "authorization" is a credential's name)
        findings.add(assignedSecret(text, start, end));
      }
    }
    if (urlColons !== undefined) for (const colon of urlColons) findings.add(urlPassword(text, colon));
    if (vendorStarts !== undefined) vendorKeys(text, vendorStarts, findings);
  });
}
