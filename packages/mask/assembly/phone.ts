// The phone detector's walk over every digit run and its checks of a candidate's shape, digit count and cue: most runs
// (in ids, hashes, timestamps) and most chains of them (dates, versions, numbers glued to more text, bare runs with no
// cue) are ruled out here, and the host validates only the few candidates left.

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
const international = 8;
const cued = 16;
const cueUnread = 32;

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

/**
 * Whether the groups `a..b` are dialled from abroad, `+` before them (`afterPlus` in `shape`) or `00` starting them,
 * and hold as many digits as such a number (8 to 15 after the `+` or `00`) or a national one (7 to 13) may: as
 * `fits | international`, `fits` or 0. A bracketed trunk prefix after a `+` (`+44 (0) 20 …`) is not dialled.
 */
function phoneDigitCount(text: usize, length: i32, runs: usize, a: i32, b: i32, shape: i32): i32 {
  const plus = (shape & afterPlus) !== 0;
  let count = 0;
  for (let j = a; j <= b; j += 2) {
    const groupStart = phoneIntAt(runs, j);
    const trunk =
      plus &&
      j > a &&
      phoneGroup(runs, j) === 1 &&
      phoneUnitAt(text, length, groupStart) === 48 &&
      phoneUnitAt(text, length, groupStart + 1) === 41;
    if (!trunk) count += phoneGroup(runs, j);
  }
  const first = phoneIntAt(runs, a);
  const second = phoneGroup(runs, a) > 1 ? first + 1 : a < b ? phoneIntAt(runs, a + 2) : -1;
  if (plus || (phoneUnitAt(text, length, first) === 48 && phoneUnitAt(text, length, second) === 48)) {
    const significant = plus ? count : count - 2;
    return significant < 8 || significant > 15 ? 0 : fits | international;
  }
  return count < 7 || count > 13 ? 0 : fits;
}

/** The text at `at` reads the lower-case ASCII `word` in any case. */
function phoneWordAt(text: usize, length: i32, at: i32, word: string): bool {
  for (let j = 0; j < word.length; j++) {
    // Bit 0x20 folds ASCII letters to lower case and makes nothing else one.
    if ((phoneUnitAt(text, length, at + j) | 0x20) !== word.charCodeAt(j)) return false;
  }
  return true;
}

/** The first letters of the phone cues (c f h m p s t w), as bits 0 (`a`) to 25 (`z`). */
const cueInitials = (1 << 2) | (1 << 5) | (1 << 7) | (1 << 12) | (1 << 15) | (1 << 18) | (1 << 19) | (1 << 22);

/** The ASCII word `[start, end)` is a phone cue (`asciiPhoneCues` in the host), in any case. */
function phoneCueWord(text: usize, length: i32, start: i32, end: i32): bool {
  // Most words start with no cue's letter: ruled out before their length is.
  const initial = (phoneUnitAt(text, length, start) | 0x20) - 97;
  if (u32(initial) > 25 || ((cueInitials >> initial) & 1) === 0) return false;
  switch (end - start) {
    case 2:
      return phoneWordAt(text, length, start, 'ph');
    case 3:
      return (
        phoneWordAt(text, length, start, 'tel') ||
        phoneWordAt(text, length, start, 'fax') ||
        phoneWordAt(text, length, start, 'mob') ||
        phoneWordAt(text, length, start, 'sms')
      );
    case 4:
      return phoneWordAt(text, length, start, 'cell') || phoneWordAt(text, length, start, 'call');
    case 5:
      return phoneWordAt(text, length, start, 'phone') || phoneWordAt(text, length, start, 'handy');
    case 6:
      return phoneWordAt(text, length, start, 'mobile');
    case 7:
      return phoneWordAt(text, length, start, 'telefon') || phoneWordAt(text, length, start, 'contact');
    case 8:
      return phoneWordAt(text, length, start, 'whatsapp') || phoneWordAt(text, length, start, 'portable');
    case 9:
      return phoneWordAt(text, length, start, 'telephone') || phoneWordAt(text, length, start, 'cellphone');
  }
  return false;
}

/** What the core makes of a phone cue before a number. */
const cueNone = 0;
const cueFound = 1;
/** Non-ASCII text came first: the host's Unicode regex decides. */
const cueUndecided = 2;

/** `\s` in a JavaScript regex. */
function phoneSpace(code: i32): bool {
  return (
    (code >= 9 && code <= 13) ||
    code === 32 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** A word may start at `at`: it is `from` (where the host's regex reads from) or follows `[^A-Za-z]`. */
function phoneWordStart(text: usize, length: i32, from: i32, at: i32): bool {
  return at === from || u32(phoneUnitAt(text, length, at - 1) | 0x20) - 97 > 25;
}

/** An abbreviated cue (`tel`, `tél`, `ph`, `mob`, `fax`, `no`) ends at `at`, as a word read from `from` on. */
function phoneAbbreviationBefore(text: usize, length: i32, from: i32, at: i32): bool {
  if (at - 2 >= from && phoneWordStart(text, length, from, at - 2)) {
    if (phoneWordAt(text, length, at - 2, 'ph') || phoneWordAt(text, length, at - 2, 'no')) return true;
  }
  if (at - 3 < from || !phoneWordStart(text, length, from, at - 3)) return false;
  // `é` and `É` fold to `é`.
  const middle = phoneUnitAt(text, length, at - 2) | 0x20;
  return (
    ((phoneUnitAt(text, length, at - 3) | 0x20) === 116 &&
      (middle === 101 || middle === 0xe9) &&
      (phoneUnitAt(text, length, at - 1) | 0x20) === 108) ||
    phoneWordAt(text, length, at - 3, 'mob') ||
    phoneWordAt(text, length, at - 3, 'fax')
  );
}

/**
 * A sentence end at `i` in `[from, to)`, as the host's global regex `/[.!?;]\s|\n/g` finds them from `from` on: a line
 * break is none right after `[.!?;]`, which ends the sentence with it (`.\n`).
 */
function phoneSentenceEnd(text: usize, length: i32, from: i32, to: i32, i: i32): bool {
  const code = phoneUnitAt(text, length, i);
  if (code === 10) return !(i > from && phoneEndMark(phoneUnitAt(text, length, i - 1)));
  return phoneEndMark(code) && i + 1 < to && phoneSpace(phoneUnitAt(text, length, i + 1));
}

/** `[.!?;]`. */
function phoneEndMark(code: i32): bool {
  return code === 46 || code === 33 || code === 63 || code === 59;
}

/**
 * The host's `hasPhoneCue`: a phone cue in the window before a number at `start` whose first digits are run `k`,
 * after the last digit before it and in the same sentence — which begins after the last sentence end that follows no
 * abbreviated cue ("Tel. 0207…" keeps its cue). `cueUndecided` when the host must read it.
 *
 * Read backwards from `start`, word by word, up to the sentence's start: a cue word met there is a cue whatever lies
 * before it (the host's regex, which it falls back to on non-ASCII text, finds a whole ASCII word too), so only
 * non-ASCII text met before any cue is left to the host.
 */
function phoneCue(text: usize, length: i32, runs: usize, k: i32, start: i32): i32 {
  const windowStart = max(0, start - 40);
  const from = k > 0 ? max(windowStart, phoneIntAt(runs, k - 1)) : windowStart;
  // The shortest cue is two letters.
  if (start - from < 2) return cueNone;
  let wordEnd = start;
  for (let i = start - 1; i >= from; i--) {
    const code = i32(load<u16>(text + (usize(i) << 1)));
    if (phoneAlphanumeric(code)) continue;
    if (code >= 0x80) return cueUndecided;
    if (wordEnd - i > 2 && phoneCueWord(text, length, i + 1, wordEnd)) return cueFound;
    wordEnd = i;
    if (
      (code === 10 || phoneEndMark(code)) &&
      phoneSentenceEnd(text, length, from, start, i) &&
      !phoneAbbreviationBefore(text, length, windowStart, i)
    ) {
      return cueNone;
    }
  }
  return wordEnd - from >= 2 && phoneCueWord(text, length, from, wordEnd) ? cueFound : cueNone;
}

/** `[\s:#.-]`. */
function phoneIdSeparator(code: i32): bool {
  return code === 58 || code === 35 || code === 46 || code === 45 || phoneSpace(code);
}

/**
 * A reference word (`PO`, `order`, `ref`, `ticket`, `id`, …) right before `start`, then only `[\s:#.-]`, within 24
 * characters: what makes a bare run an order or account number, whatever cue came before.
 */
function phoneIdWordBefore(text: usize, length: i32, start: i32): bool {
  const from = max(0, start - 24);
  let end = start;
  while (end > from && phoneIdSeparator(phoneUnitAt(text, length, end - 1))) end--;
  // By the word's last letter: most numbers follow none of them.
  switch (phoneUnitAt(text, length, end - 1) | 0x20) {
    case 111 /* o */:
      return phoneIdWordEnds(text, length, from, end, 'po');
    case 114 /* r */:
      return phoneIdWordEnds(text, length, from, end, 'order');
    case 101 /* e */:
      return (
        phoneIdWordEnds(text, length, from, end, 'invoice') ||
        phoneIdWordEnds(text, length, from, end, 'reference') ||
        phoneIdWordEnds(text, length, from, end, 'case')
      );
    case 118 /* v */:
      return phoneIdWordEnds(text, length, from, end, 'inv');
    case 102 /* f */:
      return phoneIdWordEnds(text, length, from, end, 'ref');
    case 116 /* t */:
      return (
        phoneIdWordEnds(text, length, from, end, 'ticket') ||
        phoneIdWordEnds(text, length, from, end, 'account') ||
        phoneIdWordEnds(text, length, from, end, 'acct')
      );
    case 100 /* d */:
      return phoneIdWordEnds(text, length, from, end, 'id');
    case 103 /* g */:
      return phoneIdWordEnds(text, length, from, end, 'tracking');
    case 104 /* h */:
      return phoneIdWordEnds(text, length, from, end, 'batch');
    case 117 /* u */:
      return phoneIdWordEnds(text, length, from, end, 'sku');
  }
  return false;
}

/** `word` ends at `end`, a whole word read from `from` on. */
function phoneIdWordEnds(text: usize, length: i32, from: i32, end: i32, word: string): bool {
  const at = end - word.length;
  return at >= from && phoneWordAt(text, length, at, word) && phoneWordStart(text, length, from, at);
}

/** `[A-Z0-9]`. */
function phoneIbanUnit(code: i32): bool {
  return phoneDigit(code) || u32(code) - 65 <= 25;
}

/** `[A-Za-z0-9]`. */
function phoneAlphanumeric(code: i32): bool {
  return phoneDigit(code) || u32(code | 0x20) - 97 <= 25;
}

/**
 * `NL97 RABO ` right before `start`, within 40 characters: the rest of an IBAN in print form (one that failed its
 * checksum), as a country, check digits and one to seven groups of four capitals or digits.
 */
function phoneIbanTailBefore(text: usize, length: i32, start: i32): bool {
  if (phoneUnitAt(text, length, start - 1) !== 32) return false;
  const from = max(0, start - 40);
  for (let groups = 1; groups <= 7; groups++) {
    const group = start - 5 * groups;
    if (phoneUnitAt(text, length, group - 1) !== 32) return false;
    for (let j = 0; j < 4; j++) if (!phoneIbanUnit(phoneUnitAt(text, length, group + j))) return false;
    const country = group - 5;
    if (
      country >= from &&
      u32(phoneUnitAt(text, length, country)) - 65 <= 25 &&
      u32(phoneUnitAt(text, length, country + 1)) - 65 <= 25 &&
      phoneDigit(phoneUnitAt(text, length, country + 2)) &&
      phoneDigit(phoneUnitAt(text, length, country + 3)) &&
      (country === from || !phoneAlphanumeric(phoneUnitAt(text, length, country - 1)))
    ) {
      return true;
    }
  }
  return false;
}

/**
 * The bits of the groups `a..b` as a candidate (`phoneShape`, `phoneDigitCount`, and `cued` or `cueUnread` from
 * `phoneCue`), or 0 when the host would refuse them whatever libphonenumber says: by shape or digit count, after the
 * rest of an IBAN, and when bare, after no cue or after a reference word.
 */
function phonePart(text: usize, length: i32, runs: usize, a: i32, b: i32): i32 {
  const shape = phoneShape(text, length, runs, a, b);
  if (shape === 0) return 0;
  const counted = phoneDigitCount(text, length, runs, a, b, shape);
  if (counted === 0) return 0;
  const start = phoneIntAt(runs, a) - (shape & opened ? 1 : 0) - (shape & afterPlus ? 1 : 0);
  if (phoneIbanTailBefore(text, length, start)) return 0;
  const bare = shape === fits && a === b;
  if (bare && phoneIdWordBefore(text, length, start)) return 0;
  const cue = phoneCue(text, length, runs, a, start);
  if (bare && cue === cueNone) return 0;
  return shape | counted | (cue === cueFound ? cued : cue === cueUndecided ? cueUnread : 0);
}

/** Chains with more groups than this are tables of numbers, not a phone number with something glued on. */
const maxChainGroups = 8;

/**
 * Chains the digit runs `runs` (`count` integers, `[start, end)` pairs) of the `length` code units at `text` into
 * groups joined by phone punctuation, and writes to `out` five integers for each chain whose groups may hold a phone
 * number: the chain's first and last run index; the first run of its tail (what follows its first space) and the last
 * run of its head (what precedes its last space), -1 when neither is read; and the bits of the whole, the tail and
 * the head (`phonePart`), 8 bits each in that order. Returns how many integers it wrote: fewer than `length`, as
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
    const whole = phonePart(text, length, runs, first, last);
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
        tail = phonePart(text, length, runs, tailFirst, last);
        head = phonePart(text, length, runs, first, headLast);
      }
    }
    if ((whole | tail | head) === 0) continue;
    store<i32>(out + (usize(written) << 2), first);
    store<i32>(out + (usize(written + 1) << 2), last);
    store<i32>(out + (usize(written + 2) << 2), tailFirst);
    store<i32>(out + (usize(written + 3) << 2), headLast);
    store<i32>(out + (usize(written + 4) << 2), whole | (tail << 8) | (head << 16));
    written += 5;
  }
  return written;
}
