// The SECRET detector's keyword search (`src/detectors/credentials.ts`): every credential keyword and vendor key prefix,
// in any ASCII case, and every "://", over the placed text.

/**
 * Lower-cased byte tables for the search's filter: for each of a pattern's first three characters, which of eight
 * buckets hold a pattern with that character there, by its low nibble (`nibbles + 32 * position`) and by its high
 * nibble (16 bytes further on).
 */
const nibbles = memory.data(96, 16);

/** Puts `pattern`'s first three characters, lower-cased as the filter reads the text, in `bucket`. */
function addTrigram(pattern: string, bucket: i32): void {
  for (let j = 0; j < 3; j++) {
    const c = pattern.charCodeAt(j) | 32;
    const low = nibbles + usize(32 * j + (c & 15));
    const high = nibbles + usize(32 * j + 16 + (c >> 4));
    store<u8>(low, u32(load<u8>(low)) | (1 << bucket));
    store<u8>(high, u32(load<u8>(high)) | (1 << bucket));
  }
}

// Two patterns to a bucket. A bucket passes any character whose nibbles each some pattern of it has (pa? with sk- lets
// "sa-" through too): these pairs, chosen by trying swaps on the benchmark's texts, let through 0.54 % of positions
// where only the patterns themselves (0.50 %) must.
addTrigram('bea', 0);
addTrigram('aiz', 0);
addTrigram('api', 1);
addTrigram('aut', 1);
addTrigram('sec', 2);
addTrigram('acc', 2);
addTrigram('tok', 3);
addTrigram('://', 3);
addTrigram('pas', 4);
addTrigram('sk-', 4);
addTrigram('pwd', 5);
addTrigram('pri', 5);
addTrigram('glp', 6);
addTrigram('csr', 6);
addTrigram('cre', 7);
addTrigram('csk', 7);

/** The code unit at `at`, or -1 at or past `length` (the memory there is not the text's). */
function unitAt(text: usize, length: i32, at: i32): i32 {
  return at < length ? i32(load<u16>(text + (usize(at) << 1))) : -1;
}

/** Whether the text at `at` reads the lower-case `word` in any ASCII case, as a case-insensitive regex compares. */
function startsWithAnyCase(text: usize, length: i32, at: i32, word: string): bool {
  if (at + word.length > length) return false;
  for (let j = 0; j < word.length; j++) {
    const c = i32(load<u16>(text + (usize(at + j) << 1)));
    const w = word.charCodeAt(j);
    if (c !== w && !(w >= 97 && w <= 122 && c === w - 32)) return false;
  }
  return true;
}

/** Where `[-_ ]?key` after `at` ends, or -1. */
function keyEnding(text: usize, length: i32, at: i32): i32 {
  const c = unitAt(text, length, at);
  const key = c === 45 || c === 95 || c === 32 ? at + 1 : at; // (after a separator "key" cannot start at `at`)
  return startsWithAnyCase(text, length, key, 'key') ? key + 3 : -1;
}

/** Where `(?:w(?:or)?d|phrase)?` after `at` ends. */
function passEnding(text: usize, length: i32, at: i32): i32 {
  if (startsWithAnyCase(text, length, at, 'word')) return at + 4;
  if (startsWithAnyCase(text, length, at, 'wd')) return at + 2;
  if (startsWithAnyCase(text, length, at, 'phrase')) return at + 6;
  return at;
}

/**
 * The keyword at `at` as `(end - at) << 4 | number`, or -1. The numbers (the host's `keywordKinds` reads them in this
 * order): 0 `pass(?:w(?:or)?d|phrase)?`, 1 `pwd`, 2 `secret`, 3 `token`, 4 `api[-_ ]?key`, 5 `access[-_ ]?key`,
 * 6 `auth`, 7 `credential`, 8 `bearer`, 9 `private[-_ ]?key`, 10 `aiza`, 11 `sk-`, 12 `glpat-`, 13 `csk_`, 14 `csr_`,
 * 15 `://`. No two can start at the same position.
 */
function keywordAt(text: usize, length: i32, at: i32): i32 {
  let end = -1;
  let number = 0;
  switch (unitAt(text, length, at) | 32) {
    case 112 /* p */:
      if (startsWithAnyCase(text, length, at, 'pass')) {
        end = passEnding(text, length, at + 4);
      } else if (startsWithAnyCase(text, length, at, 'pwd')) {
        end = at + 3;
        number = 1;
      } else if (startsWithAnyCase(text, length, at, 'private')) {
        end = keyEnding(text, length, at + 7);
        number = 9;
      }
      break;
    case 115 /* s */:
      if (startsWithAnyCase(text, length, at, 'secret')) {
        end = at + 6;
        number = 2;
      } else if (startsWithAnyCase(text, length, at, 'sk-')) {
        end = at + 3;
        number = 11;
      }
      break;
    case 116 /* t */:
      if (startsWithAnyCase(text, length, at, 'token')) {
        end = at + 5;
        number = 3;
      }
      break;
    case 97 /* a */:
      if (startsWithAnyCase(text, length, at, 'api')) {
        end = keyEnding(text, length, at + 3);
        number = 4;
      } else if (startsWithAnyCase(text, length, at, 'access')) {
        end = keyEnding(text, length, at + 6);
        number = 5;
      } else if (startsWithAnyCase(text, length, at, 'auth')) {
        end = at + 4;
        number = 6;
      } else if (startsWithAnyCase(text, length, at, 'aiza')) {
        end = at + 4;
        number = 10;
      }
      break;
    case 99 /* c */:
      if (startsWithAnyCase(text, length, at, 'credential')) {
        end = at + 10;
        number = 7;
      } else if (startsWithAnyCase(text, length, at, 'csk_')) {
        end = at + 4;
        number = 13;
      } else if (startsWithAnyCase(text, length, at, 'csr_')) {
        end = at + 4;
        number = 14;
      }
      break;
    case 98 /* b */:
      if (startsWithAnyCase(text, length, at, 'bearer')) {
        end = at + 6;
        number = 8;
      }
      break;
    case 103 /* g */:
      if (startsWithAnyCase(text, length, at, 'glpat-')) {
        end = at + 6;
        number = 12;
      }
      break;
    case 58 /* : */:
      if (startsWithAnyCase(text, length, at, '://')) {
        end = at + 3;
        number = 15;
      }
      break;
  }
  return end === -1 ? -1 : ((end - at) << 4) | number;
}

/** Sixteen code units from `at`, as bytes lower-cased the way the tables are (units above U+00FF become 0 or 0xFF). */
function lowerBytes(text: usize, at: i32): v128 {
  const units = text + (usize(at) << 1);
  return v128.or(i8x16.narrow_i16x8_u(v128.load(units), v128.load(units, 16)), i8x16.splat(32));
}

/** The buckets whose pattern may have `bytes`' characters at the position whose tables are `low` and `high`. */
function buckets(bytes: v128, low: v128, high: v128): v128 {
  const byLow = i8x16.swizzle(low, v128.and(bytes, i8x16.splat(15)));
  return v128.and(byLow, i8x16.swizzle(high, i8x16.shr_u(bytes, 4)));
}

/**
 * Writes every keyword of {@link keywordAt} in the `length` code units at `text` to `out` as pairs
 * `[start, (end - start) << 4 | number]`, in order of start, and returns how many integers it wrote (at most one pair
 * per code unit).
 *
 * Sixteen positions at a time, a bucket filter (three table lookups per character, one per pattern position) keeps the
 * few where a pattern's first three characters may start; {@link keywordAt} reads those exactly.
 */
export function secretKeywords(text: usize, length: i32, out: usize): i32 {
  const low0 = v128.load(nibbles);
  const high0 = v128.load(nibbles, 16);
  const low1 = v128.load(nibbles, 32);
  const high1 = v128.load(nibbles, 48);
  const low2 = v128.load(nibbles, 64);
  const high2 = v128.load(nibbles, 80);
  let count = 0;
  let i = 0;
  // Each block's bytes are read with the next block's, which give the second and third characters of its last two.
  if (length >= 32) {
    let bytes = lowerBytes(text, 0);
    for (; i + 32 <= length; i += 16) {
      const next = lowerBytes(text, i + 16);
      const seconds = i8x16.shuffle(bytes, next, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
      const thirds = i8x16.shuffle(bytes, next, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17);
      const passed = v128.and(
        v128.and(buckets(bytes, low0, high0), buckets(seconds, low1, high1)),
        buckets(thirds, low2, high2),
      );
      bytes = next;
      if (!v128.any_true(passed)) continue;
      let positions = u32(i8x16.bitmask(i8x16.ne(passed, i8x16.splat(0))));
      while (positions !== 0) {
        const at = i + i32(ctz(positions));
        positions &= positions - 1;
        const found = keywordAt(text, length, at);
        if (found === -1) continue;
        store<i32>(out + (usize(count) << 2), at);
        store<i32>(out + (usize(count + 1) << 2), found);
        count += 2;
      }
    }
  }
  for (; i < length; i++) {
    const found = keywordAt(text, length, i);
    if (found === -1) continue;
    store<i32>(out + (usize(count) << 2), i);
    store<i32>(out + (usize(count + 1) << 2), found);
    count += 2;
  }
  return count;
}
