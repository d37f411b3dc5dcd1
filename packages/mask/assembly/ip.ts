// IP_ADDRESS: dotted quads over the text's digit runs, IPv6 tokens over the text (see `src/detectors/ip.ts`).

import { isDigitUnit, isWordUnit, run, unitAt } from './shared/units';

/**
 * Writes the dotted quads among the `runCount / 2` digit runs at `runs` (flat `[start, end)` pairs of the text at
 * `text`) to `out` as `[start, end)` pairs and returns how many integers it wrote: four runs that are octets with
 * a single `.` between each two, not glued to a word, nor by a `.` to one. The host checks what is left: a version
 * cue before, and an IPv6 address around.
 */
export function ipv4Quads(text: usize, length: i32, runs: usize, runCount: i32, out: usize): i32 {
  if (runCount < 8) return 0;
  let count = 0;
  // Whether each of the first three runs from run `i` is followed by a single `.` and the next run (0 when it is):
  // carried over from run to run, so each is tested once, and tested together in one rarely taken branch, which is
  // mispredicted far less often than a branch per test (most runs in logs are one character apart: dates, times).
  let first = dotAfter(text, runs, 1);
  let second = dotAfter(text, runs, 3);
  for (let i = 0; i + 7 < runCount; i += 2) {
    const third = dotAfter(text, runs, i + 5);
    if ((first | second | third) === 0 && isQuad(text, length, runs, i)) {
      store<i32>(out + (usize(count) << 2), run(runs, i));
      store<i32>(out + (usize(count + 1) << 2), run(runs, i + 7));
      count += 2;
    }
    first = second;
    second = third;
  }
  return count;
}

/** Whether the four runs from run `i`, known to be split by single dots, are octets that stand alone. */
function isQuad(text: usize, length: i32, runs: usize, i: i32): bool {
  if (!isOctet(text, runs, i) || !isOctet(text, runs, i + 2)) return false;
  if (!isOctet(text, runs, i + 4) || !isOctet(text, runs, i + 6)) return false;
  const start = run(runs, i);
  const end = run(runs, i + 7);
  const before = unitAt(text, length, start - 1);
  const after = unitAt(text, length, end);
  if (isWordUnit(before) || isWordUnit(after)) return false;
  if (before === 46 && isWordUnit(unitAt(text, length, start - 2))) return false;
  return !(after === 46 && isWordUnit(unitAt(text, length, end + 1)));
}

/** 0 when the run ending at `runs[endAt]` is followed by a single `.` and then the next run; never past the text. */
function dotAfter(text: usize, runs: usize, endAt: i32): u32 {
  const end = run(runs, endAt);
  return u32(run(runs, endAt + 1) - end - 1) | (u32(load<u16>(text + (usize(end) << 1))) ^ 46);
}

/** Whether run `k` is an octet: one to three digits, no leading zero, at most 255. */
function isOctet(text: usize, runs: usize, k: i32): bool {
  const start = run(runs, k);
  const digits = run(runs, k + 1) - start;
  if (digits === 1) return true;
  const at = text + (usize(start) << 1);
  const first = u32(load<u16>(at)) - 48;
  if (digits > 3 || first === 0) return false;
  return digits === 2 || first * 100 + (u32(load<u16>(at, 2)) - 48) * 10 + u32(load<u16>(at, 4)) - 48 <= 255;
}

/** What an ASCII character can be in an IPv6 token, one bit each. */
const hexDigit: u32 = 1;
const tokenDot: u32 = 2;
const tokenColon: u32 = 4;

function tokenKind(code: u32): u32 {
  if (code - 48 <= 9 || (code | 0x20) - 97 <= 5) return hexDigit;
  return code === 46 ? tokenDot : code === 58 ? tokenColon : 0;
}

/** Longest address written out in full: eight groups of four, or six and an IPv4 of fifteen. */
const maxIpv6: i32 = 45;

/**
 * Writes the IPv6 addresses in the `length` code units at `text` to `out` as `[start, end)` pairs (the end past any
 * zone) and returns how many integers it wrote. Each is looked for in a token: a maximal run of hex digits, colons
 * and dots around a `:` followed by a hex digit or a `:`, with a `::` or six colons or more (most tokens with a colon
 * are times, `18:10:56.123`). Sixty-four code units at a time to find the colons, which most text has few of, and
 * sixteen at a time to read a token.
 */
export function ipv6Addresses(text: usize, length: i32, out: usize): i32 {
  let count = 0;
  // Colons before this lie in a token already read.
  let from = 0;
  for (let base = 0; base < length; base += 64) {
    let colons: u64 = 0;
    if (base + 64 <= length) {
      const at = text + (usize(base) << 1);
      const first = colonBytes(at);
      const second = colonBytes(at + 32);
      const third = colonBytes(at + 64);
      const fourth = colonBytes(at + 96);
      if (!v128.any_true(v128.or(v128.or(first, second), v128.or(third, fourth)))) continue;
      colons =
        u64(i8x16.bitmask(first)) |
        (u64(i8x16.bitmask(second)) << 16) |
        (u64(i8x16.bitmask(third)) << 32) |
        (u64(i8x16.bitmask(fourth)) << 48);
    } else {
      for (let lane = 0; base + lane < length; lane++) {
        if (load<u16>(text + (usize(base + lane) << 1)) === 58) colons |= u64(1) << u64(lane);
      }
    }
    while (colons !== 0) {
      const colon = base + i32(ctz(colons));
      colons &= colons - 1;
      if (colon < from || (tokenKind(unitAt(text, length, colon + 1)) & (hexDigit | tokenColon)) === 0) continue;
      const start = tokenStart(text, length, colon);
      const read = readToken(text, length, start);
      from = read >> 1;
      if ((read & 1) !== 0) count = addressIn(text, length, start, from, out, count);
    }
  }
  return count;
}

/**
 * The sixteen code units at `units` as bytes: a unit past U+00FF narrows to 0xFF (or to 0 past U+7FFF), which is
 * no hex digit, dot or colon.
 */
function bytesAt(units: usize): v128 {
  return i8x16.narrow_i16x8_u(v128.load(units), v128.load(units, 16));
}

/** The colons among the sixteen code units at `units`, lane by lane. */
function colonBytes(units: usize): v128 {
  return i8x16.eq(bytesAt(units), i8x16.splat(58));
}

/**
 * The sixteen code units from `at` as bits: those that may be in a token, {@link tokenKind} other than 0 (the low
 * half), and the colons (the high).
 */
function tokenLanes(text: usize, at: i32): u32 {
  const bytes = bytesAt(text + (usize(at) << 1));
  const colons = i8x16.eq(bytes, i8x16.splat(58));
  const digits = i8x16.le_u(i8x16.sub(bytes, i8x16.splat(48)), i8x16.splat(9));
  // Setting bit 0x20 folds A-F to a-f and takes nothing else into a-f.
  const letters = i8x16.le_u(i8x16.sub(v128.or(bytes, i8x16.splat(0x20)), i8x16.splat(97)), i8x16.splat(5));
  const inToken = v128.or(v128.or(digits, letters), v128.or(i8x16.eq(bytes, i8x16.splat(46)), colons));
  return u32(i8x16.bitmask(inToken)) | (u32(i8x16.bitmask(colons)) << 16);
}

/** Where the token around the colon at `colon` starts. */
function tokenStart(text: usize, length: i32, colon: i32): i32 {
  let start = colon;
  for (; start >= 16; start -= 16) {
    const outside = ~tokenLanes(text, start - 16) & 0xffff;
    // Past the last unit outside the token.
    if (outside !== 0) return start - 16 + 32 - i32(clz(outside));
  }
  while (start > 0 && tokenKind(unitAt(text, length, start - 1)) !== 0) start--;
  return start;
}

/**
 * Reads the token from `start` and returns where it ends, shifted left by one, with bit 0 set when it is worth
 * looking for an address in: it has a `::` or six colons or more (without a `::` an IPv6 address has seven colons,
 * or six before an embedded IPv4).
 */
function readToken(text: usize, length: i32, start: i32): i32 {
  let end = start;
  let colons: u32 = 0;
  let adjacent: u32 = 0;
  // Whether the unit before `end` is a colon of the token.
  let afterColon: u32 = 0;
  for (; end + 16 <= length; end += 16) {
    const lanes = tokenLanes(text, end);
    const inToken = ctz((~lanes & 0xffff) | 0x10000);
    const tokenColons = (lanes >> 16) & ((u32(1) << inToken) - 1);
    colons += popcnt(tokenColons);
    adjacent |= tokenColons & ((tokenColons << 1) | afterColon);
    if (inToken < 16) {
      end += i32(inToken);
      return (end << 1) | i32(adjacent !== 0 || colons >= 6);
    }
    afterColon = tokenColons >> 15;
  }
  for (let kind = tokenKind(unitAt(text, length, end)); kind !== 0; kind = tokenKind(unitAt(text, length, ++end))) {
    const colon = kind >> 2;
    colons += colon;
    adjacent |= colon & afterColon;
    afterColon = colon;
  }
  return (end << 1) | i32(adjacent !== 0 || colons >= 6);
}

/**
 * Writes the address in the token `[tokenStart, tokenEnd)` to `out` after the `count` integers there, if there is
 * one, and returns the count.
 */
function addressIn(text: usize, length: i32, tokenStart: i32, tokenEnd: i32, out: usize, count: i32): i32 {
  let start = tokenStart;
  let end = tokenEnd;
  // Punctuation around an address in prose: `at:fe80::1`, `fe80::1.`, `fe80::1:` — but never half of a `::`.
  while (end > start && unitAt(text, length, end - 1) === 46) end--;
  if (unitAt(text, length, end - 1) === 58 && unitAt(text, length, end - 2) !== 58) end--;
  if (unitAt(text, length, start) === 58 && unitAt(text, length, start + 1) !== 58) start++;
  if (end - start < 3 || end - start > maxIpv6) return count;
  if (isWordUnit(unitAt(text, length, start - 1))) return count;
  // An optional zone: `%eth0`, `%25en0`; an underscore is a character of a zone's token but not of a zone.
  let zoneEnd = end;
  if (end === tokenEnd && unitAt(text, length, end) === 37) {
    let underscore = false;
    zoneEnd = end + 1;
    for (let code = unitAt(text, length, zoneEnd); zoneEnd - end <= 32 && isZoneUnit(code); ) {
      underscore |= code === 95;
      code = unitAt(text, length, ++zoneEnd);
    }
    if (zoneEnd === end + 1 || zoneEnd - end > 32 || underscore) return count;
  }
  if (isWordUnit(unitAt(text, length, zoneEnd))) return count;
  if (!looksLikeAnAddress(text, start, end) || !isIpv6(text, start, end)) return count;
  store<i32>(out + (usize(count) << 2), start);
  store<i32>(out + (usize(count + 1) << 2), zoneEnd);
  return count + 2;
}

/** `[A-Za-z0-9_.-]`, what a zone's token is made of. */
function isZoneUnit(code: u32): bool {
  return isWordUnit(code) || code === 46 || code === 45;
}

/**
 * The shape checks on `[start, end)` (hex digits, colons and dots) that {@link isIpv6} does not make: MAC and
 * EUI-64 shapes, hex words, times, and short compressed forms without a group of three or more.
 */
function looksLikeAnAddress(text: usize, start: i32, end: i32): bool {
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
    const code = i < end ? u32(load<u16>(text + (usize(i) << 1))) : 0x10000;
    if (i === end || code === 58) {
      if (group >= 3) longGroup = true;
      if (group !== 2) allPairs = false;
      if (i < end) {
        if (i > start && load<u16>(text + (usize(i - 1) << 1)) === 58) compressed = true;
        colons++;
        lastColon = i;
      }
      group = 0;
      continue;
    }
    if (code === 46) {
      if (firstDot === -1) firstDot = i;
      dots++;
    } else if (isDigitUnit(code)) {
      hasDigit = true;
    }
    group++;
  }
  if (colons < 2 || !hasDigit || (!compressed && allPairs)) return false;
  // Dots only as an embedded IPv4 at the end (`::ffff:192.0.2.1`), never in a time (`06:42:52.088`).
  if (firstDot !== -1 && (firstDot < lastColon || dots !== 3)) return false;
  return longGroup || (!compressed && colons === 7);
}

/**
 * Whether `[start, end)` (hex digits, colons and dots) is an IPv6 address as `node:net`'s `isIP` reads one: groups of
 * one to four hex digits, eight of them, or fewer around a single `::`; the last two may be a dotted quad.
 */
function isIpv6(text: usize, start: i32, end: i32): bool {
  let i = start;
  let groups = 0;
  let compressed = false;
  if (load<u16>(text + (usize(i) << 1)) === 58) {
    if (i + 1 >= end || load<u16>(text + (usize(i + 1) << 1)) !== 58) return false;
    compressed = true;
    i += 2;
  }
  while (i < end) {
    const groupStart = i;
    let dots = 0;
    for (let code = load<u16>(text + (usize(i) << 1)); code !== 58; code = load<u16>(text + (usize(i) << 1))) {
      if (code === 46) dots++;
      if (++i === end) break;
    }
    if (i === groupStart) return false;
    if (dots !== 0) {
      if (i !== end || !isDottedQuad(text, groupStart, end)) return false;
      groups += 2;
      break;
    }
    if (i - groupStart > 4) return false;
    groups++;
    if (i === end) break;
    // Past the `:`: a second one is the `::`, once.
    if (++i === end) return false;
    if (load<u16>(text + (usize(i) << 1)) === 58) {
      if (compressed) return false;
      compressed = true;
      i++;
    }
  }
  return compressed ? groups <= 7 : groups === 8;
}

/** Whether `[start, end)` (hex digits and dots) is four octets, one to three digits without a leading zero, to 255. */
function isDottedQuad(text: usize, start: i32, end: i32): bool {
  let parts = 0;
  let i = start;
  while (i <= end) {
    let value: u32 = 0;
    let digits = 0;
    let code: u32 = 0x10000;
    for (; i < end; i++) {
      code = u32(load<u16>(text + (usize(i) << 1)));
      if (!isDigitUnit(code)) break;
      if (digits === 1 && value === 0) return false;
      value = value * 10 + code - 48;
      digits++;
    }
    if (digits === 0 || digits > 3 || value > 255) return false;
    parts++;
    if (i === end) break;
    if (code !== 46) return false;
    i++;
  }
  return parts === 4;
}
