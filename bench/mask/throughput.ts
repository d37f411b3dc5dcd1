/**
 * Masking throughput on one core, in MB/s of input, each figure beside baselines measured in the same run, on
 * three generated files:
 *
 * - JSONL, two files: a mixed event stream (one record in four a customer record full of personal data, the rest
 *   application events with ids, versions, amounts and prose) — the figure the budget speaks of — and a dense one
 *   (every record a customer record: about one finding per 110 bytes);
 * - JSONL of long documents (about 200 KB of text per record, as a corpus prepared for model training holds them),
 *   where every copy of a record is a large object to V8; ours and the floor only;
 * - CSV, dense.
 *
 * Every pass runs warm in a child process pinned to one core (`pinned.ts`: two warm-up rounds, then timed
 * rounds), as a long-running pipeline would run it: ours (`maskStream`, every detector, no policy), the floor (the
 * same file read, split into lines, parsed and re-serialised by the same stream code with no masking; for CSV the
 * same reader and writer) and the peer (@redactpii/node redacting every string of every JSONL record before
 * re-serialising). Pinning all three the same way makes the ratios like for like: in the benchmark's own process
 * they shared code and a heap with each other, and moved by a third from run to run. The `countersign mask`
 * command runs on the same files, pinned too; its figure includes starting Node and warming up, a fixed cost of
 * one to two seconds.
 *
 * Inputs are generated (seeded) into the temp directory and deleted afterwards. The children run in `rounds`
 * repeats, alternating the passes and files within each, so that a machine that slows down mid-run slows every
 * pass alike; each figure is the median of its timed rounds.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The build's JavaScript (`npm run build`), not the TypeScript sources through tsx: what users run.
import { defaultScanner, type Scanner, type Span } from '../../packages/mask/dist/index.js';
import {
  csvLines,
  generateDocuments,
  jsonlLines,
  longTextJsonlLines,
  mixedJsonlLines,
  ordinaryText,
  writeCorpusFile,
} from './corpus.js';
import type { Format, PassName } from './passes.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// The command's entry point; it runs packages/cli/dist/main.js, the build `npm run build` makes.
const cliBin = join(repoRoot, 'packages/cli/bin/countersign.js');

export interface ThroughputOptions {
  /** Size of each input file in MB (2^20 bytes); at least 16 for the figure the budget speaks of. */
  megabytes?: number;
  rounds?: number;
}

/** Runs Node on one core (`taskset -c 0`) with `args`; resolves with its exit code and output. */
function pinnedNode(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', '0', process.execPath, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function cli(format: Format, input: string, output: string): Promise<void> {
  const { code, stderr } = await pinnedNode([cliBin, 'mask', '--no-progress', '--format', format, input, output]);
  const written = await stat(output).catch(() => undefined);
  if (code !== 0 || !written || written.size === 0) {
    throw new Error(`countersign mask exited ${code} (output ${written?.size ?? 'missing'}): ${stderr.trim()}`);
  }
}

interface PinnedResult {
  seconds: number[];
  records: number;
  findings?: number;
}

/** Seconds per timed round of `pass` over `input` in a child process pinned to one core, after its warm-up rounds. */
async function pinned(pass: PassName, format: Format, input: string, output: string): Promise<PinnedResult> {
  const script = join(repoRoot, 'bench/mask/pinned.ts');
  const args = ['--import', 'tsx', script, pass, format, input, output, String(timedRounds)];
  const { code, stdout, stderr } = await pinnedNode(args);
  if (code !== 0) throw new Error(`pinned ${pass} pass exited ${code}: ${stderr.trim()}`);
  return JSON.parse(stdout) as PinnedResult;
}

/** Timed rounds per child, after its warm-up rounds. */
const timedRounds = 3;

/** Whether the built CLI has a `mask` command (and taskset exists to pin it to one core). */
async function cliHasMask(): Promise<boolean> {
  if (!existsSync(join(repoRoot, 'packages/cli/dist/main.js'))) return false;
  const help = await pinnedNode([cliBin, 'mask', '--help']).catch(() => undefined);
  return help?.code === 0 && help.stdout.includes('Usage: countersign mask');
}

/** MB/s of `scanner.scan` over `texts`, and of each detector alone (slowest first); one warm-up pass each. */
function scanRates(scanner: Scanner, texts: readonly string[]): { scan: number; detectors: [string, number][] } {
  const megabytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / 1_048_576;
  const timed = (pass: () => void) => {
    pass();
    const started = performance.now();
    pass();
    return megabytes / ((performance.now() - started) / 1000);
  };
  const scan = timed(() => {
    for (const text of texts) scanner.scan(text);
  });
  const spans: Span[] = [];
  const detectors = scanner.detectors.map((detector): [string, number] => [
    detector.type,
    timed(() => {
      for (const text of texts) {
        spans.length = 0;
        detector.detect(text, spans);
      }
    }),
  ]);
  return { scan, detectors: detectors.sort((a, b) => a[1] - b[1]) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

interface Input {
  label: string;
  format: Format;
  path: string;
  records: number;
  /** Whether the peer and the CLI run on it too. */
  all: boolean;
}

export async function runThroughput(options: ThroughputOptions = {}): Promise<void> {
  const { megabytes = 16, rounds = 3 } = options;
  const target = Math.round(megabytes * 1_048_576);
  const dir = tmpdir();
  const tag = `countersign-bench-mask-${process.pid}`;
  const out = join(dir, `${tag}.out`);
  const withCli = await cliHasMask();
  const files = {
    mixed: join(dir, `${tag}-mixed.jsonl`),
    dense: join(dir, `${tag}-dense.jsonl`),
    long: join(dir, `${tag}-long.jsonl`),
    csv: join(dir, `${tag}.csv`),
  };

  try {
    process.stderr.write(`generating ${megabytes} MB each of mixed, dense and long-text JSONL and CSV in ${dir} …\n`);
    const inputs: Input[] = [
      {
        label: 'JSONL mixed',
        format: 'jsonl',
        path: files.mixed,
        records: (await writeCorpusFile(files.mixed, mixedJsonlLines(), target)).lines,
        all: true,
      },
      {
        label: 'JSONL dense',
        format: 'jsonl',
        path: files.dense,
        records: (await writeCorpusFile(files.dense, jsonlLines(), target)).lines,
        all: true,
      },
      {
        label: 'JSONL long texts',
        format: 'jsonl',
        path: files.long,
        records: (await writeCorpusFile(files.long, longTextJsonlLines(), target)).lines,
        all: false,
      },
      {
        label: 'CSV dense',
        format: 'csv',
        path: files.csv,
        records: (await writeCorpusFile(files.csv, csvLines(), target)).lines - 1,
        all: true,
      },
    ];
    const runs: Array<{ input: Input; what: string; pass: PassName | 'cli' }> = [];
    for (const input of inputs) {
      runs.push({ input, what: 'ours: maskStream, all detectors', pass: 'ours' });
      runs.push({
        input,
        what:
          input.format === 'jsonl' ? 'floor: split + JSON.parse + stringify' : 'floor: the same CSV reader + writer',
        pass: 'floor',
      });
      if (input.format === 'jsonl' && input.all) {
        runs.push({ input, what: 'peer: @redactpii/node on every string', pass: 'peer' });
      }
      if (withCli && input.all) runs.push({ input, what: 'ours: countersign mask (cold)', pass: 'cli' });
    }

    const findings = new Map<string, number>();
    const seconds = new Map<string, number[]>();
    const key = (input: Input, what: string) => `${input.label}  ${what}`;
    for (let repeat = 1; repeat <= rounds; repeat++) {
      for (const { input, what, pass } of runs) {
        let times: number[];
        if (pass === 'cli') {
          const started = performance.now();
          await cli(input.format, input.path, out);
          times = [(performance.now() - started) / 1000];
        } else {
          const result = await pinned(pass, input.format, input.path, out);
          if (result.records !== input.records) {
            throw new Error(`${pass} pass over ${input.label}: ${result.records} records, expected ${input.records}`);
          }
          if (result.findings !== undefined) findings.set(input.label, result.findings);
          times = result.seconds;
        }
        await rm(out, { force: true });
        seconds.set(key(input, what), [...(seconds.get(key(input, what)) ?? []), ...times]);
        process.stderr.write(
          `  ${repeat}/${rounds} ${key(input, what)}: ${times.map((t) => t.toFixed(2)).join(' / ')} s\n`,
        );
      }
    }

    console.log(
      `mask throughput: ${megabytes} MB per file, every pass pinned to one core and warm (median of ` +
        `${rounds * timedRounds} rounds, each child after two warm-up rounds), the CLI cold (median of ${rounds}); ` +
        `${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'})`,
    );
    // MB/s by input and pass.
    const rates = new Map<string, number>();
    for (const input of inputs) {
      const size = (await stat(input.path)).size / 1_048_576;
      console.log(
        `  ${input.label} (${input.records.toLocaleString('en-US')} records, ` +
          `${(findings.get(input.label) ?? 0).toLocaleString('en-US')} findings masked)`,
      );
      for (const { what, pass } of runs.filter((r) => r.input === input)) {
        const times = seconds.get(key(input, what)) ?? [];
        const rate = size / median(times);
        rates.set(key(input, pass), rate);
        const list = times.map((t) => t.toFixed(2)).join(' / ');
        console.log(`    ${what.padEnd(42)} ${rate.toFixed(1).padStart(7)} MB/s  (${list} s)`);
      }
      const ours = rates.get(key(input, 'ours')) ?? Number.NaN;
      const ratios = [`${(ours / (rates.get(key(input, 'floor')) ?? Number.NaN)).toFixed(2)}× the floor`];
      const peerRate = rates.get(key(input, 'peer'));
      if (peerRate !== undefined)
        ratios.push(`${(ours / peerRate).toFixed(2)}× the peer (which finds 5 types to our 17)`);
      console.log(`    → ${ratios.join(', ')}`);
    }
    const budget = rates.get(key(inputs[0]!, 'ours'));
    console.log(
      `  budget: ≥ 50 MB/s on one core for mixed JSONL with every detector — ${budget === undefined ? 'not measured' : `${budget.toFixed(1)} MB/s, ${budget >= 50 ? 'met' : 'NOT met on this machine'}`}`,
    );

    const scanner = defaultScanner();
    for (const [label, texts] of [
      ['labelled corpus', generateDocuments(3_000).map((d) => d.text)],
      ['ordinary prose', ordinaryText(4 << 20).split('\n\n')],
    ] as const) {
      const scanned = scanRates(scanner, texts);
      const slowest = scanned.detectors.slice(0, 6).map(([type, r]) => `${type} ${r.toFixed(0)}`);
      console.log(
        `  scanner.scan alone on the ${label}: ${scanned.scan.toFixed(1)} MB/s; slowest detectors alone (MB/s, each indexing the text itself): ${slowest.join(', ')}`,
      );
    }
    if (!withCli) console.log('  (CLI not measured: the built CLI has no `mask` command yet; run npm run build)');
  } finally {
    await Promise.all([...Object.values(files), out].map((file) => rm(file, { force: true })));
  }
}
