// IBAN over the text's digit runs (see `src/detectors/iban.ts`, which places the runs and the table of lengths).

import { isDigitUnit, isWordUnit, run, unitAt } from './shared/units';

function isUpperUnit(code: u32): bool {
  return code - 65 <= 25;
}

function isLowerUnit(code: u32): bool {
  return code - 97 <= 25;
}

/**
 * Writes the IBANs found from the `runCount / 2` digit runs at `runs` (flat `[start, end)` pairs of the text at
 * `text`) to `out` as `[start, end)` pairs and returns how many integers it wrote. `lengths` holds each country's
 * IBAN length at `first * 26 + second` (its code's letters, `A` = 0), 0 for none.
 */
export function ibanFind(text: usize, length: i32, runs: usize, runCount: i32, lengths: usize, out: usize): i32 {
  let count = 0;
  for (let k = 0; k < runCount; k += 2) {
    // Every IBAN's check digits are a run of digits right after the two letters of its country code.
    const start = run(runs, k) - 2;
    if (run(runs, k + 1) - run(runs, k) < 2 || start < 0 || (k > 0 && run(runs, k - 1) >= start)) continue;
    const first = unitAt(text, length, start);
    const second = unitAt(text, length, start + 1);
    const upper = isUpperUnit(first) && isUpperUnit(second);
    if (!upper && !(isLowerUnit(first) && isLowerUnit(second))) continue;
    if (isWordUnit(unitAt(text, length, start - 1))) continue;
    const ibanLength = i32(load<u8>(lengths + usize(((first | 0x20) - 97) * 26 + ((second | 0x20) - 97))));
    if (ibanLength === 0) continue;
    const end = readIban(text, length, start, ibanLength, upper);
    if (end === -1) continue;
    store<i32>(out + (usize(count) << 2), start);
    store<i32>(out + (usize(count + 1) << 2), end);
    count += 2;
    while (k + 2 < runCount && run(runs, k + 2) < end) k += 2;
  }
  return count;
}

/** Where the IBAN of `ibanLength` characters that starts at `start` ends, or -1 when the text holds none there. */
function readIban(text: usize, length: i32, start: i32, ibanLength: i32, upper: bool): i32 {
  let count = 0;
  let position = start;
  let grouped = false;
  while (count < ibanLength) {
    // Grouped or not is settled after the first four characters; grouped means a single space after every four.
    if (grouped && count % 4 === 0) {
      if (unitAt(text, length, position) !== 32) return -1;
      position++;
    } else if (count === 4 && unitAt(text, length, position) === 32) {
      grouped = true;
      position++;
    }
    const code = unitAt(text, length, position);
    if (!isDigitUnit(code) && !(upper ? isUpperUnit(code) : isLowerUnit(code))) return -1;
    count++;
    position++;
  }
  if (isWordUnit(unitAt(text, length, position))) return -1;
  // MOD 97-10: the first four characters moved to the end, letters read as 10–35 whatever their case.
  let remainder: u32 = 0;
  for (let n = 0; n < ibanLength; n++) {
    const c = (n + 4) % ibanLength;
    const code = unitAt(text, length, start + (grouped ? c + (c >> 2) : c));
    remainder = isDigitUnit(code) ? (remainder * 10 + code - 48) % 97 : (remainder * 100 + (code | 0x20) - 87) % 97;
  }
  return remainder === 1 ? position : -1;
}
