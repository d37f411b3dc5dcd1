import { isIP } from 'node:net';
import type { Span } from '../types.js';
import { isAsciiLetter, isDigit, isHexDigit, isWordChar } from './characters.js';
import { type IndexedDetector, indexedDetector } from './text-index.js';

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
  return indexedDetector('IP_ADDRESS', ['pii', 'network'], ({ text }, spans) => {
    const ipv6: Span[] = [];
    findIpv6(text, ipv6);
    // An IPv4 embedded in an IPv6 address (`::ffff:192.0.2.1`) is part of that finding, not one of its own.
    findIpv4(text, ipv6, spans);
    spans.push(...ipv6);
  });
}

const versionCue = /(?:^|[^a-z])(?:v|ver|version|build|release|rev|revision|firmware)\.?\s*[:#=]?\s*$/i;

/**
 * Dotted quads, found from their first dot: far fewer dots than digit runs, and `indexOf` finds them natively. The
 * octets are read from the text as maximal runs of digits, as the text's digit runs would give them.
 */
function findIpv4(text: string, ipv6: readonly Span[], spans: Span[]): void {
  let v6 = 0;
  let dot = text.indexOf('.');
  while (dot !== -1) {
    // Most dots end a sentence or split a host name: the character before rules them out.
    const start = octetStart(text, dot);
    const end = start === -1 ? -1 : quadEnd(text, dot);
    if (end !== -1 && isIpv4At(text, start, end)) {
      while (v6 < ipv6.length && ipv6[v6]!.end <= start) v6++;
      if (v6 >= ipv6.length || ipv6[v6]!.start >= end) {
        spans.push({ type: 'IP_ADDRESS', start, end, score: 0.85 });
        // The quad's last octet never starts another: the search goes on after it.
        dot = text.indexOf('.', end + 1);
        continue;
      }
    }
    dot = text.indexOf('.', dot + 1);
  }
}

/** Where the dotted quad whose first dot is at `dot` ends, or -1: three more octets, each after a single dot. */
function quadEnd(text: string, dot: number): number {
  let end = octetEnd(text, dot + 1);
  for (let part = 2; part < 4 && end !== -1; part++) {
    end = text.charCodeAt(end) === 46 ? octetEnd(text, end + 1) : -1;
  }
  return end;
}

/**
 * An octet is a whole run of one to three digits, without a leading zero, at most 255 (a longer run is never one).
 * These two read it forwards from its start and backwards from its end, each character once: most candidates are
 * a time's fraction or a decimal (`56.123Z`, `3.14`) and fail within a few characters.
 */
function octetEnd(text: string, start: number): number {
  const first = text.charCodeAt(start) - 48;
  if (!(first >= 0 && first <= 9)) return -1;
  const second = text.charCodeAt(start + 1) - 48;
  if (!(second >= 0 && second <= 9)) return start + 1;
  const third = text.charCodeAt(start + 2) - 48;
  if (!(third >= 0 && third <= 9)) return first === 0 ? -1 : start + 2;
  if (first === 0 || isDigit(text.charCodeAt(start + 3))) return -1;
  return first * 100 + second * 10 + third <= 255 ? start + 3 : -1;
}

/** The start of the octet that ends at `end` (see {@link octetEnd}), or -1. */
function octetStart(text: string, end: number): number {
  const last = text.charCodeAt(end - 1) - 48;
  if (!(last >= 0 && last <= 9)) return -1;
  const second = text.charCodeAt(end - 2) - 48;
  if (!(second >= 0 && second <= 9)) return end - 1;
  const first = text.charCodeAt(end - 3) - 48;
  if (!(first >= 0 && first <= 9)) return second === 0 ? -1 : end - 2;
  if (first === 0 || isDigit(text.charCodeAt(end - 4))) return -1;
  return first * 100 + second * 10 + last <= 255 ? end - 3 : -1;
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

function findIpv6(text: string, spans: Span[]): void {
  let floor = 0;
  let colon = text.indexOf(':');
  while (colon !== -1) {
    // Only a colon before a hex digit or another colon can be inside an address.
    const next = text.charCodeAt(colon + 1);
    if (!isHexDigit(next) && next !== 58) {
      colon = text.indexOf(':', colon + 1);
      continue;
    }
    // The token of hex digits, colons and dots around this colon; never back over the last one. Its colons are
    // counted on the way: most tokens are times (`18:10:56.123`).
    let colons = 1;
    let compressed = false;
    let start = colon;
    while (start > floor) {
      const code = text.charCodeAt(start - 1);
      if (!isIpv6Char(code)) break;
      if (code === 58) {
        colons++;
        if (text.charCodeAt(start) === 58) compressed = true;
      }
      start--;
    }
    let end = colon + 1;
    while (end < text.length) {
      const code = text.charCodeAt(end);
      if (!isIpv6Char(code)) break;
      if (code === 58) {
        colons++;
        if (text.charCodeAt(end - 1) === 58) compressed = true;
      }
      end++;
    }
    floor = end;
    // Without a `::` an IPv6 address has seven colons, or six before an embedded IPv4.
    if (compressed || colons >= 6) {
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

function isIpv6Char(code: number): boolean {
  return isHexDigit(code) || code === 58 || code === 46;
}

function isZoneChar(code: number): boolean {
  return isDigit(code) || isAsciiLetter(code) || code === 95 || code === 46 || code === 45;
}
