import { isIP } from 'node:net';
import type { Span } from '../types.js';
import { isAsciiLetter, isDigit, isHexDigit, isWordChar } from './characters.js';
import { type DigitRuns, type IndexedDetector, indexedDetector } from './text-index.js';

/**
 * IP_ADDRESS (personal data under the GDPR, so labelled `pii` as well as `network`). Score 0.85.
 *
 * - IPv4: a dotted quad, octets 0–255 without leading zeros (`01.2.3.4` is refused), not part of a longer dotted
 *   run of numbers (`1.2.3.4.5`, `10.0.0.1.2` are versions) and not right after a version cue: `v1.2.3.4`,
 *   `version 1.2.3.4`, `build: 1.2.3.4` are versions too.
 * - IPv6: full, compressed (`::`), with an embedded IPv4 and an optional zone (`fe80::1%eth0`), checked with
 *   `node:net`'s `isIP`. Found from each `:` followed by a hex digit. Refused: tokens glued to a word
 *   (`std::vector`, `d::`), MAC and EUI-64 shapes (all groups of two hex digits), hex-free or digit-free tokens
 *   (`::`, `dead::beef`), and short compressed forms without a group of three or more hex digits (`1::2`,
 *   `a[10::20]`, `::1`) — slices, scopes and loopback, not addresses worth masking.
 */
export function ipDetector(): IndexedDetector {
  return indexedDetector('IP_ADDRESS', ['pii', 'network'], ({ text, digitRuns }, spans) => {
    const ipv6: Span[] = [];
    findIpv6(text, ipv6);
    // An IPv4 embedded in an IPv6 address (`::ffff:192.0.2.1`) is part of that finding, not one of its own.
    findIpv4(text, digitRuns, ipv6, spans);
    spans.push(...ipv6);
  });
}

const versionCue = /(?:^|[^a-z])(?:v|ver|version|build|release|rev|revision|firmware)\.?\s*[:#=]?\s*$/i;

/**
 * Dotted quads, found from the text's digit runs: an octet is a whole run, so a quad is four runs of one to three
 * digits with a single `.` between each two. Walking the runs the scan has already found is cheaper than finding
 * every `.` in the text, most of which end a sentence or split a host name.
 */
function findIpv4(text: string, runs: DigitRuns, ipv6: readonly Span[], spans: Span[]): void {
  if (runs.length < 8) return;
  let v6 = 0;
  // Whether each of the first three runs from `runs[i]` is followed by a single `.` and the next run (0 when it is):
  // carried over from run to run, so each is tested once, and tested together in one rarely taken branch, which
  // is mispredicted far less often than a branch per test.
  let first = dotAfter(text, runs, 1);
  let second = dotAfter(text, runs, 3);
  for (let i = 0; i + 7 < runs.length; i += 2) {
    const third = dotAfter(text, runs, i + 5);
    if ((first | second | third) === 0 && isQuadAt(text, runs, i)) {
      // The later runs of a quad found here never start one: a quad right after a digit and a `.` is refused.
      const start = runs[i]!;
      const end = runs[i + 7]!;
      while (v6 < ipv6.length && ipv6[v6]!.end <= start) v6++;
      if (isIpv4At(text, start, end) && (v6 >= ipv6.length || ipv6[v6]!.start >= end)) {
        spans.push({ type: 'IP_ADDRESS', start, end, score: 0.85 });
      }
    }
    first = second;
    second = third;
  }
}

/** 0 when the run ending at `runs[endAt]` is followed by a single `.` and then the next run. */
function dotAfter(text: string, runs: DigitRuns, endAt: number): number {
  const end = runs[endAt]!;
  return (runs[endAt + 1]! - end - 1) | (text.charCodeAt(end) ^ 46);
}

/** Whether the four runs from `runs[i]`, known to be separated by single dots, are octets. */
function isQuadAt(text: string, runs: DigitRuns, i: number): boolean {
  return (
    isOctet(text, runs[i]!, runs[i + 1]!) &&
    isOctet(text, runs[i + 2]!, runs[i + 3]!) &&
    isOctet(text, runs[i + 4]!, runs[i + 5]!) &&
    isOctet(text, runs[i + 6]!, runs[i + 7]!)
  );
}

/** Whether the digit run `text[start, end)` is an octet: one to three digits, no leading zero, at most 255. */
function isOctet(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length === 1) return true;
  const first = text.charCodeAt(start) - 48;
  if (length > 3 || first === 0) return false;
  return length === 2 || first * 100 + (text.charCodeAt(start + 1) - 48) * 10 + text.charCodeAt(start + 2) - 48 <= 255;
}

/** The quad at `[start, end)` stands alone: not glued to a word or a longer dotted run, not after a version cue. */
function isIpv4At(text: string, start: number, end: number): boolean {
  const before = text.charCodeAt(start - 1);
  const after = text.charCodeAt(end);
  if (isWordChar(before) || isWordChar(after)) return false;
  if (before === 46 && isWordChar(text.charCodeAt(start - 2))) return false;
  if (after === 46 && isWordChar(text.charCodeAt(end + 1))) return false;
  return !(mayFollowVersionCue(text, start) && versionCue.test(text.slice(Math.max(0, start - 16), start)));
}

/**
 * Whether, going back from `start` over what may follow a version cue (spaces, `.`, `:`, `#`, `=`), a letter comes
 * within the cue's 16-character window: the cue's pattern cannot match without one, and most quads follow a
 * newline or a quote.
 */
function mayFollowVersionCue(text: string, start: number): boolean {
  const limit = Math.max(0, start - 16);
  let i = start - 1;
  while (i >= limit && mayFollowCue(text.charCodeAt(i))) i--;
  return i >= limit && isAsciiLetter(text.charCodeAt(i));
}

/** `\s`, `.`, `:`, `#` and `=`, and (not worth telling apart) anything past ASCII. */
function mayFollowCue(code: number): boolean {
  return (
    code === 32 || code === 46 || code === 58 || code === 35 || code === 61 || (code >= 9 && code <= 13) || code > 127
  );
}

const maxIpv6 = 45;

/** What an ASCII character can be in an IPv6 token, one bit each, read from a table: cheaper than chains of tests. */
const hexDigit = 1;
const tokenDot = 2;
const tokenColon = 4;

const tokenKinds = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  tokenKinds[code] = isHexDigit(code) ? hexDigit : code === 46 ? tokenDot : code === 58 ? tokenColon : 0;
}

/** The {@link tokenKinds} bit of a character code; 0 past ASCII and for `NaN` (outside the text). */
function tokenKind(code: number): number {
  return code < 128 ? tokenKinds[code]! : 0;
}

function findIpv6(text: string, spans: Span[]): void {
  let floor = 0;
  let colon = text.indexOf(':');
  while (colon !== -1) {
    // Only a colon before a hex digit or another colon can be inside an address.
    if ((tokenKind(text.charCodeAt(colon + 1)) & (hexDigit | tokenColon)) === 0) {
      colon = text.indexOf(':', colon + 1);
      continue;
    }
    // The token of hex digits, colons and dots around this colon; never back over the last one. Its colons, and
    // whether two are adjacent, are counted on the way without a branch: most tokens are times (`18:10:56.123`).
    let colons = 1;
    let adjacent = 0;
    let start = colon;
    let following = tokenColon;
    while (start > floor) {
      const kind = tokenKind(text.charCodeAt(start - 1));
      if (kind === 0) break;
      colons += kind >>> 2;
      adjacent |= kind & following;
      following = kind;
      start--;
    }
    let end = colon + 1;
    let previous = tokenColon;
    for (let kind = tokenKind(text.charCodeAt(end)); kind !== 0; kind = tokenKind(text.charCodeAt(++end))) {
      colons += kind >>> 2;
      adjacent |= kind & previous;
      previous = kind;
    }
    floor = end;
    // Without a `::` an IPv6 address has seven colons, or six before an embedded IPv4.
    if ((adjacent & tokenColon) !== 0 || colons >= 6) {
      const found = ipv6In(text, start, end);
      if (found !== undefined) spans.push(found);
    }
    colon = text.indexOf(':', end);
  }
}

function ipv6In(text: string, tokenStart: number, tokenEnd: number): Span | undefined {
  let start = tokenStart;
  let end = tokenEnd;
  // Punctuation around an address in prose: `at:fe80::1`, `fe80::1.`, `fe80::1:` — but never half of a `::`.
  while (end > start && text.charCodeAt(end - 1) === 46) end--;
  if (text.charCodeAt(end - 1) === 58 && text.charCodeAt(end - 2) !== 58) end--;
  if (text.charCodeAt(start) === 58 && text.charCodeAt(start + 1) !== 58) start++;
  if (end - start < 3 || end - start > maxIpv6) return undefined;
  if (isWordChar(text.charCodeAt(start - 1))) return undefined;
  // An optional zone: `%eth0`, `%25en0`.
  let zoneEnd = end;
  if (end === tokenEnd && text.charCodeAt(end) === 37) {
    zoneEnd = end + 1;
    while (zoneEnd - end <= 32 && isZoneChar(text.charCodeAt(zoneEnd))) zoneEnd++;
    if (zoneEnd === end + 1 || zoneEnd - end > 32) return undefined;
  }
  if (isWordChar(text.charCodeAt(zoneEnd))) return undefined;
  if (!looksLikeAnAddress(text, start, end)) return undefined;
  if (isIP(text.slice(start, zoneEnd)) !== 6) return undefined;
  return { type: 'IP_ADDRESS', start, end: zoneEnd, score: 0.85 };
}

/** The shape checks on `text[start, end)` (hex digits, colons and dots) that {@link isIP} does not make. */
function looksLikeAnAddress(text: string, start: number, end: number): boolean {
  let colons = 0;
  let lastColon = -1;
  let compressed = false;
  let firstDot = -1;
  let dots = 0;
  let hasDigit = false;
  let longGroup = false;
  let allPairs = true;
  let group = 0;
  for (let i = start; i <= end; i++) {
    const code = text.charCodeAt(i);
    if (i === end || code === 58) {
      if (group >= 3) longGroup = true;
      if (group !== 2) allPairs = false;
      if (i < end) {
        if (i > start && text.charCodeAt(i - 1) === 58) compressed = true;
        colons++;
        lastColon = i;
      }
      group = 0;
      continue;
    }
    if (code === 46) {
      if (firstDot === -1) firstDot = i;
      dots++;
    } else if (isDigit(code)) {
      hasDigit = true;
    }
    group++;
  }
  if (colons < 2 || !hasDigit || (!compressed && allPairs)) return false;
  // Dots only as an embedded IPv4 at the end (`::ffff:192.0.2.1`), never in a time (`06:42:52.088`).
  if (firstDot !== -1 && (firstDot < lastColon || dots !== 3)) return false;
  return longGroup || (!compressed && colons === 7);
}

function isZoneChar(code: number): boolean {
  return isDigit(code) || isAsciiLetter(code) || code === 95 || code === 46 || code === 45;
}
