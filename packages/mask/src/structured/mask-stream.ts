import type { Writable } from 'node:stream';
import { defaultScanner } from '../detectors/index.js';
import { MaskError } from '../errors.js';
import { createMaskContext } from '../operators/index.js';
import type { MaskingPolicy } from '../policy/index.js';
import type { Scanner } from '../types.js';
import { FieldMasker } from './field-masker.js';
import { type PipelineCounts, type PipelineRun, runCsv, runJsonl } from './pipeline.js';
import { type MaskReport, ReportBuilder, type StreamFormat } from './report.js';
import { OutputSink, type StreamInput } from './stream-io.js';

export interface MaskStreamOptions {
  format: StreamFormat;
  /** A Readable (a file, stdin, an HTTP body) or any async iterable of bytes or text. */
  input: StreamInput;
  output: Writable;
  /** Without one, every string value (JSONL, nested too) or CSV cell is scanned and findings become `<TYPE>`. */
  policy?: MaskingPolicy;
  /** Overrides the policy's scanner; default {@link defaultScanner}. */
  scanner?: Scanner;
  /** The tokenisation key; overrides the policy's. */
  key?: string;
  /** `error` (default): a malformed record stops the run. `skip`: it is left out and counted in `invalid`. */
  onInvalid?: 'error' | 'skip';
  /** CSV only; default `,`. */
  delimiter?: string;
  /** End `output` when done and wait until it has flushed; destroy it on failure (default true). */
  end?: boolean;
  onProgress?: (progress: { bytesIn: number; records: number }) => void;
}

/**
 * Masks a CSV or JSONL stream record by record in constant memory: it honours backpressure (waits for `drain`)
 * and never holds more than a batch of output (plus, with `classify`, the sampled records). Resolves with a
 * report once the output has been written.
 *
 * @example
 * const report = await maskStream({
 *   format: 'jsonl',
 *   input: createReadStream('in.jsonl'),
 *   output: createWriteStream('out.jsonl'),
 *   policy: await loadMaskingPolicy('masking.yaml'),
 * });
 */
export async function maskStream(options: MaskStreamOptions): Promise<MaskReport> {
  const started = performance.now();
  const run = prepare(options, new OutputSink(options.output), true);
  let counts: PipelineCounts;
  try {
    counts = await execute(options.format, run);
    await run.sink!.close(options.end ?? true);
  } catch (error) {
    run.sink!.release();
    // The output is ours to end, so ours to close on failure (its file descriptor, its socket).
    if (options.end ?? true) options.output.destroy();
    throw error;
  }
  return run.masker.report.maskReport({
    format: options.format,
    ...counts,
    bytesOut: run.sink!.bytesOut,
    durationMs: Math.round(performance.now() - started),
  });
}

/** Resolves the scanner, key and findings operator once for a run. */
export function prepare(
  options: Pick<MaskStreamOptions, 'input' | 'policy' | 'scanner' | 'key' | 'onInvalid' | 'delimiter' | 'onProgress'>,
  sink: OutputSink | undefined,
  examples: boolean,
): PipelineRun {
  const { policy } = options;
  const key = options.key ?? policy?.key;
  if (sink && policy?.tokenizes && !key) {
    throw new MaskError(
      'mask_key_missing',
      `the policy tokenizes but no key is set: export ${policy.keyEnv} or pass key`,
    );
  }
  const context = createMaskContext({ key });
  const findings = sink ? (policy?.findings ?? { operator: 'replace' as const }) : { operator: 'keep' as const };
  const scanner = options.scanner ?? policy?.scanner ?? defaultScanner();
  return {
    input: options.input,
    masker: new FieldMasker(scanner, findings, context, new ReportBuilder({ examples, detectors: scanner.detectors })),
    policy: sink ? policy : policy && { ...policy, columns: [], default: 'scan', classify: undefined },
    sink,
    onInvalid: options.onInvalid ?? 'error',
    delimiter: options.delimiter ?? ',',
    onProgress: options.onProgress,
  };
}

export function execute(format: string, run: PipelineRun): Promise<PipelineCounts> {
  if (format === 'jsonl') return runJsonl(run);
  if (format === 'csv') return runCsv(run);
  throw new MaskError('mask_format_unknown', `unknown format ${JSON.stringify(format)}: use csv or jsonl`);
}
