// PERSON's passes over the whole text (see `src/detectors/person.ts`, which writes the table of names and reads what
// these find): where a known name stands as a whole word, and where the letters with accents are.

import { unitAt } from './shared/units';

/** A Latin letter as the detector reads one: ASCII, Latin-1 and Latin Extended-A and -B, but not `×` or `÷`. */
function isLatinLetter(code: u32): bool {
  return (code | 0x20) - 97 <= 25 || (code - 0xc0 <= 0x18f && code !== 0xd7 && code !== 0xf7);
}

function isApostrophe(code: u32): bool {
  return code === 39 || code === 0x2019;
}

/**
 * Whether the word goes on at `i`: a letter, a hyphen or an apostrophe before a letter, but not a possessive `'s`
 * that ends the word (`O'Brien's`).
 */
function wordGoesOn(text: usize, length: i32, i: i32): bool {
  const code = unitAt(text, length, i);
  if (isLatinLetter(code)) return true;
  if (code !== 45 && !isApostrophe(code)) return false;
  const next = unitAt(text, length, i + 1);
  if (!isLatinLetter(next)) return false;
  return code === 45 || next !== 115 || isLatinLetter(unitAt(text, length, i + 2));
}

/**
 * Whether a name may start at `start` as far as what comes before it goes: not after a letter or a digit, nor after
 * an apostrophe, unless the apostrophe follows a lone capital whose bit (`A` = 0) is set in that apostrophe's mask
 * (`O'Brien` read from `Brien`).
 */
function mayStartAfter(text: usize, length: i32, start: i32, straightLetters: u32, curlyLetters: u32): bool {
  const before = unitAt(text, length, start - 1);
  if (isLatinLetter(before) || before - 48 <= 9) return false;
  if (!isApostrophe(before)) return true;
  const letters = before === 39 ? straightLetters : curlyLetters;
  const lone = unitAt(text, length, start - 2) - 65;
  if (lone > 25 || ((letters >> lone) & 1) === 0) return false;
  const outer = unitAt(text, length, start - 3);
  return !isLatinLetter(outer) && outer - 48 > 9 && !isApostrophe(outer);
}

/** Each lane's number: the lanes below `n` are those where it is less than `n`. */
const lanes = v128(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
const primes = i32x4(0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f);

/** The hash of a name's 16 bytes, as the host hashes the names it writes into the table. */
function hashOf(name: v128): u32 {
  const mixed = i32x4.mul(name, primes);
  const hash =
    u32(i32x4.extract_lane(mixed, 0)) ^
    u32(i32x4.extract_lane(mixed, 1)) ^
    u32(i32x4.extract_lane(mixed, 2)) ^
    u32(i32x4.extract_lane(mixed, 3));
  return hash ^ (hash >> 15);
}

/**
 * Whether the table holds `name` (ASCII letters in its first bytes, the rest zero). It is open-addressed: `slots`
 * (`mask + 1` integers) hold a name's number plus one, 0 for none, and name `n` is the 16 bytes at `names + n * 16`,
 * written the same way.
 */
function holds(name: v128, slots: usize, mask: u32, names: usize): bool {
  let slot = hashOf(name) & mask;
  for (let entry = load<i32>(slots + (usize(slot) << 2)); entry !== 0; entry = load<i32>(slots + (usize(slot) << 2))) {
    if (i8x16.all_true(i8x16.eq(v128.load(names + (usize(entry - 1) << 4)), name))) return true;
    slot = (slot + 1) & mask;
  }
  return false;
}

/**
 * Writes `[start, end)` for every position where a name of the table stands as a whole word: a capital, then a
 * lower-case letter; not after what {@link mayStartAfter} refuses; and not followed by more of the word
 * ({@link wordGoesOn}).
 * Returns how many integers it wrote (two per name, in order of start). Names are ASCII letters, a capital then a
 * lower-case letter first, at most `longest` (under 16) of them.
 *
 * Candidates are sieved sixteen code units a compare, narrowed to bytes with saturation as `digitRuns` does.
 */
export function knownNames(
  text: usize,
  length: i32,
  slots: usize,
  mask: u32,
  names: usize,
  longest: i32,
  straightLetters: u32,
  curlyLetters: u32,
  out: usize,
): i32 {
  let count = 0;
  const upperA = i8x16.splat(65);
  const lowerA = i8x16.splat(97);
  const zero = i8x16.splat(48);
  const letters = i8x16.splat(25);
  const digitSpan = i8x16.splat(9);
  const caseBit = i8x16.splat(0x20);
  // Sixteen positions a turn, read as bytes. What they tell is only a first sieve: a capital, not after an ASCII
  // letter or digit, before a lower-case letter; the unit after the last position is not read, so that position
  // always passes. Every position let through is checked again unit by unit.
  let alphanumericBefore: u32 = 0;
  for (let i = 0; i < length; i += 16) {
    const at = text + (usize(i) << 1);
    const bytes = i8x16.narrow_i16x8_u(v128.load(at), v128.load(at, 16));
    const capitals = u32(i8x16.bitmask(i8x16.le_u(i8x16.sub(bytes, upperA), letters)));
    const lower = u32(i8x16.bitmask(i8x16.le_u(i8x16.sub(bytes, lowerA), letters)));
    const alphanumeric = u32(
      i8x16.bitmask(
        v128.or(
          i8x16.le_u(i8x16.sub(v128.or(bytes, caseBit), lowerA), letters),
          i8x16.le_u(i8x16.sub(bytes, zero), digitSpan),
        ),
      ),
    );
    let candidates = capitals & ~((alphanumeric << 1) | alphanumericBefore) & ((lower >> 1) | 0x8000);
    alphanumericBefore = (alphanumeric >> 15) & 1;
    // Past the end of the text, the bytes are whatever lies there (the host keeps room for the text's digit runs and
    // the output after it, so every read is within the memory).
    if (length - i < 16) candidates &= (1 << (length - i)) - 1;
    while (candidates !== 0) {
      const start = i + i32(ctz(candidates));
      candidates &= candidates - 1;
      if (unitAt(text, length, start + 1) - 97 > 25) continue;
      if (!mayStartAfter(text, length, start, straightLetters, curlyLetters)) continue;
      // Every name is ASCII letters (the host checks): inside a run of them the word goes on, so the only name that
      // can start here is the whole run, where the word ends there. The run is read sixteen code units at once.
      const at = text + (usize(start) << 1);
      const word = i8x16.narrow_i16x8_u(v128.load(at), v128.load(at, 16));
      const asciiLetters = i8x16.le_u(i8x16.sub(v128.or(word, caseBit), lowerA), letters);
      const run = min(i32(ctz(~u32(i8x16.bitmask(asciiLetters)))), length - start);
      if (run < 2 || run > longest || wordGoesOn(text, length, start + run)) continue;
      const end = start + run;
      if (!holds(v128.and(word, i8x16.lt_u(lanes, i8x16.splat(u8(run)))), slots, mask, names)) continue;
      store<i32>(out + (usize(count) << 2), start);
      store<i32>(out + (usize(count + 1) << 2), end);
      count += 2;
    }
  }
  return count;
}

/**
 * Writes the position of every code unit from U+00C0 to U+024F (the Latin letters with accents, and `×` and `÷`) to
 * `out`, in order, and returns how many it wrote. Sixteen code units a turn, as two compares of eight.
 */
export function accentedUnits(text: usize, length: i32, out: usize): i32 {
  let count = 0;
  let i = 0;
  const first = i16x8.splat(0xc0);
  const span = i16x8.splat(0x18f);
  for (; i + 16 <= length; i += 16) {
    const at = text + (usize(i) << 1);
    const low = i16x8.le_u(i16x8.sub(v128.load(at), first), span);
    const high = i16x8.le_u(i16x8.sub(v128.load(at, 16), first), span);
    let found = u32(i16x8.bitmask(low)) | (u32(i16x8.bitmask(high)) << 8);
    while (found !== 0) {
      store<i32>(out + (usize(count) << 2), i + i32(ctz(found)));
      count++;
      found &= found - 1;
    }
  }
  for (; i < length; i++) {
    if (u32(load<u16>(text + (usize(i) << 1))) - 0xc0 <= 0x18f) {
      store<i32>(out + (usize(count) << 2), i);
      count++;
    }
  }
  return count;
}
