import type { Span } from '../types.js';
import { isAsciiLetter } from './characters.js';
import { coreFunction } from './scan-core.js';
import { type IndexedDetector, indexedDetector, type TextIndex } from './text-index.js';

/**
 * IP_ADDRESS (personal data under the GDPR, so labelled `pii` as well as `network`). Score 0.85.
 *
 * - IPv4: a dotted quad, octets 0–255 without leading zeros (`01.2.3.4` is refused), not part of a longer dotted
 *   run of numbers (`1.2.3.4.5`, `10.0.0.1.2` are versions) and not right after a version cue: `v1.2.3.4`,
 *   `version 1.2.3.4`, `build: 1.2.3.4` are versions too.
 * - IPv6: full, compressed (`::`), with an embedded IPv4 and an optional zone (`fe80::1%eth0`), read as `node:net`'s
 *   `isIP` reads one. Found from each `:` followed by a hex digit. Refused: tokens glued to a word
 *   (`std::vector`, `d::`), MAC and EUI-64 shapes (all groups of two hex digits), hex-free or digit-free tokens
 *   (`::`, `dead::beef`), and short compressed forms without a group of three or more hex digits (`1::2`,
 *   `a[10::20]`, `::1`) — slices, scopes and loopback, not addresses worth masking.
 */
export function ipDetector(): IndexedDetector {
  return indexedDetector('IP_ADDRESS', ['pii', 'network'], (index, spans) => {
    const ipv6: Span[] = [];
    findIpv6(index, ipv6);
    // An IPv4 embedded in an IPv6 address (`::ffff:192.0.2.1`) is part of that finding, not one of its own.
    findIpv4(index, ipv6, spans);
    spans.push(...ipv6);
  });
}

const versionCue = /(?:^|[^a-z])(?:v|ver|version|build|release|rev|revision|firmware)\.?\s*[:#=]?\s*$/i;

/**
 * Finds the dotted quads among the digit runs in the core (`assembly/ip.ts`): an octet is a whole run, so a quad is
 * four runs of one to three digits with a single `.` between each two, not glued to a word or a longer dotted run
 * (`1.2.3.4.5`). Returns how many integers it wrote to `out`: `[start, end)` of each.
 */
const ipv4Quads =
  coreFunction<(text: number, length: number, runs: number, runCount: number, out: number) => number>('ipv4Quads');

/** Keeps the core's quads that are not part of an IPv6 finding, nor after a version cue. */
function findIpv4(index: TextIndex, ipv6: readonly Span[], spans: Span[]): void {
  const { placed, runsAt, runCount } = index.placedRuns;
  const count = ipv4Quads(placed.textAt, placed.length, runsAt, runCount, placed.outAt);
  const quads = placed.out;
  const text = index.text;
  let v6 = 0;
  for (let i = 0; i < count; i += 2) {
    const start = quads[i]!;
    const end = quads[i + 1]!;
    while (v6 < ipv6.length && ipv6[v6]!.end <= start) v6++;
    if (v6 < ipv6.length && ipv6[v6]!.start < end) continue;
    if (mayFollowVersionCue(text, start) && versionCue.test(text.slice(Math.max(0, start - 16), start))) continue;
    spans.push({ type: 'IP_ADDRESS', start, end, score: 0.85 });
  }
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

/**
 * Finds the IPv6 addresses in the core (`assembly/ip.ts`): in each token of hex digits, colons and dots around a `:`
 * followed by a hex digit or a `:` that has a `::` or six colons or more, the address that is left with the
 * punctuation around it trimmed, with its zone, checked as `node:net`'s `isIP` checks one and against the shapes it
 * lets through. Returns how many integers it wrote to `out`: `[start, end)` of each.
 */
const ipv6Addresses = coreFunction<(text: number, length: number, out: number) => number>('ipv6Addresses');

function findIpv6({ placed }: TextIndex, spans: Span[]): void {
  const count = ipv6Addresses(placed.textAt, placed.length, placed.outAt);
  const found = placed.out;
  for (let i = 0; i < count; i += 2) {
    spans.push({ type: 'IP_ADDRESS', start: found[i]!, end: found[i + 1]!, score: 0.85 });
  }
}
