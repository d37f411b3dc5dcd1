// The phone detector's walk over every digit run: most runs (in ids, hashes, timestamps) are ruled out here, and the
// host validates only the few chains of digit groups left.

/** The code unit at `i` of the `length` at `text`, or -1 outside them. */
function phoneUnitAt(text: usize, length: i32, i: i32): i32 {
  return i >= 0 && i < length ? i32(load<u16>(text + (usize(i) << 1))) : -1;
}

/** `[A-Za-z0-9_]`. */
function phoneWordChar(code: i32): bool {
  return u32(code) - 48 <= 9 || u32(code | 0x20) - 97 <= 25 || code === 95;
}

/**
 * Joins two digit groups into one chain: ` `, `-`, `.`, `/`, `)`, `) `, ` (`, `)-`, ` - ` or ` / ` between the group
 * ending at `end` and the one starting at `next`.
 */
function isPhoneGap(text: usize, end: i32, next: i32): bool {
  const first = i32(load<u16>(text + (usize(end) << 1)));
  const gap = next - end;
  if (gap === 1) return first === 32 || first === 45 || first === 46 || first === 47 || first === 41;
  if (gap === 2) {
    const second = i32(load<u16>(text + (usize(end + 1) << 1)));
    return first === 41 ? second === 32 || second === 45 : first === 32 && second === 40;
  }
  if (gap === 3) {
    const middle = i32(load<u16>(text + (usize(end + 1) << 1)));
    return first === 32 && (middle === 45 || middle === 47) && load<u16>(text + (usize(end + 2) << 1)) === 32;
  }
  return false;
}

/**
 * Chains the digit runs `runs` (`count` integers, `[start, end)` pairs) of the `length` code units at `text` into
 * groups joined by phone punctuation, and writes to `out` the first and last run index of each chain that holds 7
 * digits or more and is not glued to a word at either end (an identifier: `FR73 3000 …`, `2024-01-31T10:00`, hex
 * ids); a `(` before the first group is part of the chain. Returns how many integers it wrote.
 */
export function phoneChains(text: usize, length: i32, runs: usize, count: i32, out: usize): i32 {
  let written = 0;
  for (let k = 0; k < count; ) {
    const start = load<i32>(runs + (usize(k) << 2));
    let last = k;
    let end = load<i32>(runs + (usize(k + 1) << 2));
    let digits = end - start;
    for (let next = k + 2; next < count; next += 2) {
      const nextStart = load<i32>(runs + (usize(next) << 2));
      if (!isPhoneGap(text, end, nextStart)) break;
      last = next;
      end = load<i32>(runs + (usize(next + 1) << 2));
      digits += end - nextStart;
    }
    if (digits >= 7) {
      const opening = phoneUnitAt(text, length, start - 1) === 40 ? start - 1 : start;
      if (!phoneWordChar(phoneUnitAt(text, length, opening - 1)) && !phoneWordChar(phoneUnitAt(text, length, end))) {
        store<i32>(out + (usize(written) << 2), k);
        store<i32>(out + (usize(written + 1) << 2), last);
        written += 2;
      }
    }
    k = last + 2;
  }
  return written;
}
