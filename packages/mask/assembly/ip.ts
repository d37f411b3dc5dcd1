// IP_ADDRESS: dotted quads over the text's digit runs, IPv6 tokens over the text (see `src/detectors/ip.ts`).

import { isWordUnit, run, unitAt } from './shared/units';

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

/**
 * Writes the tokens of the `length` code units at `text` that may hold an IPv6 address to `out` as `[start, end)`
 * pairs and returns how many integers it wrote: each a maximal run of hex digits, colons and dots around a `:`
 * followed by a hex digit or a `:` (never reaching back into the token before), with a `::` or six colons or more.
 * Eight code units at a time to find the colons, which most text has few of.
 */
export function ipv6Tokens(text: usize, length: i32, out: usize): i32 {
  const colonLanes = i16x8.splat(58);
  let count = 0;
  let floor = 0;
  // Colons before this lie in a token already read.
  let from = 0;
  for (let base = 0; base < length; base += 8) {
    let colons: u32;
    if (base + 8 <= length) {
      colons = u32(i16x8.bitmask(i16x8.eq(v128.load(text + (usize(base) << 1)), colonLanes)));
    } else {
      colons = 0;
      for (let lane = 0; base + lane < length; lane++) {
        if (load<u16>(text + (usize(base + lane) << 1)) === 58) colons |= 1 << u32(lane);
      }
    }
    while (colons !== 0) {
      const colon = base + i32(ctz(colons));
      colons &= colons - 1;
      if (colon < from || (tokenKind(unitAt(text, length, colon + 1)) & (hexDigit | tokenColon)) === 0) continue;
      // Its colons, and whether two are adjacent, are counted on the way.
      let tokenColons: u32 = 1;
      let adjacent: u32 = 0;
      let start = colon;
      let following = tokenColon;
      while (start > floor) {
        const kind = tokenKind(unitAt(text, length, start - 1));
        if (kind === 0) break;
        tokenColons += kind >> 2;
        adjacent |= kind & following;
        following = kind;
        start--;
      }
      let end = colon + 1;
      let previous = tokenColon;
      for (let kind = tokenKind(unitAt(text, length, end)); kind !== 0; kind = tokenKind(unitAt(text, length, ++end))) {
        tokenColons += kind >> 2;
        adjacent |= kind & previous;
        previous = kind;
      }
      floor = end;
      from = end;
      // Without a `::` an IPv6 address has seven colons, or six before an embedded IPv4.
      if ((adjacent & tokenColon) !== 0 || tokenColons >= 6) {
        store<i32>(out + (usize(count) << 2), start);
        store<i32>(out + (usize(count + 1) << 2), end);
        count += 2;
      }
    }
  }
  return count;
}
