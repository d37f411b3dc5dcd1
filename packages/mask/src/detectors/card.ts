import { coreFunction } from './scan-core.js';
import { type DigitRuns, type IndexedDetector, indexedDetector } from './text-index.js';

/**
 * CREDIT_CARD: 13–19 digits, run together or in groups of 3–8 split by single spaces or single dashes (one kind per
 * number), that pass Luhn and start with a known issuer's prefix at one of its lengths ({@link cardIssuer}). Not
 * glued to letters or to more digits: a group more on either side (`9400 2228 4249 1419 3275 12`, a parcel's
 * tracking number) makes it something else. Score 0.95.
 */
export function cardDetector(): IndexedDetector {
  return indexedDetector('CREDIT_CARD', ['pii', 'financial'], (index, spans) => {
    const { placed, runsAt, runCount } = index.placedRuns;
    const count = cardCandidates(placed.textAt, placed.length, runsAt, runCount, placed.outAt);
    const candidates = placed.out;
    const { text, digitRuns: runs } = index;
    // The run where the last card found ends: a number that starts inside it is part of it.
    let last = -1;
    for (let i = 0; i < count; i += 2) {
      const k = candidates[i]!;
      const ends = candidates[i + 1]!;
      if (k <= last) continue;
      // The longest the issuer accepts.
      for (let b = 31 - Math.clz32(ends); b >= 0; b--) {
        const j = k + 2 * b;
        if (((ends >>> b) & 1) === 0 || cardIssuer(groupDigits(text, runs, k, j)) === undefined) continue;
        spans.push({ type: 'CREDIT_CARD', start: runs[k]!, end: runs[j + 1]!, score: 0.95 });
        last = j;
        break;
      }
    }
  });
}

/**
 * Walks the digit runs in the core (`assembly/card.ts`): the shapes above and Luhn. Returns how many integers it
 * wrote to `out`: for each run `k` that starts a candidate, `k` and a mask whose bit `b` says the number through run
 * `k + 2b` is one.
 */
const cardCandidates =
  coreFunction<(text: number, length: number, runs: number, runCount: number, out: number) => number>('cardCandidates');

/** The digits of runs `k` to `last` (even indexes), joined: a grouped number without its separators. */
function groupDigits(text: string, runs: DigitRuns, k: number, last: number): string {
  let digits = '';
  for (let j = k; j <= last; j += 2) digits += text.slice(runs[j], runs[j + 1]);
  return digits;
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
