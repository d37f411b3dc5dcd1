import { builtinLabels, defaultScanner, labelsOf } from '../detectors/index.js';
import type { EntityType, Scanner, SensitivityLabel } from '../types.js';

/** What {@link classifyColumns} suggests doing with a column. */
export type SuggestedOperator = 'tokenize' | 'partial' | 'generalise' | 'redact' | 'replace' | 'scan' | 'keep';

/** What a sample says a column holds. */
export interface ColumnClassification {
  column: string;
  /** The entity type found in most sampled values, if any was found. */
  type: EntityType | undefined;
  /** Share (0–1) of the sampled non-empty values that contain `type`. */
  share: number;
  /** How many non-empty values were sampled. */
  values: number;
  /** For each type found, how many sampled values contain it. */
  findings: Record<string, number>;
  labels: SensitivityLabel[];
  suggested: SuggestedOperator;
}

export interface ClassifyOptions {
  /** Default: {@link defaultScanner}. */
  scanner?: Scanner;
  /** Rows to sample from the start (default 1000). */
  sample?: number;
  /** Share at or above which a column counts as holding its dominant type (default 0.5). */
  threshold?: number;
}

/** Credentials, whatever their vendor: a column of them is redacted, never kept in part. */
const secretTypes = new Set<string>(
  Object.entries(builtinLabels)
    .filter(([, labels]) => labels.includes('secrets'))
    .map(([type]) => type),
);
const partialTypes = new Set(['CREDIT_CARD', 'US_SSN', 'IBAN']);

interface ColumnTally {
  values: number;
  prose: number;
  findings: Map<EntityType, number>;
}

/** Accumulates a sample column by column; {@link classifyColumns} and `classify: true` streams use it. */
export class ColumnClassifier {
  private readonly tallies = new Map<string, ColumnTally>();

  constructor(
    private readonly scanner: Scanner,
    private readonly threshold: number,
  ) {}

  observe(column: string, value: string): void {
    let tally = this.tallies.get(column);
    if (!tally) {
      tally = { values: 0, prose: 0, findings: new Map() };
      this.tallies.set(column, tally);
    }
    if (value.trim() === '') return;
    tally.values++;
    if (value.length >= 20 && value.includes(' ')) tally.prose++;
    const seen = new Set<EntityType>();
    for (const span of this.scanner.scan(value)) seen.add(span.type);
    for (const type of seen) tally.findings.set(type, (tally.findings.get(type) ?? 0) + 1);
  }

  results(): ColumnClassification[] {
    return [...this.tallies].map(([column, tally]) => {
      let type: EntityType | undefined;
      let count = 0;
      for (const [candidate, n] of tally.findings) {
        if (n > count || (n === count && type !== undefined && candidate < type)) {
          type = candidate;
          count = n;
        }
      }
      const share = tally.values === 0 ? 0 : count / tally.values;
      return {
        column,
        type,
        share,
        values: tally.values,
        findings: Object.fromEntries(tally.findings),
        labels: labelsOf(tally.findings.keys(), this.scanner.detectors),
        suggested: suggest(type, share >= this.threshold, tally),
      };
    });
  }
}

function suggest(type: EntityType | undefined, dominant: boolean, tally: ColumnTally): SuggestedOperator {
  if (type !== undefined && dominant) {
    if (partialTypes.has(type)) return 'partial';
    if (secretTypes.has(type)) return 'redact';
    if (type === 'DATE_OF_BIRTH') return 'generalise';
    if (type === 'PERSON') return 'replace';
    return 'tokenize';
  }
  if (type !== undefined || tally.prose * 2 >= tally.values) return tally.values === 0 ? 'keep' : 'scan';
  return 'keep';
}

/**
 * Samples rows and says, per column, which entity type dominates it, in what share of values, and the operator
 * to use: `tokenize` for emails, phones and IDs, `partial` for cards, SSNs and IBANs, `scan` for free text,
 * `keep` for clean columns. Rows are records, or arrays whose first row is the header.
 *
 * @example
 * classifyColumns([{ email: 'ada@example.com', note: 'hi' }])
 * // [{ column: 'email', type: 'EMAIL', share: 1, suggested: 'tokenize', … }, { column: 'note', suggested: 'keep', … }]
 */
export function classifyColumns(
  rows: Iterable<Record<string, string>> | string[][],
  options: ClassifyOptions = {},
): ColumnClassification[] {
  const classifier = new ColumnClassifier(options.scanner ?? defaultScanner(), options.threshold ?? 0.5);
  const sample = options.sample ?? 1000;
  let header: string[] | undefined;
  let seen = 0;
  for (const row of rows) {
    if (Array.isArray(row)) {
      if (!header) {
        header = row;
        for (const column of header) classifier.observe(column, '');
        continue;
      }
      if (seen++ >= sample) break;
      row.forEach((value, i) => {
        const column = header?.[i];
        if (column !== undefined) classifier.observe(column, value);
      });
    } else {
      if (seen++ >= sample) break;
      for (const [column, value] of Object.entries(row)) {
        if (typeof value === 'string') classifier.observe(column, value);
      }
    }
  }
  return classifier.results();
}
