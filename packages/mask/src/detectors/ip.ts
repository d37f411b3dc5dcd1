import { isIP } from 'node:net';
import type { Span } from '../types.js';
import { isAsciiLetter, isDigit, isHexDigit, isWordChar } from './characters.js';
import { type IndexedDetector, indexedDetector, type TextIndex } from './text-index.js';

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
  return indexedDetector('IP_ADDRESS', ['pii', 'network'], (index, spans) => {
    const ipv6: Span[] = [];
    findIpv6(index.text, ipv6);
    // An IPv4 embedded in an IPv6 address (`::ffff:192.0.2.1`) is part of that finding, not one of its own.
    findIpv4(index, ipv6, spans);
    spans.push(...ipv6);
  });
}

const versionCue = /(?:^|[^a-z])(?:v|ver|version|build|release|rev|revision|firmware)\.?\s*[:#=]?\s*$/i;

function findIpv4({ text, digitRuns: runs }: TextIndex, ipv6: readonly Span[], spans: Span[]): void {
  let v6 = 0;
  for (let k = 0; k + 7 < runs.length; k += 2) {
    if (runs[k + 1]! - runs[k]! > 3 || text.charCodeAt(runs[k + 1]!) !== 46) continue;
    let quad = true;
    for (let part = 0; part < 4 && quad; part++) {
      const start = runs[k + 2 * part]!;
      const end = runs[k + 2 * part + 1]!;
      quad =
        isOctet(text, start, end) &&
        (part === 3 || (text.charCodeAt(end) === 46 && runs[k + 2 * part + 2] === end + 1));
    }
    if (!quad) continue;
    const start = runs[k]!;
    const end = runs[k + 7]!;
    const before = text.charCodeAt(start - 1);
    const after = text.charCodeAt(end);
    if (isWordChar(before) || isWordChar(after)) continue;
    if (before === 46 && isWordChar(text.charCodeAt(start - 2))) continue;
    if (after === 46 && isWordChar(text.charCodeAt(end + 1))) continue;
    if (versionCue.test(text.slice(Math.max(0, start - 16), start))) continue;
    while (v6 < ipv6.length && ipv6[v6]!.end <= start) v6++;
    if (v6 < ipv6.length && ipv6[v6]!.start < end) continue;
    spans.push({ type: 'IP_ADDRESS', start, end, score: 0.85 });
    k += 6;
  }
}

function isOctet(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length < 1 || length > 3) return false;
  if (length > 1 && text.charCodeAt(start) === 48) return false;
  return Number(text.slice(start, end)) <= 255;
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
    // The token of hex digits, colons and dots around this colon; never back over the last one.
    let start = colon;
    while (start > floor && isIpv6Char(text.charCodeAt(start - 1))) start--;
    let end = colon + 1;
    while (end < text.length && isIpv6Char(text.charCodeAt(end))) end++;
    floor = end;
    const found = ipv6In(text, start, end);
    if (found !== undefined) spans.push(found);
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
  const address = text.slice(start, end);
  if (!looksLikeAnAddress(address)) return undefined;
  if (isIP(text.slice(start, zoneEnd)) !== 6) return undefined;
  return { type: 'IP_ADDRESS', start, end: zoneEnd, score: 0.85 };
}

function looksLikeAnAddress(address: string): boolean {
  let colons = 0;
  let hasDigit = false;
  let longGroup = false;
  let allPairs = true;
  let group = 0;
  for (let i = 0; i <= address.length; i++) {
    const code = address.charCodeAt(i);
    if (i === address.length || code === 58) {
      if (group >= 3) longGroup = true;
      if (group !== 2) allPairs = false;
      if (code === 58) colons++;
      group = 0;
      continue;
    }
    if (isDigit(code)) hasDigit = true;
    group++;
  }
  const compressed = address.includes('::');
  if (colons < 2 || !hasDigit || (!compressed && allPairs)) return false;
  // Dots only as an embedded IPv4 at the end (`::ffff:192.0.2.1`), never in a time (`06:42:52.088`).
  const dot = address.indexOf('.');
  if (dot !== -1 && (dot < address.lastIndexOf(':') || address.split('.').length !== 4)) return false;
  return longGroup || (!compressed && colons === 7);
}

function isIpv6Char(code: number): boolean {
  return isHexDigit(code) || code === 58 || code === 46;
}

function isZoneChar(code: number): boolean {
  return isDigit(code) || isAsciiLetter(code) || code === 95 || code === 46 || code === 45;
}
