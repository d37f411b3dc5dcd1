import type { MaskingPolicy } from '../policy/index.js';
import type { Scanner } from '../types.js';
import { execute, prepare } from './mask-stream.js';
import type { ReportBuilder, ScanFormat, ScanReport } from './report.js';
import { decodeChunks, type StreamInput } from './stream-io.js';

export interface ScanStreamOptions {
  format: ScanFormat;
  input: StreamInput;
  /** Default: the policy's scanner, else {@link defaultScanner}. */
  scanner?: Scanner;
  /** Only its `detectors` matter here. */
  policy?: MaskingPolicy;
  onInvalid?: 'error' | 'skip';
  delimiter?: string;
  onProgress?: (progress: { bytesIn: number; records: number }) => void;
}

/**
 * Counts what a CSV, JSONL or plain-text stream holds, by type and by column, without writing anything: what to
 * run before deciding on a masking policy, or to label a data set.
 *
 * @example
 * const report = await scanStream({ format: 'csv', input: createReadStream('customers.csv') });
 * report.labels // ['contact', 'pii']
 */
export async function scanStream(options: ScanStreamOptions): Promise<ScanReport> {
  const started = performance.now();
  const run = prepare(options, undefined, false);
  if (options.format === 'text') {
    const { records, bytes } = await scanText(run.input, run.masker.scanner, run.masker.report, options.onProgress);
    return run.masker.report.scanReport({
      format: 'text',
      records,
      invalid: 0,
      bytes,
      durationMs: Math.round(performance.now() - started),
    });
  }
  const counts = await execute(options.format, run);
  return run.masker.report.scanReport({
    format: options.format,
    records: counts.records,
    invalid: counts.invalid,
    bytes: counts.bytesIn,
    durationMs: Math.round(performance.now() - started),
  });
}

/** Text is scanned in windows of at least this many characters… */
const windowLength = 256 * 1024;
/** …that overlap by this much, so a finding cut by a window's end (a PEM key runs to ~3 KB) is seen whole next time. */
const overlap = 16 * 1024;
/** Characters kept before a window's new text, so cue words ("SSN:") before a finding are still seen. */
const lookBehind = 256;

async function scanText(
  input: StreamInput,
  scanner: Scanner,
  report: ReportBuilder,
  onProgress: ScanStreamOptions['onProgress'],
): Promise<{ records: number; bytes: number }> {
  const stats = report.column('text', 'scan');
  let bytes = 0;
  let lines = 0;
  let lastChar = '';
  let window = '';
  /** Findings starting before this index of `window` were counted already. */
  let countFrom = 0;

  const scanWindow = (final: boolean) => {
    const limit = final ? window.length : window.length - overlap;
    let reached = limit;
    for (const span of scanner.scan(window)) {
      if (span.start < countFrom) continue;
      if (span.start >= limit) break;
      report.addFindings(stats, 'text', [span], undefined);
      if (span.end > reached) reached = span.end;
    }
    const keepFrom = Math.max(0, limit - lookBehind);
    window = window.slice(keepFrom);
    countFrom = reached - keepFrom;
  };

  for await (const text of decodeChunks(input, (n) => {
    bytes += n;
  })) {
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
    lastChar = text[text.length - 1] ?? lastChar;
    window += text;
    if (window.length >= windowLength + overlap) scanWindow(false);
    onProgress?.({ bytesIn: bytes, records: lines });
  }
  if (window.length > countFrom) scanWindow(true);
  if (lastChar !== '' && lastChar !== '\n') lines++;
  return { records: lines, bytes };
}
