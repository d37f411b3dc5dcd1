/**
 * `npm run bench -- mask [quality|throughput] [--size MB] [--documents N]`: how well and how fast Countersign masks.
 *
 * - quality: precision, recall and F2 per entity type on a seeded, labelled corpus (~3,000 documents of tickets,
 *   notes, logs, HR records, chat, email and config, with hard negatives mixed in), and false positives per MB of
 *   ordinary prose — ours (every built-in detector) against @redactpii/node.
 * - throughput: MB/s on one core of `maskStream` on JSONL and CSV (≥ 16 MB each), against the floor of reading and
 *   re-writing the same file with no masking, and against the peer; plus the `countersign mask` CLI when built.
 *
 * - detectors: what each detector costs on the texts a JSONL run scans, as ms/MB and as a multiple of JSON.parse,
 *   with a fingerprint of its findings (`--size` MB of each JSONL set, default 4).
 *
 * With no word, quality then throughput run.
 */
import { runDetectorCosts } from './detectors.js';
import { runQuality } from './quality.js';
import { runThroughput } from './throughput.js';

const usage = 'usage: npm run bench -- mask [quality|throughput|detectors] [--size MB] [--documents N]';

function numberFlag(args: string[], flag: string): number | undefined {
  const at = args.indexOf(flag);
  if (at < 0) return undefined;
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} needs a positive number\n${usage}`);
  return value;
}

export async function main(args: string[]): Promise<void> {
  const known = new Set(['quality', 'throughput', 'detectors', '--size', '--documents']);
  const unknown = args.filter((arg, i) => !known.has(arg) && !['--size', '--documents'].includes(args[i - 1] ?? ''));
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown.join(' ')}\n${usage}`);
    process.exitCode = 2;
    return;
  }
  const size = numberFlag(args, '--size');
  const documents = numberFlag(args, '--documents');
  if (args.includes('detectors')) {
    await runDetectorCosts(size === undefined ? {} : { megabytes: size });
    return;
  }
  const only = args.includes('quality') ? 'quality' : args.includes('throughput') ? 'throughput' : undefined;
  if (only !== 'throughput') {
    await runQuality(documents === undefined ? {} : { documents: Math.round(documents) });
  }
  if (only !== 'quality') {
    if (only === undefined) console.log('');
    await runThroughput(size === undefined ? {} : { megabytes: size });
  }
}
