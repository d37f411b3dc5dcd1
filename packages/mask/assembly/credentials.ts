// The credential detectors' searches (`src/detectors/credentials.ts`): the SECRET detector's credential keywords and
// vendor key prefixes in any ASCII case and every "://", and the vendor-token detectors' exact prefixes, each in one
// pass over the placed text.

/**
 * Byte tables for a search's filter: for each of a pattern's first three characters, which of eight buckets hold a
 * pattern with that character there, by its low nibble (`table + 32 * position`) and by its high nibble (16 bytes
 * further on).
 */
const keywordTables = memory.data(96, 16);
const tokenTables = memory.data(96, 16);

/** Puts `pattern`'s first three characters in `bucket` of `tables`. */
function addTrigram(tables: usize, pattern: string, bucket: i32): void {
  for (let j = 0; j < 3; j++) {
    const c = pattern.charCodeAt(j);
    const low = tables + usize(32 * j + (c & 15));
    const high = tables + usize(32 * j + 16 + (c >> 4));
    store<u8>(low, u32(load<u8>(low)) | (1 << bucket));
    store<u8>(high, u32(load<u8>(high)) | (1 << bucket));
  }
}

// Two patterns to a bucket. A bucket passes any character whose nibbles each some pattern of it has (pa? with sk- lets
// "sa-" through too): these pairs, chosen by trying swaps on the benchmark's texts, let through 0.54 % of positions
// where only the patterns themselves (0.50 %) must. They are lower case, as the keyword filter reads the text.
addTrigram(keywordTables, 'bea', 0);
addTrigram(keywordTables, 'aiz', 0);
addTrigram(keywordTables, 'api', 1);
addTrigram(keywordTables, 'aut', 1);
addTrigram(keywordTables, 'sec', 2);
addTrigram(keywordTables, 'acc', 2);
addTrigram(keywordTables, 'tok', 3);
addTrigram(keywordTables, '://', 3);
addTrigram(keywordTables, 'pas', 4);
addTrigram(keywordTables, 'sk-', 4);
addTrigram(keywordTables, 'pwd', 5);
addTrigram(keywordTables, 'pri', 5);
addTrigram(keywordTables, 'glp', 6);
addTrigram(keywordTables, 'csr', 6);
addTrigram(keywordTables, 'cre', 7);
addTrigram(keywordTables, 'csk', 7);

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

/** Sixteen code units from `at` as bytes (units above U+00FF become 0 or 0xFF, which no pattern holds). */
function bytesAt(text: usize, at: i32): v128 {
  const units = text + (usize(at) << 1);
  return i8x16.narrow_i16x8_u(v128.load(units), v128.load(units, 16));
}

/** Sixteen code units from `at` as bytes lower-cased the way the keyword tables are. */
function lowerBytesAt(text: usize, at: i32): v128 {
  return v128.or(bytesAt(text, at), i8x16.splat(32));
}

/** The buckets whose pattern may have `bytes`' characters at the position whose tables are `low` and `high`. */
function buckets(bytes: v128, low: v128, high: v128): v128 {
  const byLow = i8x16.swizzle(low, v128.and(bytes, i8x16.splat(15)));
  return v128.and(byLow, i8x16.swizzle(high, i8x16.shr_u(bytes, 4)));
}

/**
 * Which of the sixteen positions whose characters are `bytes` may start a pattern of `tables`, as a bitmask: those
 * whose three characters from there (the last two read on into `next`, the sixteen after) share a bucket.
 */
function passing(tables: usize, bytes: v128, next: v128): u32 {
  const seconds = i8x16.shuffle(bytes, next, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
  const thirds = i8x16.shuffle(bytes, next, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17);
  const passed = v128.and(
    v128.and(
      buckets(bytes, v128.load(tables), v128.load(tables, 16)),
      buckets(seconds, v128.load(tables, 32), v128.load(tables, 48)),
    ),
    buckets(thirds, v128.load(tables, 64), v128.load(tables, 80)),
  );
  return u32(i8x16.bitmask(i8x16.ne(passed, i8x16.splat(0))));
}

/** Writes the pair `[at, found]` to `out` after the `count` integers there, unless `found` is -1; returns the count. */
function emitPair(out: usize, count: i32, at: i32, found: i32): i32 {
  if (found === -1) return count;
  store<i32>(out + (usize(count) << 2), at);
  store<i32>(out + (usize(count + 1) << 2), found);
  return count + 2;
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
  let count = 0;
  let i = 0;
  // Each block's bytes are read with the next block's, which give the second and third characters of its last two.
  if (length >= 32) {
    let bytes = lowerBytesAt(text, 0);
    for (; i + 32 <= length; i += 16) {
      const next = lowerBytesAt(text, i + 16);
      let positions = passing(keywordTables, bytes, next);
      bytes = next;
      while (positions !== 0) {
        const at = i + i32(ctz(positions));
        positions &= positions - 1;
        count = emitPair(out, count, at, keywordAt(text, length, at));
      }
    }
  }
  for (; i < length; i++) count = emitPair(out, count, i, keywordAt(text, length, i));
  return count;
}

// The vendor-token detectors' prefixes, exactly as written. A bucket passes what its patterns' nibbles make (gh? lets
// "ghe" through too, A and two capitals most of the AWS-like triples), which in text is little besides them.
addTrigram(tokenTables, 'eyJ', 0);
addTrigram(tokenTables, 'xox', 1);
addTrigram(tokenTables, 'xap', 1);
addTrigram(tokenTables, 'hoo', 2);
addTrigram(tokenTables, 'sk_', 3);
addTrigram(tokenTables, 'rk_', 3);
addTrigram(tokenTables, 'whs', 4);
addTrigram(tokenTables, 'ghp', 5);
addTrigram(tokenTables, 'gho', 5);
addTrigram(tokenTables, 'ghu', 5);
addTrigram(tokenTables, 'ghs', 5);
addTrigram(tokenTables, 'ghr', 5);
addTrigram(tokenTables, 'git', 5);
addTrigram(tokenTables, '---', 6);
addTrigram(tokenTables, 'AKI', 7);
addTrigram(tokenTables, 'ASI', 7);
addTrigram(tokenTables, 'ABI', 7);
addTrigram(tokenTables, 'ACC', 7);
addTrigram(tokenTables, 'AGP', 7);
addTrigram(tokenTables, 'AID', 7);
addTrigram(tokenTables, 'AIP', 7);
addTrigram(tokenTables, 'ARO', 7);
addTrigram(tokenTables, 'ANP', 7);
addTrigram(tokenTables, 'ANV', 7);
addTrigram(tokenTables, 'APK', 7);

/** Whether the text at `at` reads `word` exactly. */
function startsWithExactly(text: usize, length: i32, at: i32, word: string): bool {
  if (at + word.length > length) return false;
  for (let j = 0; j < word.length; j++) {
    if (i32(load<u16>(text + (usize(at + j) << 1))) !== word.charCodeAt(j)) return false;
  }
  return true;
}

/** Whether the "A" at `at` starts an AWS key-id prefix: AKIA ASIA ABIA ACCA AGPA AIDA AROA AIPA ANPA ANVA APKA. */
function isAwsKeyPrefix(text: usize, length: i32, at: i32): bool {
  if (unitAt(text, length, at + 3) !== 65 /* A */) return false;
  const third = unitAt(text, length, at + 2);
  switch (unitAt(text, length, at + 1)) {
    case 75 /* K */:
    case 83 /* S */:
    case 66 /* B */:
      return third === 73 /* I */;
    case 67 /* C */:
      return third === 67 /* C */;
    case 71 /* G */:
      return third === 80 /* P */;
    case 73 /* I */:
      return third === 68 /* D */ || third === 80 /* P */;
    case 82 /* R */:
      return third === 79 /* O */;
    case 78 /* N */:
      return third === 80 /* P */ || third === 86 /* V */;
    case 80 /* P */:
      return third === 75 /* K */;
    default:
      return false;
  }
}

/** p(ersonal), o(auth), u(ser-to-server), s(erver-to-server), r(efresh) */
function isGithubKind(c: i32): bool {
  return c === 112 || c === 111 || c === 117 || c === 115 || c === 114;
}

/**
 * The vendor prefix at `at`, by number, or -1. The numbers (the host's `VendorPrefix` reads them in this order): 0 an
 * AWS key id's (AKIA, ASIA, …), 1 `gh[posur]_`, 2 `github_pat_`, 3 `xox`, 4 `xapp-`, 5 `hooks.slack.com/`,
 * 6 `[sr]k_live_` or `[sr]k_test_`, 7 `whsec_`, 8 `eyJ`, 9 `-----BEGIN `. No two can start at the same position.
 */
function tokenPrefixAt(text: usize, length: i32, at: i32): i32 {
  switch (unitAt(text, length, at)) {
    case 65 /* A */:
      return isAwsKeyPrefix(text, length, at) ? 0 : -1;
    case 103 /* g */:
      if (
        unitAt(text, length, at + 1) === 104 /* h */ &&
        isGithubKind(unitAt(text, length, at + 2)) &&
        unitAt(text, length, at + 3) === 95 /* _ */
      ) {
        return 1;
      }
      return startsWithExactly(text, length, at, 'github_pat_') ? 2 : -1;
    case 120 /* x */:
      if (startsWithExactly(text, length, at, 'xox')) return 3;
      return startsWithExactly(text, length, at, 'xapp-') ? 4 : -1;
    case 104 /* h */:
      return startsWithExactly(text, length, at, 'hooks.slack.com/') ? 5 : -1;
    case 115 /* s */:
    case 114 /* r */:
      return startsWithExactly(text, length, at + 1, 'k_live_') || startsWithExactly(text, length, at + 1, 'k_test_')
        ? 6
        : -1;
    case 119 /* w */:
      return startsWithExactly(text, length, at, 'whsec_') ? 7 : -1;
    case 101 /* e */:
      return startsWithExactly(text, length, at, 'eyJ') ? 8 : -1;
    case 45 /* - */:
      return startsWithExactly(text, length, at, '-----BEGIN ') ? 9 : -1;
    default:
      return -1;
  }
}

/**
 * Writes every vendor prefix of {@link tokenPrefixAt} in the `length` code units at `text` to `out` as pairs
 * `[start, number]`, in order of start, and returns how many integers it wrote (at most one pair per code unit).
 *
 * The same filter as {@link secretKeywords}, with the prefixes' tables and the text's own case.
 */
export function tokenPrefixes(text: usize, length: i32, out: usize): i32 {
  let count = 0;
  let i = 0;
  if (length >= 32) {
    let bytes = bytesAt(text, 0);
    for (; i + 32 <= length; i += 16) {
      const next = bytesAt(text, i + 16);
      let positions = passing(tokenTables, bytes, next);
      bytes = next;
      while (positions !== 0) {
        const at = i + i32(ctz(positions));
        positions &= positions - 1;
        count = emitPair(out, count, at, tokenPrefixAt(text, length, at));
      }
    }
  }
  for (; i < length; i++) count = emitPair(out, count, i, tokenPrefixAt(text, length, i));
  return count;
}

/** Whether `c` is an ASCII letter or digit or, with `signs`, one of `+`, `/` and `=`. */
function inCredentialRun(c: i32, signs: bool): bool {
  return u32((c | 32) - 97) <= 25 || u32(c - 48) <= 9 || (signs && (c === 43 || c === 47 || c === 61));
}

/**
 * Where the run of ASCII letters and digits (with `signs`, and `+`, `/` and `=`: base64) that starts at `from` ends
 * in the `length` code units at `text`, reading no further than `limit` (`from` itself if it is there already).
 *
 * Eight code units a compare: a key's body runs for a hundred or more.
 */
export function credentialRunEnd(text: usize, length: i32, from: i32, limit: i32, signs: bool): i32 {
  const stop = min(limit, length);
  let i = from;
  for (; i + 8 <= stop; i += 8) {
    const units = v128.load(text + (usize(i) << 1));
    // Setting bit 0x20 folds A-Z to a-z and takes nothing else into a-z.
    const letters = i16x8.le_u(i16x8.sub(v128.or(units, i16x8.splat(32)), i16x8.splat(97)), i16x8.splat(25));
    let inRun = v128.or(letters, i16x8.le_u(i16x8.sub(units, i16x8.splat(48)), i16x8.splat(9)));
    if (signs) {
      const plusOrSlash = v128.or(i16x8.eq(units, i16x8.splat(43)), i16x8.eq(units, i16x8.splat(47)));
      inRun = v128.or(inRun, v128.or(plusOrSlash, i16x8.eq(units, i16x8.splat(61))));
    }
    const outside = ~u32(i16x8.bitmask(inRun)) & 0xff;
    if (outside !== 0) return i + i32(ctz(outside));
  }
  while (i < stop && inCredentialRun(i32(load<u16>(text + (usize(i) << 1))), signs)) i++;
  return i;
}
