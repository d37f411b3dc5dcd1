/**
 * Checksums and issuing rules that turn a number-shaped string into a finding: Luhn (cards), ISO 7064 MOD 97-10
 * (IBANs), and the US Social Security Administration's rules for what an SSN can be.
 */

import { isDigit, isUpperLetter } from './characters.js';

/**
 * The Luhn check over a string of digits (nothing else: strip separators first). Fewer than two digits is never
 * valid.
 *
 * @example luhn('4111111111111111') // true
 */
export function luhn(digits: string): boolean {
  if (digits.length < 2) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    const code = digits.charCodeAt(i);
    if (!isDigit(code)) return false;
    let digit = code - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * IBAN length by country (SWIFT IBAN registry): every SEPA country and the registry's others. A country missing
 * here has no IBAN, so a string starting with its code is not one.
 */
// biome-ignore format: a table reads better in rows
export const ibanLengths: Readonly<Record<string, number>> = Object.freeze({
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28,
  IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24,
  SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
});

/**
 * True when `text` is an IBAN: a known country code, two check digits, the country's length, letters and digits
 * only, and MOD 97-10 giving 1. Spaces are ignored and case is not significant here (the detector is stricter).
 *
 * @example ibanValid('GB29 NWBK 6016 1331 9268 19') // true
 */
export function ibanValid(text: string): boolean {
  const compact = text.replaceAll(' ', '').toUpperCase();
  const length = ibanLengths[compact.slice(0, 2)];
  if (length === undefined || compact.length !== length) return false;
  if (!isDigit(compact.charCodeAt(2)) || !isDigit(compact.charCodeAt(3))) return false;
  return mod97(compact) === 1;
}

/**
 * ISO 7064 MOD 97-10 as IBANs use it: the first four characters moved to the end, letters read as 10–35, the
 * whole taken modulo 97. Returns -1 when `compact` holds anything but digits and upper-case letters.
 */
export function mod97(compact: string): number {
  if (compact.length < 5) return -1;
  let remainder = 0;
  for (let k = 0; k < compact.length; k++) {
    const code = compact.charCodeAt((k + 4) % compact.length);
    if (isDigit(code)) remainder = (remainder * 10 + (code - 48)) % 97;
    else if (isUpperLetter(code)) remainder = (remainder * 100 + (code - 55)) % 97;
    else return -1;
  }
  return remainder;
}

/**
 * The SSA's rules for an SSN `AAA-GG-SSSS`: area not 000, 666 or 900–999; group not 00; serial not 0000; and not
 * one of the numbers printed in advertisements (078-05-1120, 219-09-9999) that people copied as their own.
 *
 * @example ssnValid('123', '45', '6789') // true
 */
export function ssnValid(area: string, group: string, serial: string): boolean {
  if (!/^\d{3}$/.test(area) || !/^\d{2}$/.test(group) || !/^\d{4}$/.test(serial)) return false;
  if (area === '000' || area === '666' || area[0] === '9') return false;
  if (group === '00' || serial === '0000') return false;
  const ssn = `${area}${group}${serial}`;
  return ssn !== '078051120' && ssn !== '219099999';
}
