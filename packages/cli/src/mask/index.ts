import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import {
  fileChunkBytes,
  MaskError,
  type MaskingPolicy,
  type MaskReport,
  maskStream,
  parseMaskingPolicy,
  type ScanReport,
  type SensitivityLabel,
  scanStream,
  sensitivityLabels,
  skipInvalidAdvice,
} from '@countersign/mask';
import { Command, Option } from 'commander';
import { CliError, type CommandContext, exitCodes, groupDigits, printJson } from '../io.js';

type MaskOptions = {
  policy?: string;
  format?: string;
  report?: string;
  json?: boolean;
  progress?: boolean;
  skipInvalid?: boolean;
};
type ScanOptions = { format?: string; json?: boolean; failOn?: string; skipInvalid?: boolean };

/** `--skip-invalid`, on both commands. */
const skipInvalidFlag = '--skip-invalid';
const skipInvalidHelp =
  'skip malformed records (a JSONL line that is not JSON, a CSV row with the wrong number of fields) and count them in the report, instead of stopping at the first';

/** `countersign mask`: masks a CSV or JSONL file (or stdin) as it streams through, with a report of what it masked. */
export function maskCommand(context: CommandContext): Command {
  return new Command('mask')
    .description('Mask personal data and secrets in a CSV or JSONL file as it streams through (constant memory).')
    .argument('[in]', 'the file to mask (- or none: standard input)')
    .argument('[out]', 'where to write the masked data (- or none: standard output)')
    .option(
      '--policy <file>',
      'a masking policy (YAML): column rules, detectors, tokenisation key; see docs/masking.md',
    )
    .addOption(new Option('--format <format>', 'csv or jsonl (default: from the input file name)').choices(formats))
    .option('--report <file>', 'write the report (counts per type and column, masked examples) as JSON to this file')
    .option('--json', 'print the report as JSON on standard output (only when the masked data goes to a file)')
    .option('--no-progress', 'no progress line on a terminal')
    .option(skipInvalidFlag, skipInvalidHelp)
    .addHelpText(
      'after',
      `
Without --policy every string (JSONL, nested too) or cell (CSV) is scanned with every detector and each finding is
replaced by <TYPE>, so the command is useful with no set-up. The report never holds an unmasked value.

Examples:
  countersign mask customers.csv customers.masked.csv
  countersign mask --policy masking.yaml --report report.json events.jsonl events.masked.jsonl
  zcat events.jsonl.gz | countersign mask --format jsonl --policy masking.yaml > events.masked.jsonl`,
    )
    .action(async (input: string | undefined, output: string | undefined, options: MaskOptions) =>
      mask(context, input, output, options),
    );
}

/** `countersign scan`: what personal data and secrets a file holds, and its sensitivity labels, without changing it. */
export function scanCommand(context: CommandContext): Command {
  return new Command('scan')
    .description('Report what personal data and secrets a file holds, and its sensitivity labels (pii, secrets, …).')
    .argument('<file>', 'the file to scan (- for standard input)')
    .addOption(
      new Option('--format <format>', 'csv, jsonl or text (default: from the file name, else text)').choices([
        ...formats,
        'text',
      ]),
    )
    .option('--fail-on <labels>', `exit 1 when the file carries any of these labels (comma-separated: ${labelList})`)
    .option('--json', 'print the report as JSON')
    .option(skipInvalidFlag, skipInvalidHelp)
    .addHelpText(
      'after',
      `
The labels are what an agent attaches to a resource so policy can tell a masked export from a raw one:
  countersign request data.export --resource "dataset:exports/q3.csv" \\
    --label "$(countersign scan exports/q3.csv --json | jq -r '.labels | join(",")')"

Examples:
  countersign scan customers.csv
  countersign scan --fail-on pii,secrets exports/q3.masked.csv     exit 1 if masking missed something`,
    )
    .action(async (file: string, options: ScanOptions) => scan(context, file, options));
}

const formats = ['csv', 'jsonl'] as const;
const labelList = sensitivityLabels.join(', ');

async function mask(
  context: CommandContext,
  input: string | undefined,
  output: string | undefined,
  options: MaskOptions,
): Promise<void> {
  const inPath = fileArgument(input);
  const outPath = fileArgument(output);
  const format = options.format ?? formatOf(inPath);
  if (format !== 'csv' && format !== 'jsonl') {
    throw new CliError(
      inPath === undefined
        ? 'reading standard input: say which format it is with --format csv or --format jsonl'
        : `cannot tell the format of ${inPath} from its name: add --format csv or --format jsonl`,
    );
  }
  if (options.json && outPath === undefined) {
    throw new CliError('--json prints the report on standard output, where the masked data goes: use --report FILE');
  }
  if (inPath !== undefined && outPath !== undefined && inPath === outPath) {
    throw new CliError('the output would overwrite the input: write the masked data to another file');
  }
  const policy = options.policy === undefined ? undefined : await readPolicy(context, options.policy);
  const size = inPath === undefined ? undefined : await fileSize(inPath);

  // Written next to the destination and renamed into place at the end, so a failed run leaves no half-masked file
  // that looks finished.
  const partial = outPath === undefined ? undefined : `${outPath}.partial`;
  const source: Readable =
    inPath === undefined ? process.stdin : createReadStream(inPath, { highWaterMark: fileChunkBytes });
  const sink: Writable = partial === undefined ? process.stdout : createWriteStream(partial);
  const progress = options.progress === false ? undefined : progressLine(context, size);
  let report: MaskReport;
  try {
    report = await maskStream({
      format,
      input: source,
      output: sink,
      // Standard output is not ours to end (or to destroy on failure); a file is.
      end: partial !== undefined,
      onInvalid: options.skipInvalid ? 'skip' : 'error',
      ...(policy !== undefined && { policy }),
      ...(progress && { onProgress: progress.update }),
    });
    if (partial !== undefined) {
      await finished(sink);
      await rename(partial, outPath!);
    }
  } catch (error) {
    source.destroy();
    if (partial !== undefined) {
      sink.destroy();
      await rm(partial, { force: true });
    }
    throw maskFailure(error);
  } finally {
    progress?.stop();
  }

  if (options.report !== undefined) await writeFile(options.report, `${JSON.stringify(report, null, 2)}\n`);
  if (options.json) {
    printJson(context, report);
    return;
  }
  context.io.stderr(maskSummary(report, outPath));
}

async function scan(context: CommandContext, file: string, options: ScanOptions): Promise<void> {
  const path = fileArgument(file);
  const format = options.format ?? formatOf(path) ?? 'text';
  if (format !== 'csv' && format !== 'jsonl' && format !== 'text') throw new CliError(`unknown format ${format}`);
  const failOn = options.failOn === undefined ? [] : labelsFrom(options.failOn);
  if (path !== undefined) await fileSize(path);
  const source: Readable =
    path === undefined ? process.stdin : createReadStream(path, { highWaterMark: fileChunkBytes });
  let report: ScanReport;
  try {
    report = await scanStream({ format, input: source, onInvalid: options.skipInvalid ? 'skip' : 'error' });
  } catch (error) {
    source.destroy();
    throw maskFailure(error);
  }
  const hit = failOn.filter((label) => report.labels.includes(label));
  if (hit.length > 0) context.exitCode = exitCodes.failed;
  if (options.json) {
    printJson(context, report);
    return;
  }
  context.io.stdout(scanSummary(report, path ?? 'standard input'));
  if (hit.length > 0) context.io.stderr(`countersign: the file carries ${hit.join(', ')} (--fail-on)\n`);
}

function fileArgument(value: string | undefined): string | undefined {
  return value === undefined || value === '-' ? undefined : value;
}

function formatOf(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  if (extension === '.txt' || extension === '.log' || extension === '.md') return 'text';
  return undefined;
}

function labelsFrom(list: string): SensitivityLabel[] {
  const labels = list
    .split(',')
    .map((label) => label.trim())
    .filter((label) => label !== '');
  for (const label of labels) {
    if (!(sensitivityLabels as readonly string[]).includes(label)) {
      throw new CliError(`--fail-on: unknown label ${label} (labels: ${labelList})`);
    }
  }
  return labels as SensitivityLabel[];
}

async function readPolicy(context: CommandContext, path: string): Promise<MaskingPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the masking policy ${path}: ${(error as Error).message}`);
  }
  try {
    return parseMaskingPolicy(text, { env: context.env });
  } catch (error) {
    throw maskFailure(error, path);
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new CliError(`${path} is not a file`);
    return info.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/** A masking error as the user should read it: a bad policy or key is a usage error, bad input data a failure. */
function maskFailure(error: unknown, source?: string): unknown {
  if (!(error instanceof MaskError)) return error;
  const where = source === undefined ? '' : `${source}: `;
  const exitCode = error.code === 'mask_input_invalid' ? exitCodes.failed : exitCodes.usage;
  // The library's advice names its option; here the flag does the same.
  const message = error.message.replace(skipInvalidAdvice, `add ${skipInvalidFlag}`);
  return new CliError(`${where}${message} (${error.code})`, exitCode);
}

interface ProgressLine {
  update(progress: { bytesIn: number; records: number }): void;
  stop(): void;
}

/** On a terminal (stderr): bytes, records, MB/s and the share done, redrawn at most every 200 ms. */
function progressLine(context: CommandContext, size: number | undefined): ProgressLine | undefined {
  if (!context.io.stderrIsTTY) return undefined;
  const started = Date.now();
  let drawn = 0;
  let last = { bytesIn: 0, records: 0 };
  const draw = () => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const share = size ? ` ${Math.min(100, Math.floor((last.bytesIn / size) * 100))}%` : '';
    context.io.stderr(
      `\rmasking${share} ${megabytes(last.bytesIn)} MB, ${groupDigits(last.records)} records, ` +
        `${(last.bytesIn / 1e6 / seconds).toFixed(1)} MB/s\x1b[K`,
    );
  };
  return {
    update(progress) {
      last = progress;
      const now = Date.now();
      if (now - drawn < 200) return;
      drawn = now;
      draw();
    },
    stop() {
      if (drawn === 0) return;
      draw();
      context.io.stderr('\n');
    },
  };
}

function count(n: number, noun: string): string {
  return `${groupDigits(n)} ${noun}${n === 1 ? '' : 's'}`;
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

function maskSummary(report: MaskReport, outPath: string | undefined): string {
  const seconds = Math.max(report.durationMs / 1000, 0.001);
  const lines = [
    `masked ${count(report.records, 'record')} (${megabytes(report.bytesIn)} MB in ${seconds.toFixed(1)} s, ` +
      `${(report.bytesIn / 1e6 / seconds).toFixed(1)} MB/s)${outPath === undefined ? '' : ` into ${outPath}`}`,
  ];
  if (report.invalid > 0) lines.push(`skipped ${report.invalid} invalid records`);
  const found = Object.entries(report.findings).sort(([, a], [, b]) => b - a);
  lines.push(
    found.length === 0
      ? 'found nothing to mask by content'
      : `found: ${found.map(([type, count]) => `${type} ${groupDigits(count)}`).join(', ')}`,
  );
  if (report.labels.length > 0) lines.push(`labels of the input: ${report.labels.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

function scanSummary(report: ScanReport, name: string): string {
  const found = Object.entries(report.findings).sort(([, a], [, b]) => b - a);
  const lines = [
    `${name}: ${count(report.records, report.format === 'text' ? 'line' : 'record')}, ` +
      `${megabytes(report.bytes)} MB`,
  ];
  if (report.invalid > 0) lines.push(`skipped ${groupDigits(report.invalid)} invalid records`);
  if (found.length === 0) {
    lines.push('no personal data or secrets found');
    return `${lines.join('\n')}\n`;
  }
  lines.push(`labels: ${report.labels.join(', ')}`, '', 'TYPE                 COUNT');
  for (const [type, count] of found) lines.push(`${type.padEnd(20)} ${groupDigits(count)}`);
  const columns = Object.entries(report.columns).filter(([, types]) => Object.keys(types).length > 0);
  if (columns.length > 0) {
    lines.push('', 'COLUMN               FOUND');
    for (const [column, types] of columns) {
      const counts = Object.entries(types)
        .map(([type, count]) => `${type} ${groupDigits(count)}`)
        .join(', ');
      lines.push(`${column.padEnd(20)} ${counts}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
