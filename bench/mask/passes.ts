/**
 * The passes the throughput benchmark times over one file, shared by the benchmark's own process and the child it
 * pins to one core (`pinned.ts`), so both time exactly the same code:
 *
 * - `ours`: `maskStream` with every detector and no policy;
 * - `floor`: the same file through the mask module's own stream code with no masking (JSONL split into lines,
 *   parsed and re-serialised; CSV through the same reader and writer);
 * - `peer`: @redactpii/node redacting every string of every JSONL record before re-serialising.
 *
 * Each resolves with the number of records it wrote.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
// The build's JavaScript (`npm run build`), not the TypeScript sources through tsx: what users run.
import { maskStream } from '../../packages/mask/dist/index.js';
import { CsvReader, formatCsvRow } from '../../packages/mask/dist/structured/csv.js';
import { isBlank } from '../../packages/mask/dist/structured/lines.js';
import { decodeChunks, fileChunkBytes, OutputSink, readLines } from '../../packages/mask/dist/structured/stream-io.js';
import { PeerRedactor } from './peer.js';

export type Format = 'jsonl' | 'csv';
export const passNames = ['ours', 'floor', 'peer'] as const;
export type PassName = (typeof passNames)[number];

/** The input file, read as `countersign mask` reads it (in chunks of {@link fileChunkBytes}), by every pass alike. */
function readInput(input: string) {
  return createReadStream(input, { highWaterMark: fileChunkBytes });
}

export interface PassResult {
  records: number;
  /** Findings masked (ours only). */
  findings?: number;
}

/** Reads `input` as JSON lines through the mask module's own stream code, writing `transform(record)` per line. */
async function jsonlPass(input: string, output: string, transform: (record: unknown) => unknown): Promise<number> {
  const sink = new OutputSink(createWriteStream(output));
  let records = 0;
  for await (const { lines } of readLines(readInput(input), () => {})) {
    for (const line of lines) {
      if (isBlank(line)) continue;
      records += 1;
      sink.pushLine(JSON.stringify(transform(JSON.parse(line))));
      if (sink.due) await sink.flush();
    }
  }
  await sink.close(true);
  return records;
}

/** The same, for CSV: the mask module's reader and writer, rows passed through untouched; counts rows after the header. */
async function csvFloor(input: string, output: string): Promise<number> {
  const sink = new OutputSink(createWriteStream(output));
  const reader = new CsvReader();
  let rows = 0;
  const write = async (batch: string[][]) => {
    for (const row of batch) {
      rows += 1;
      sink.push(formatCsvRow(row));
      sink.push(reader.newline ?? '\n');
      if (sink.due) await sink.flush();
    }
  };
  for await (const chunk of decodeChunks(readInput(input), () => {})) await write(reader.push(chunk));
  await write(reader.end());
  await sink.close(true);
  return Math.max(0, rows - 1);
}

/** Replaces every string inside `value` (objects and arrays, in place) by `redact(string)`. */
function redactStrings(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = redactStrings(value[i], redact);
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = redactStrings(record[key], redact);
  }
  return value;
}

/** Masks `input` with every detector and no policy; fails on any invalid record. */
async function ours(format: Format, input: string, output: string): Promise<PassResult> {
  const sink = createWriteStream(output);
  const report = await maskStream({ format, input: readInput(input), output: sink });
  if (!sink.writableEnded) sink.end();
  await finished(sink);
  if (report.invalid !== 0) throw new Error(`maskStream ${format}: ${report.invalid} invalid records in ${input}`);
  return { records: report.records, findings: Object.values(report.findings).reduce((sum, n) => sum + n, 0) };
}

let peer: PeerRedactor | undefined;

/** Runs pass `name` over `input` (of `format`) into `output`; the peer reads JSONL only. */
export async function runPass(name: PassName, format: Format, input: string, output: string): Promise<PassResult> {
  switch (name) {
    case 'ours':
      return ours(format, input, output);
    case 'floor':
      return { records: format === 'jsonl' ? await jsonlPass(input, output, (r) => r) : await csvFloor(input, output) };
    case 'peer': {
      if (format !== 'jsonl') throw new Error('the peer pass reads JSONL only');
      peer ??= new PeerRedactor();
      const redactor = peer;
      return { records: await jsonlPass(input, output, (r) => redactStrings(r, (text) => redactor.redact(text))) };
    }
  }
}
