import { labelsOf } from '../detectors/index.js';
import type { Detector, EntityType, SensitivityLabel, Span } from '../types.js';

export type StreamFormat = 'csv' | 'jsonl';
export type ScanFormat = StreamFormat | 'text';

/** Per column (CSV header, or JSONL field path with arrays transparent). */
export interface ColumnReport {
  /** `scan`, `keep`, or the operator a rule (or classification) applied. */
  operator: string;
  /** Values seen (nulls and dropped fields excluded). */
  values: number;
  /** Values the output changed. */
  masked: number;
  findings: Record<string, number>;
}

/** What {@link maskStream} did. `examples` show masked output around findings, never a raw value. */
export interface MaskReport {
  format: StreamFormat;
  records: number;
  /** Records skipped as malformed (`onInvalid: 'skip'`). */
  invalid: number;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
  findings: Record<string, number>;
  columns: Record<string, ColumnReport>;
  labels: SensitivityLabel[];
  examples: Array<{ column: string; type: EntityType; masked: string }>;
}

/** What {@link scanStream} found. */
export interface ScanReport {
  format: ScanFormat;
  records: number;
  /** Records skipped as malformed (`onInvalid: 'skip'`); always 0 for text. */
  invalid: number;
  bytes: number;
  findings: Record<string, number>;
  columns: Record<string, Record<string, number>>;
  labels: SensitivityLabel[];
  durationMs: number;
}

/** The column name statistics beyond {@link maxColumns} distinct columns are pooled under. */
export const otherColumns = '(other)';
/** A cap on distinct columns tracked, so data with unbounded key sets (maps keyed by ids) stays in bounded memory. */
const maxColumns = 2000;
const examplesPerType = 3;
const exampleLength = 80;

/** Statistics for one column; the masking code holds on to it to avoid a lookup per value. */
export interface ColumnStats {
  operator: string;
  values: number;
  masked: number;
  findings: Map<EntityType, number>;
}

/** Accumulates a {@link MaskReport} or {@link ScanReport} in bounded memory. */
export class ReportBuilder {
  readonly findings = new Map<EntityType, number>();
  private readonly columns = new Map<string, ColumnStats>();
  private readonly examples = new Map<EntityType, Array<{ column: string; type: EntityType; masked: string }>>();
  private readonly keepExamples: boolean;

  private readonly detectors: readonly Detector[];

  /**
   * `examples: false` when the output is not masked (a scan): examples would show raw values. `detectors` give
   * custom types their labels.
   */
  constructor(options: { examples?: boolean; detectors?: readonly Detector[] } = {}) {
    this.keepExamples = options.examples ?? true;
    this.detectors = options.detectors ?? [];
  }

  /** The statistics of `name`, created on first use (pooled under {@link otherColumns} past the cap). */
  column(name: string, operator: string): ColumnStats {
    let stats = this.columns.get(name);
    if (stats) return stats;
    if (this.columns.size >= maxColumns) return this.column(otherColumns, 'mixed');
    stats = { operator, values: 0, masked: 0, findings: new Map() };
    this.columns.set(name, stats);
    return stats;
  }

  /** Counts findings of the masked text `output` (spans in output coordinates) and keeps examples. */
  addFindings(stats: ColumnStats, column: string, spans: readonly Span[], output: string | undefined): void {
    for (const span of spans) {
      this.findings.set(span.type, (this.findings.get(span.type) ?? 0) + 1);
      stats.findings.set(span.type, (stats.findings.get(span.type) ?? 0) + 1);
      if (output !== undefined) this.addExample(column, span.type, output, span.start, span.end);
    }
  }

  /** Counts one finding of `type` for a value a typed rule masked whole (its output is the example). */
  addTyped(stats: ColumnStats, column: string, type: EntityType, output: string): void {
    this.findings.set(type, (this.findings.get(type) ?? 0) + 1);
    stats.findings.set(type, (stats.findings.get(type) ?? 0) + 1);
    this.addExample(column, type, output, 0, output.length);
  }

  private addExample(column: string, type: EntityType, output: string, start: number, end: number): void {
    if (!this.keepExamples) return;
    let list = this.examples.get(type);
    if (!list) {
      list = [];
      this.examples.set(type, list);
    }
    if (list.length >= examplesPerType) return;
    const context = Math.max(0, Math.floor((exampleLength - (end - start)) / 2));
    const from = Math.max(0, start - context);
    list.push({ column, type, masked: output.slice(from, from + exampleLength) });
  }

  labels(): SensitivityLabel[] {
    return labelsOf(this.findings.keys(), this.detectors);
  }

  maskReport(
    fields: Pick<MaskReport, 'format' | 'records' | 'invalid' | 'bytesIn' | 'bytesOut' | 'durationMs'>,
  ): MaskReport {
    // fromEntries, not assignment: a column named `__proto__` must stay an ordinary key.
    const columns: Record<string, ColumnReport> = Object.fromEntries(
      [...this.columns].map(([name, stats]) => [
        name,
        {
          operator: stats.operator,
          values: stats.values,
          masked: stats.masked,
          findings: Object.fromEntries(stats.findings),
        },
      ]),
    );
    return {
      ...fields,
      findings: Object.fromEntries(this.findings),
      columns,
      labels: this.labels(),
      examples: [...this.examples.values()].flat(),
    };
  }

  scanReport(fields: Pick<ScanReport, 'format' | 'records' | 'invalid' | 'bytes' | 'durationMs'>): ScanReport {
    const columns: Record<string, Record<string, number>> = Object.fromEntries(
      [...this.columns]
        .filter(([, stats]) => stats.findings.size > 0)
        .map(([name, stats]) => [name, Object.fromEntries(stats.findings)]),
    );
    return { ...fields, findings: Object.fromEntries(this.findings), columns, labels: this.labels() };
  }
}
