import { MaskError, skipInvalidAdvice } from '../errors.js';
import { type ColumnOperatorConfig, columnRuleFor, type MaskingPolicy } from '../policy/index.js';
import type { EntityType, Span } from '../types.js';
import { ColumnClassifier } from './classify.js';
import { CsvReader, formatCsvRow } from './csv.js';
import type { ColumnPlan, FieldMasker } from './field-masker.js';
import { forEachLeaf, JsonMasker, type MaskedLine, type ReadLine } from './json-masker.js';
import { isBlank } from './lines.js';
import { scanMany, separator } from './scan-many.js';
import { decodeChunks, type OutputSink, readLines, type StreamInput } from './stream-io.js';

/** One run over a CSV or JSONL input: masking (with a sink) or scanning only (without). */
export interface PipelineRun {
  input: StreamInput;
  masker: FieldMasker;
  policy: MaskingPolicy | undefined;
  /** Where masked output goes; absent when only scanning. */
  sink: OutputSink | undefined;
  onInvalid: 'error' | 'skip';
  delimiter: string;
  onProgress: ((progress: { bytesIn: number; records: number }) => void) | undefined;
}

export interface PipelineCounts {
  records: number;
  invalid: number;
  bytesIn: number;
}

function defaultOperator(policy: MaskingPolicy | undefined): Readonly<ColumnOperatorConfig> {
  return { operator: policy?.default ?? 'scan' };
}

/** Types that cover at least the policy's threshold share of a column's sampled values. */
function classifiedTypes(classifier: ColumnClassifier, threshold: number): Map<string, EntityType> {
  const types = new Map<string, EntityType>();
  for (const result of classifier.results()) {
    if (result.type !== undefined && result.share >= threshold) types.set(result.column, result.type);
  }
  return types;
}

export async function runJsonl(run: PipelineRun): Promise<PipelineCounts> {
  const { masker, policy, sink } = run;
  const counts: PipelineCounts = { records: 0, invalid: 0, bytesIn: 0 };
  const classify = policy?.classify;
  let sample: PendingRecord[] | undefined = classify ? [] : undefined;
  const classifier = classify ? new ColumnClassifier(masker.scanner, classify.threshold) : undefined;
  let json = classify ? undefined : new JsonMasker(masker, policy, defaultOperator(policy));
  let lineNumber = 0;

  // Records wait here to be scanned together (see scanBatch); their output keeps their order.
  const batch = new Batch<PendingRecord>((records) => {
    const masked = scanBatch(json!, masker, records);
    counts.records += records.length;
    if (!sink) return;
    for (let i = 0; i < records.length; i++) {
      const { line, bytes } = records[i]!;
      // A line that comes out as it went in is written as the bytes it came as, not encoded again, when those are
      // valid UTF-8 (decoding put no U+FFFD in it): the same bytes, for less work.
      if (masked[i] === line && !line.includes('\uFFFD')) sink.pushLine(bytes);
      else sink.pushLine(masked[i]!);
    }
  });
  const endSample = () => {
    const records = sample ?? [];
    sample = undefined;
    json = new JsonMasker(masker, policy, defaultOperator(policy), classifiedTypes(classifier!, classify!.threshold));
    for (const record of records) batch.add(record, record.line.length);
  };
  const handle = (line: string, bytes: Buffer) => {
    lineNumber++;
    if (isBlank(line)) return;
    const read = sample ? undefined : json!.readLine(line);
    if (read) {
      batch.add({ line, bytes, value: undefined, read }, line.length);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (run.onInvalid === 'skip') {
        counts.invalid++;
        return;
      }
      throw new MaskError(
        'mask_input_invalid',
        `JSONL line ${lineNumber} is not valid JSON (${(error as Error).message}); fix the line or ${skipInvalidAdvice} to skip and count such lines`,
        { line: lineNumber },
      );
    }
    const record: PendingRecord = { line, bytes, value, read: undefined };
    if (sample) {
      sample.push(record);
      forEachLeaf(value, '', (path, text) => classifier!.observe(path, text));
      if (sample.length >= classify!.sample) endSample();
      return;
    }
    batch.add(record, line.length);
  };

  for await (const { lines, bytes } of readLines(run.input, (count) => {
    counts.bytesIn += count;
  })) {
    for (let i = 0; i < lines.length; i++) {
      handle(lines[i]!, bytes[i]!);
      if (sink?.due) await sink.flush();
    }
    run.onProgress?.({ bytesIn: counts.bytesIn, records: counts.records + batch.length });
  }
  if (sample) endSample();
  batch.flush();
  return counts;
}

/**
 * Records are scanned together while their text (strings and the separators between them) stays within this many
 * characters, and up to {@link batchRecords} records. It must stay under `largeText` (stream-io.ts) unless one
 * record alone is longer: past it the joined text is a large object, and joining it and every copy of it cost many
 * times more (dense CSV batches of 70,000 characters spent 13 ms/MB joining their cells).
 */
const batchSize = 56 * 1024;
const batchRecords = 512;

/** Records waiting to be scanned together; `onFull` takes them, in order, once they are enough or on `flush`. */
class Batch<T> {
  private items: T[] = [];
  private chars = 0;

  constructor(private readonly onFull: (items: T[]) => void) {}

  get length(): number {
    return this.items.length;
  }

  /**
   * Adds `item`; `chars` is the text it brings to scan, separators included, or an estimate no smaller (a JSONL
   * line's length: its quotes, keys and punctuation outweigh the separators between its values).
   */
  add(item: T, chars: number): void {
    if (this.items.length > 0 && this.chars + chars > batchSize) this.flush();
    this.items.push(item);
    this.chars += chars;
    if (this.items.length >= batchRecords) this.flush();
  }

  flush(): void {
    if (this.items.length === 0) return;
    const items = this.items;
    this.items = [];
    this.chars = 0;
    this.onFull(items);
  }
}

/** A JSONL record waiting in a batch: read in place, or (when that declined) parsed. */
interface PendingRecord {
  line: string;
  /** The bytes `line` was decoded from. */
  bytes: Buffer;
  value: unknown;
  read: ReadLine | undefined;
}

/**
 * Masks a batch of records, scanning the strings of all of them in one call: each detector then runs one long
 * pass instead of one short pass per record, which is markedly cheaper. Records stay apart (a cue in one never
 * counts for the next). Returns each record's output line, in order.
 */
function scanBatch(json: JsonMasker, masker: FieldMasker, records: readonly PendingRecord[]): MaskedLine[] {
  const texts: string[] = [];
  const recordStarts: number[] = [];
  for (const { value, read } of records) {
    recordStarts.push(texts.length);
    if (read) json.lineStrings(read, texts);
    else json.scannedStrings(value, texts);
  }
  const found = scanMany(masker.scanner, texts, recordStarts);
  return records.map(({ line, value, read }, i) => {
    if (read) return json.maskLine(read, found, recordStarts[i]!);
    json.scanAhead(texts, found, recordStarts[i]!);
    const masked = json.maskRecord(value);
    return masked.changed ? JSON.stringify(masked.value) : line;
  });
}

export async function runCsv(run: PipelineRun): Promise<PipelineCounts> {
  const { masker, policy, sink } = run;
  const counts: PipelineCounts = { records: 0, invalid: 0, bytesIn: 0 };
  const reader = new CsvReader({ delimiter: run.delimiter, onInvalid: run.onInvalid });
  const classify = policy?.classify;
  let sample: string[][] | undefined = classify ? [] : undefined;
  let header: string[] | undefined;
  let plans: ColumnPlan[] = [];
  let kept: number[] = [];
  let newline = '\n';

  const start = (classified: ReadonlyMap<string, EntityType>) => {
    const fallback = defaultOperator(policy);
    plans = (header ?? []).map((name) => {
      const rule = policy && columnRuleFor(policy, name);
      if (rule) return masker.plan(name, rule.operator);
      const type = classified.get(name);
      if (type) return masker.plan(name, { operator: 'replace', type, numbered: policy?.numbered ?? false });
      return masker.plan(name, fallback);
    });
    kept = plans.flatMap((plan, i) => (plan.operator.operator === 'drop' ? [] : [i]));
    newline = reader.newline ?? '\n';
    if (sink && header)
      sink.push(
        formatCsvRow(
          kept.map((i) => header![i]!),
          run.delimiter,
        ) + newline,
      );
  };
  const scannedCell = (row: readonly string[], i: number) => row[i]!.length > 0 && masker.scans(plans[i]!);
  const emit = (row: string[], found: ReadonlyArray<readonly Span[]>, from: number): number => {
    masker.context.reset();
    const out = new Array<string>(kept.length);
    const scanned: number[] = [];
    for (let k = 0; k < kept.length; k++) {
      const i = kept[k]!;
      if (scannedCell(row, i)) scanned.push(k);
      else out[k] = masker.mask(plans[i]!, row[i]!) ?? '';
    }
    for (let s = 0; s < scanned.length; s++) {
      const i = kept[scanned[s]!]!;
      out[scanned[s]!] = masker.maskFound(plans[i]!, row[i]!, found[from + s]!);
    }
    counts.records++;
    if (sink) {
      sink.push(formatCsvRow(out, run.delimiter));
      sink.push(newline);
    }
    return from + scanned.length;
  };
  // Rows wait here so that the cells of many are scanned in one call, rows kept apart; their order is kept.
  const batch = new Batch<string[]>((rows) => {
    const texts: string[] = [];
    const rowStarts: number[] = [];
    for (const row of rows) {
      rowStarts.push(texts.length);
      for (const i of kept) if (scannedCell(row, i)) texts.push(row[i]!);
    }
    const found = scanMany(masker.scanner, texts, rowStarts);
    let next = 0;
    for (const row of rows) next = emit(row, found, next);
  });
  const queue = (row: string[]) => {
    // Each cell scanned comes with a separator; the record separator is shorter than a cell's three.
    let chars = 0;
    for (const cell of row) chars += cell.length + separator.length;
    batch.add(row, chars);
  };
  const endSample = () => {
    const rows = sample ?? [];
    sample = undefined;
    const classifier = new ColumnClassifier(masker.scanner, classify!.threshold);
    for (const row of rows) {
      for (let i = 0; i < row.length; i++) classifier.observe(header![i]!, row[i]!);
    }
    start(classifiedTypes(classifier, classify!.threshold));
    for (const row of rows) queue(row);
  };
  const handle = (row: string[]) => {
    if (!header) {
      header = row;
      if (!sample) start(new Map());
      return;
    }
    if (sample) {
      sample.push(row);
      if (sample.length >= classify!.sample) endSample();
      return;
    }
    queue(row);
  };

  for await (const text of decodeChunks(run.input, (bytes) => {
    counts.bytesIn += bytes;
  })) {
    for (const row of reader.push(text)) {
      handle(row);
      if (sink?.due) await sink.flush();
    }
    run.onProgress?.({ bytesIn: counts.bytesIn, records: counts.records + batch.length });
  }
  for (const row of reader.end()) handle(row);
  if (sample && header) endSample();
  batch.flush();
  counts.invalid = reader.invalid;
  return counts;
}
