// The phone detector's walk over every digit run and its checks of a candidate's shape: most runs (in ids, hashes,
// timestamps) and most chains of them (dates, versions, numbers glued to more text) are ruled out here, and the host
// validates only the few candidates left.

/** The code unit at `i` of the `length` at `text`, or -1 outside them. */
function phoneUnitAt(text: usize, length: i32, i: i32): i32 {
  return i >= 0 && i < length ? i32(load<u16>(text + (usize(i) << 1))) : -1;
}

/** Integer `i` of the array at `at`. */
function phoneIntAt(at: usize, i: i32): i32 {
  return load<i32>(at + (usize(i) << 2));
}

function phoneDigit(code: i32): bool {
  return u32(code) - 48 <= 9;
}

/** `[A-Za-z0-9_]`. */
function phoneWordChar(code: i32): bool {
  return phoneDigit(code) || u32(code | 0x20) - 97 <= 25 || code === 95;
}

/**
 * Joins two digit groups into one chain: ` `, `-`, `.`, `/`, `)`, `) `, ` (`, `)-`, ` - ` or ` / ` between the group
 * ending at `end` and the one starting at `next` (both inside the text).
 */
function phoneGap(text: usize, length: i32, end: i32, next: i32): bool {
  const first = phoneUnitAt(text, length, end);
  const gap = next - end;
  if (gap === 1) return first === 32 || first === 45 || first === 46 || first === 47 || first === 41;
  if (gap === 2) {
    const second = phoneUnitAt(text, length, end + 1);
    return first === 41 ? second === 32 || second === 45 : first === 32 && second === 40;
  }
  if (gap === 3) {
    const middle = phoneUnitAt(text, length, end + 1);
    return first === 32 && (middle === 45 || middle === 47) && phoneUnitAt(text, length, end + 2) === 32;
  }
  return false;
}

/** Not glued to a word (`ORD-2024-…`, `v1.2…`), to more numbers (`12:30`, `1,234`), or to money (`$`, `€`, `#`). */
function phoneFreeBefore(text: usize, length: i32, start: i32): bool {
  const before = phoneUnitAt(text, length, start - 1);
  if (phoneWordChar(before)) return false;
  const previous = phoneUnitAt(text, length, start - 2);
  if ((before === 45 || before === 46 || before === 47) && phoneWordChar(previous)) return false;
  if ((before === 44 || before === 58) && phoneDigit(previous)) return false;
  // $ £ € ¥ #
  return before !== 36 && before !== 0xa3 && before !== 0x20ac && before !== 0xa5 && before !== 35;
}

function phoneFreeAfter(text: usize, length: i32, end: i32): bool {
  const after = phoneUnitAt(text, length, end);
  if (phoneWordChar(after) || after === 37) return false;
  const next = phoneUnitAt(text, length, end + 1);
  if ((after === 45 || after === 46 || after === 47) && phoneWordChar(next)) return false;
  return !((after === 44 || after === 58) && phoneDigit(next));
}

/** The length of run `j`. */
function phoneGroup(runs: usize, j: i32): i32 {
  return phoneIntAt(runs, j + 1) - phoneIntAt(runs, j);
}

/** The single character between run `j` and the next (both in the chain), or -1 when the gap is longer. */
function phoneGapAfter(text: usize, length: i32, runs: usize, j: i32): i32 {
  const end = phoneIntAt(runs, j + 1);
  return phoneIntAt(runs, j + 2) - end === 1 ? phoneUnitAt(text, length, end) : -1;
}

/** Four digits from 1900 to 2099 at `at`. */
function phoneYear(text: usize, length: i32, at: i32): bool {
  const century = phoneUnitAt(text, length, at);
  const next = phoneUnitAt(text, length, at + 1);
  return (century === 49 && next === 57) || (century === 50 && next === 48);
}

/**
 * A date (`2024-01-31`, `31.01.1990`), an IPv4 or a version (`192.168.10.200`, `10.0.19045.2965`), an SSN
 * (`123-45-6789`) or a year range (`1990-2000`): read from the lengths of groups `a..b` and the characters between.
 */
function phoneShapedLikeSomethingElse(text: usize, length: i32, runs: usize, a: i32, b: i32, plus: bool): bool {
  const groups = (b - a) / 2 + 1;
  const l0 = phoneGroup(runs, a);
  const first = groups > 1 ? phoneGapAfter(text, length, runs, a) : -1;
  if (
    groups >= 3 &&
    (first === 45 || first === 47 || first === 46) &&
    phoneGapAfter(text, length, runs, a + 2) === first
  ) {
    const l1 = phoneGroup(runs, a + 2);
    const l2 = phoneGroup(runs, a + 4);
    if (l0 === 4 && l1 <= 2 && l2 <= 2) return true;
    if (l0 <= 2 && l1 <= 2 && (l2 === 4 || (l2 === 2 && groups === 3))) return true;
  }
  let dotted = false;
  let shortGroups = true;
  let singleDigit = false;
  for (let j = a; j <= b; j += 2) {
    const groupLength = phoneGroup(runs, j);
    if (j < b && phoneGapAfter(text, length, runs, j) === 46) dotted = true;
    if (groupLength > 3) shortGroups = false;
    if (groupLength === 1 && !(plus && j === a)) singleDigit = true;
  }
  if (dotted && ((groups === 4 && shortGroups) || singleDigit)) return true;
  if (groups === 3 && (first === 45 || first === 32) && phoneGapAfter(text, length, runs, a + 2) === first) {
    if (l0 === 3 && phoneGroup(runs, a + 2) === 2 && phoneGroup(runs, a + 4) === 4) return true;
  }
  return (
    groups === 2 &&
    l0 === 4 &&
    phoneGroup(runs, b) === 4 &&
    phoneYear(text, length, phoneIntAt(runs, a)) &&
    phoneYear(text, length, phoneIntAt(runs, b))
  );
}

/** A candidate's bits (see `phoneCandidates`). */
const fits = 1;
const opened = 2;
const afterPlus = 4;

/**
 * Whether the groups `a..b` (run indices) may be a phone number by their shape — free at both ends, a bare run of 7 to
 * 13 digits unless formatted, shaped like nothing else — as `fits`, with `opened` when a `(` before the first group
 * and `afterPlus` when a `+` before that are part of it; 0 when they may not.
 */
function phoneShape(text: usize, length: i32, runs: usize, a: i32, b: i32): i32 {
  let start = phoneIntAt(runs, a);
  const end = phoneIntAt(runs, b + 1);
  let bits = fits;
  if (phoneUnitAt(text, length, start - 1) === 40) {
    start--;
    bits |= opened;
  }
  if (phoneUnitAt(text, length, start - 1) === 43) {
    start--;
    bits |= afterPlus;
  }
  if (!phoneFreeBefore(text, length, start) || !phoneFreeAfter(text, length, end)) return 0;
  const formatted = bits !== fits || a !== b;
  if (!formatted && (end - start < 7 || end - start > 13)) return 0;
  return phoneShapedLikeSomethingElse(text, length, runs, a, b, (bits & afterPlus) !== 0) ? 0 : bits;
}

/** Chains with more groups than this are tables of numbers, not a phone number with something glued on. */
const maxChainGroups = 8;

/**
 * Chains the digit runs `runs` (`count` integers, `[start, end)` pairs) of the `length` code units at `text` into
 * groups joined by phone punctuation, and writes to `out` five integers for each chain whose groups may hold a phone
 * number: the chain's first and last run index; the first run of its tail (what follows its first space) and the last
 * run of its head (what precedes its last space), -1 when neither is read; and the shape bits of the whole, the tail
 * and the head (`phoneShape`), 4 bits each in that order. Returns how many integers it wrote: fewer than `length`, as
 * each such chain holds 7 digits or more.
 *
 * A chain under 7 digits or glued to a word at either end (an identifier: `FR73 3000 …`, `2024-01-31T10:00`, hex ids)
 * holds none. The tail and the head (`on 2024-01-31 020 7946 0958`, `020 7946 0958 2024`) are read in chains of 2
 * to `maxChainGroups` groups that are not all fours; the host tries them when the whole is no number.
 */
export function phoneCandidates(text: usize, length: i32, runs: usize, count: i32, out: usize): i32 {
  let written = 0;
  for (let k = 0; k < count; ) {
    const start = phoneIntAt(runs, k);
    let last = k;
    let end = phoneIntAt(runs, k + 1);
    let digits = end - start;
    for (let next = k + 2; next < count && phoneGap(text, length, end, phoneIntAt(runs, next)); next += 2) {
      last = next;
      end = phoneIntAt(runs, next + 1);
      digits += end - phoneIntAt(runs, next);
    }
    const first = k;
    k = last + 2;
    if (digits < 7) continue;
    const opening = phoneUnitAt(text, length, start - 1) === 40 ? start - 1 : start;
    if (phoneWordChar(phoneUnitAt(text, length, opening - 1)) || phoneWordChar(phoneUnitAt(text, length, end)))
      continue;
    const whole = phoneShape(text, length, runs, first, last);
    let tail = 0;
    let head = 0;
    let tailFirst = -1;
    let headLast = -1;
    if (last !== first && (last - first) / 2 + 1 <= maxChainGroups) {
      // A chain of even fours is a card or parcel number: no part of it is a phone number.
      let evenFours = last - first >= 4;
      let firstSpace = -1;
      let lastSpace = -1;
      for (let j = first; j <= last; j += 2) {
        if (phoneGroup(runs, j) !== 4) evenFours = false;
        // A phone gap with a space has it first, or second after `)`.
        const groupEnd = phoneIntAt(runs, j + 1);
        if (
          j === last ||
          (phoneUnitAt(text, length, groupEnd) !== 32 && phoneUnitAt(text, length, groupEnd + 1) !== 32)
        ) {
          continue;
        }
        if (firstSpace === -1) firstSpace = j;
        lastSpace = j;
      }
      if (!evenFours && firstSpace !== -1) {
        tailFirst = firstSpace + 2;
        headLast = lastSpace;
        tail = phoneShape(text, length, runs, tailFirst, last);
        head = phoneShape(text, length, runs, first, headLast);
      }
    }
    if ((whole | tail | head) === 0) continue;
    store<i32>(out + (usize(written) << 2), first);
    store<i32>(out + (usize(written + 1) << 2), last);
    store<i32>(out + (usize(written + 2) << 2), tailFirst);
    store<i32>(out + (usize(written + 3) << 2), headLast);
    store<i32>(out + (usize(written + 4) << 2), whole | (tail << 4) | (head << 8));
    written += 5;
  }
  return written;
}
