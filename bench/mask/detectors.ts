/**
 * What each detector costs, and what the whole scan costs, on the texts a JSONL run scans: every string of a record
 * joined the way `scanMany` joins them, and records joined into batches of 64 K characters as the pipeline scans
 * them. Three sets: the mixed and dense JSONL records of the throughput benchmark and the labelled quality corpus
 * (one document per record). Each figure is milliseconds per MB of text and, because these machines are
 * noisy, a multiple of `JSON.parse` over the same records timed in the same run. A fingerprint of each detector's
 * findings (count and hash of type, start, end, score) shows whether a change to a detector changed what it finds.
 *
 * `npm run bench -- mask detectors [--size MB]` (default 4 MB per JSONL set).
 */
import { createHash } from 'node:crypto';
import { createScanner } from '../../packages/mask/src/detectors/scanner.js';
import { recordSeparator, separator } from '../../packages/mask/src/structured/scan-many.js';
import type { Span } from '../../packages/mask/src/types.js';
import { generateDocuments, jsonlLines, mixedJsonlLines } from './corpus.js';

/** Batch size of the pipeline (`runJsonl`): records are scanned together until they hold this many characters. */
const batchChars = 64 * 1024;

function leaves(value: unknown, out: string[]): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) leaves(item, out);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) leaves(item, out);
  return out;
}

/** Each record's texts joined by `separator`, records joined by `recordSeparator` into batches as the pipeline makes. */
function batches(records: readonly string[]): string[] {
  const out: string[] = [];
  let batch: string[] = [];
  let size = 0;
  for (const record of records) {
    batch.push(record);
    size += record.length;
    if (size >= batchChars) {
      out.push(batch.join(recordSeparator));
      batch = [];
      size = 0;
    }
  }
  if (batch.length > 0) out.push(batch.join(recordSeparator));
  return out;
}

function take(lines: Generator<string>, bytes: number): string[] {
  const taken: string[] = [];
  let size = 0;
  for (const line of lines) {
    taken.push(line);
    size += Buffer.byteLength(line) + 1;
    if (size >= bytes) break;
  }
  return taken;
}

/** Best of `rounds` timings of `pass`, in ms, after one warm-up. */
function best(pass: () => void, rounds = 3): number {
  pass();
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    pass();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

function fingerprint(spans: readonly Span[]): string {
  const hash = createHash('sha256');
  for (const span of spans) hash.update(`${span.type},${span.start},${span.end},${span.score};`);
  return `${spans.length} ${hash.digest('hex').slice(0, 10)}`;
}

export async function runDetectorCosts(options: { megabytes?: number } = {}): Promise<void> {
  const bytes = Math.round((options.megabytes ?? 4) * 1_048_576);
  const scanner = createScanner();
  const sets: Array<{ name: string; lines: string[]; texts: string[] }> = [];
  for (const [name, lines] of [
    ['mixed JSONL', take(mixedJsonlLines(), bytes)],
    ['dense JSONL', take(jsonlLines(), bytes)],
  ] as const) {
    sets.push({ name, lines, texts: batches(lines.map((line) => leaves(JSON.parse(line), []).join(separator))) });
  }
  const documents = generateDocuments(3_000).map((document) => document.text);
  sets.push({
    name: 'labelled corpus',
    lines: documents.map((text) => JSON.stringify({ text })),
    texts: batches(documents),
  });

  for (const { name, lines, texts } of sets) {
    const megabytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / 1_048_576;
    const parse = best(() => {
      for (const line of lines) JSON.parse(line);
    });
    const perMb = (ms: number) =>
      `${(ms / megabytes).toFixed(2).padStart(6)} ms/MB ${(ms / parse).toFixed(2).padStart(6)}× parse`;
    console.log(`${name}: ${megabytes.toFixed(1)} MB of text; JSON.parse ${(parse / megabytes).toFixed(2)} ms/MB`);
    const all: Span[] = [];
    const scan = best(() => {
      all.length = 0;
      for (const text of texts) all.push(...scanner.scan(text));
    });
    console.log(`  ${'scan (all, overlaps resolved)'.padEnd(30)} ${perMb(scan)}   ${fingerprint(all)}`);
    const rows: Array<[string, number, string]> = [];
    for (const detector of scanner.detectors) {
      const spans: Span[] = [];
      const ms = best(() => {
        spans.length = 0;
        for (const text of texts) detector.detect(text, spans);
      });
      rows.push([detector.type, ms, fingerprint(spans)]);
    }
    for (const [type, ms, print] of rows.sort((a, b) => b[1] - a[1])) {
      console.log(`  ${type.padEnd(30)} ${perMb(ms)}   ${print}`);
    }
  }
}
