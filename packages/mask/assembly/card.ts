// CREDIT_CARD over the text's digit runs (see `src/detectors/card.ts`, which places the runs and checks the issuer).

import { isDigitUnit, isWordUnit, run, unitAt } from './shared/units';

/**
 * Writes the candidate cards among the `runCount / 2` digit runs at `runs` (flat `[start, end)` pairs of the text at
 * `text`) to `out` and returns how many integers it wrote: for each run `k` (even) that starts one, `k` and a mask
 * whose bit `b` says the number through run `k + 2b` has the shape, stands alone and passes Luhn. The host asks
 * `cardIssuer` about the few there are, and keeps the longest it accepts.
 */
export function cardCandidates(text: usize, length: i32, runs: usize, runCount: i32, out: usize): i32 {
  let count = 0;
  for (let k = 0; k < runCount; k += 2) {
    const start = run(runs, k);
    const end = run(runs, k + 1);
    const digits = end - start;
    let ends: u32 = 0;
    if (digits >= 13 && digits <= 19) {
      if (isolated(text, length, start, end, true) && luhn(text, runs, k, k)) ends = 1;
    } else {
      // A first group needs a second of 3–8 digits right after one character.
      if (digits < 3 || digits > 8 || k + 2 >= runCount || run(runs, k + 2) !== end + 1) continue;
      const nextDigits = run(runs, k + 3) - end - 1;
      if (nextDigits < 3 || nextDigits > 8) continue;
      const separator = unitAt(text, length, end);
      if (separator !== 32 && separator !== 45) continue;
      // Whole or nothing: it starts here, unless what comes before is too short to be one of its groups.
      const afterNumber = k > 0 && run(runs, k - 1) === start - 1 && unitAt(text, length, start - 1) === separator;
      if (afterNumber && start - 1 - run(runs, k - 2) >= 3) continue;
      ends = groupedEnds(text, length, runs, runCount, k, separator, afterNumber);
    }
    if (ends === 0) continue;
    store<i32>(out + (usize(count) << 2), k);
    store<i32>(out + (usize(count + 1) << 2), i32(ends));
    count += 2;
  }
  return count;
}

/** Bit `b` set: the grouped number from run `k` through run `k + 2b` has the shape, stands alone and passes Luhn. */
function groupedEnds(
  text: usize,
  length: i32,
  runs: usize,
  runCount: i32,
  k: i32,
  separator: u32,
  afterShortNumber: bool,
): u32 {
  const start = run(runs, k);
  let digits = run(runs, k + 1) - start;
  let ends: u32 = 0;
  for (let j = k + 2; j < runCount; j += 2) {
    const groupStart = run(runs, j);
    const groupEnd = run(runs, j + 1);
    const previousEnd = run(runs, j - 1);
    if (groupStart !== previousEnd + 1 || groupEnd - groupStart < 3 || groupEnd - groupStart > 8) break;
    if (unitAt(text, length, previousEnd) !== separator) break;
    digits += groupEnd - groupStart;
    if (digits > 19) break;
    if (digits < 13) continue;
    // A grouped number must end where its groups do.
    if (unitAt(text, length, groupEnd) === separator && isDigitUnit(unitAt(text, length, groupEnd + 1))) continue;
    if (isolated(text, length, start, groupEnd, separator !== 32 || afterShortNumber) && luhn(text, runs, k, j)) {
      ends |= 1 << u32((j - k) >> 1);
    }
  }
  return ends;
}

/** Not glued to a word, nor by a dash or dot to more digits. */
function isolated(text: usize, length: i32, start: i32, end: i32, spacesSeparate: bool): bool {
  const before = unitAt(text, length, start - 1);
  const after = unitAt(text, length, end);
  if (isWordUnit(before) || isWordUnit(after)) return false;
  if (joins(before, spacesSeparate) && isDigitUnit(unitAt(text, length, start - 2))) return false;
  return !(joins(after, spacesSeparate) && isDigitUnit(unitAt(text, length, end + 1)));
}

function joins(code: u32, spacesSeparate: bool): bool {
  return code === 45 || code === 46 || (!spacesSeparate && code === 32);
}

/** Luhn over the digits of runs `k` to `last` (even indexes), from the last digit back. */
function luhn(text: usize, runs: usize, k: i32, last: i32): bool {
  let sum: u32 = 0;
  let double = false;
  for (let j = last; j >= k; j -= 2) {
    for (let i = run(runs, j + 1) - 1; i >= run(runs, j); i--) {
      let digit = u32(load<u16>(text + (usize(i) << 1))) - 48;
      if (double) {
        digit *= 2;
        if (digit > 9) digit -= 9;
      }
      sum += digit;
      double = !double;
    }
  }
  return sum % 10 === 0;
}
