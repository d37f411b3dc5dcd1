/** What `generalise` gives for a value that is neither a date nor a number: never the value itself. */
export const generalisedUnknown = '<REDACTED>';

const monthNames = new Set([
  'jan',
  'january',
  'feb',
  'february',
  'mar',
  'march',
  'apr',
  'april',
  'may',
  'jun',
  'june',
  'jul',
  'july',
  'aug',
  'august',
  'sep',
  'sept',
  'september',
  'oct',
  'october',
  'nov',
  'november',
  'dec',
  'december',
]);

// Every pattern is anchored and linear: no quantified group contains another quantifier.
const isoDate = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ][0-9:.+\-Z]{0,40})?$/;
const numericDate = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$/;
const namedDate =
  /^(?:(\d{1,2})(?:st|nd|rd|th)?\s{1,4})?([A-Za-z]{3,9})\.?\s{1,4}(?:(\d{1,2})(?:st|nd|rd|th)?,?\s{1,4})?(\d{4})$/;
const plainNumber = /^[+-]?\d{1,300}(?:\.\d{1,300})?$/;
const groupedNumber = /^[+-]?\d{1,3}(?:,\d{3}){1,100}(?:\.\d{1,300})?$/;

/**
 * Generalises a value: a date becomes its year, a number the bucket of width `bucket` it falls in, anything else
 * {@link generalisedUnknown}.
 *
 * @example
 * generalise('April 12, 1990') // '1990'
 * generalise('37') // '30-39'
 * generalise('1234.5', 1000) // '1000-1999'
 * generalise('-3') // '-10--1'
 */
export function generalise(value: string, bucket = 10): string {
  const text = value.trim();
  const year = yearOf(text);
  if (year !== undefined) return year;
  const number = numberOf(text);
  if (number !== undefined) return bucketOf(number, bucket);
  return generalisedUnknown;
}

function yearOf(text: string): string | undefined {
  let match = isoDate.exec(text);
  if (match) return plausible(match[2], match[3]) ? match[1] : undefined;
  match = numericDate.exec(text);
  if (match) return plausible(match[1], match[3]) || plausible(match[3], match[1]) ? match[4] : undefined;
  match = namedDate.exec(text);
  if (match && monthNames.has(match[2]!.toLowerCase())) {
    if (match[1] !== undefined && match[3] !== undefined) return undefined;
    const day = Number(match[1] ?? match[3] ?? 1);
    return day >= 1 && day <= 31 ? match[4] : undefined;
  }
  return undefined;
}

/** True when `month` and `day` can be a month and a day. */
function plausible(month: string | undefined, day: string | undefined): boolean {
  const m = Number(month);
  const d = Number(day);
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

function numberOf(text: string): number | undefined {
  if (plainNumber.test(text)) return Number(text);
  if (groupedNumber.test(text)) return Number(text.replaceAll(',', ''));
  return undefined;
}

function bucketOf(number: number, width: number): string {
  if (!Number.isFinite(number)) return generalisedUnknown;
  const low = Math.floor(number / width) * width;
  return `${low}-${low + width - 1}`;
}
