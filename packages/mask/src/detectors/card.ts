import { placeDigitRuns } from './core-runs.js';
import { coreBytes, coreFunction, reserve } from './scan-core.js';
import { type IndexedDetector, indexedDetector } from './text-index.js';

/**
 * CREDIT_CARD: 13–19 digits, run together or in groups of 3–8 split by single spaces or single dashes (one kind per
 * number), that pass Luhn and start with a known issuer's prefix at one of its lengths ({@link cardIssuer}). Not
 * glued to letters or to more digits: a group more on either side (`9400 2228 4249 1419 3275 12`, a parcel's
 * tracking number) makes it something else. Score 0.95.
 */
export function cardDetector(): IndexedDetector {
  return indexedDetector('CREDIT_CARD', ['pii', 'financial'], (index, spans) => {
    const issuers = issuerTable();
    const { placed, runsAt, runCount } = placeDigitRuns(index);
    const count = cardFind(placed.textAt, placed.length, runsAt, runCount, issuers, placed.outAt);
    const found = placed.out;
    for (let i = 0; i < count; i += 2)
      spans.push({ type: 'CREDIT_CARD', start: found[i]!, end: found[i + 1]!, score: 0.95 });
  });
}

/**
 * Walks the digit runs in the core (`assembly/card.ts`): the shapes above, Luhn and the issuer's prefix and length,
 * read from {@link issuerTable}. Returns how many integers it wrote to `out`: `[start, end)` of each card.
 */
const cardFind =
  coreFunction<(text: number, length: number, runs: number, runCount: number, issuers: number, out: number) => number>(
    'cardFind',
  );

let issuersAt = -1;

/**
 * The core's copy of {@link cardIssuer}, made from it at first use: for each four-digit prefix (all an issuer
 * looks at), a byte whose bit `n - 13` says an issuer gives numbers of `n` digits with that prefix.
 */
function issuerTable(): number {
  if (issuersAt !== -1) return issuersAt;
  const at = reserve(10_000);
  const table = coreBytes().subarray(at, at + 10_000);
  for (let prefix = 0; prefix < 10_000; prefix++) {
    const digits = String(prefix).padStart(4, '0');
    // Every byte is written: the region held a placed text before.
    let lengths = 0;
    for (let n = 13; n <= 19; n++) {
      if (cardIssuer(digits.padEnd(n, '0')) !== undefined) lengths |= 1 << (n - 13);
    }
    table[prefix] = lengths;
  }
  issuersAt = at;
  return at;
}

/**
 * The card scheme whose prefix and length `digits` has: Visa 4 (13, 16, 19); Mastercard 51–55, 2221–2720 (16);
 * Amex 34, 37 (15); Discover 6011, 644–649, 65 (16–19); JCB 3528–3589 (16–19); Diners 36, 300–305, 3095, 38–39
 * (14–16); UnionPay 62 (16–19); Maestro 5018, 5020, 5038, 5893, 6304, 6759, 6761–6763 (13–19).
 */
export function cardIssuer(digits: string): string | undefined {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  if (digits[0] === '4') return n === 13 || n === 16 || n === 19 ? 'visa' : undefined;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16 ? 'mastercard' : undefined;
  if (p2 === 34 || p2 === 37) return n === 15 ? 'amex' : undefined;
  if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65) return n >= 16 ? 'discover' : undefined;
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 ? 'jcb' : undefined;
  if (p2 === 36 || (p3 >= 300 && p3 <= 305) || p4 === 3095 || p2 === 38 || p2 === 39) {
    return n >= 14 && n <= 16 ? 'diners' : undefined;
  }
  if (p2 === 62) return n >= 16 ? 'unionpay' : undefined;
  if ([5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763].includes(p4)) return 'maestro';
  return undefined;
}
