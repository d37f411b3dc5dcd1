import { createWriteStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type AuditEntry,
  auditLeaf,
  type Checkpoint,
  inspectLine,
  publicKeysByKid,
  verifyCheckpoint,
  verifyInclusion,
} from '@countersign/core';
import type { AuditEntry as ApiAuditEntry, CountersignClient, ServerVerifyReport } from '@countersign/sdk';
import type { Command } from 'commander';
import { type ClientOptions, connect, withClientOptions } from '../connection/index.js';
import { CliError, type CommandContext, exitCodes, groupDigits, printJson } from '../io.js';
import {
  buildEvidenceReport,
  type ChainVerificationSummary,
  renderReportCsv,
  renderReportHtml,
  renderReportJson,
} from './report.js';
import { trustedKeys, witnessCheckpoints } from './trust.js';
import { type FileVerifyReport, verifyExportFile } from './verify-file.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

type ExportOptions = ClientOptions & { since?: string; until?: string; output?: string };
type VerifyOptions = ClientOptions & {
  key: string[];
  jwks?: string;
  witness: string[];
  strict?: boolean;
  workers?: string;
  server?: boolean;
};
type ProveOptions = ClientOptions & { size?: string; key: string[]; jwks?: string; witness: string[] };
type ReportOptions = ClientOptions & {
  since: string;
  until: string;
  format: string;
  output?: string;
  export?: string;
  key: string[];
  jwks?: string;
  witness: string[];
};

const keysHelp = 'trust this public key (repeatable): a JWK or JWKS, a PEM public key, or the base64url x, or a file';
const jwksHelp = 'trust the keys at this URL or file, e.g. https://SERVER/.well-known/countersign-audit-keys.json';

/** `audit export|verify|prove|report`: evidence an auditor can check without trusting the server. */
export function addEvidenceCommands(audit: Command, context: CommandContext): void {
  withClientOptions(
    audit
      .command('export')
      .description('Download the signed JSONL export of the audit log (or of a time range).')
      .option('--since <time>', 'from the first entry at or after this time (ISO 8601)')
      .option('--until <time>', 'to the last entry before this time (ISO 8601); default: the head')
      .option('-o, --output <file>', 'write it here (default: stdout)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  countersign audit export -o audit-2026-11.jsonl --since 2026-11-01T00:00:00Z --until 2026-12-01T00:00:00Z
  countersign audit export > everything.jsonl

Line 1 is a signed header (the range, the log's state on both sides of it, the public keys); then every entry,
each the JCS of the entry, with each signed checkpoint after its entry. Check it offline with
\`countersign audit verify FILE --jwks URL/.well-known/countersign-audit-keys.json\`.`,
    )
    .action(async (options: ExportOptions) => exportLog(context, options));

  withClientOptions(
    audit
      .command('verify')
      .description('Verify an export offline (or, with --server, the live log on the server).')
      .argument('[file]', 'the export (countersign audit export)')
      .option('--key <key>', keysHelp, collect, [])
      .option('--jwks <url-or-file>', jwksHelp)
      .option('--witness <file>', 'checkpoints a witness kept (repeatable): each must agree with the log', collect, [])
      .option('--strict', 'also check every entry line is the canonical JSON (RFC 8785) of its entry')
      .option('--workers <n>', 'worker threads (default: one per CPU; 0: none)')
      .option('--server', 'ask the server to verify its live log (GET /v1/audit/verify; needs the admin token)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  countersign audit verify audit.jsonl --jwks https://countersign.internal/.well-known/countersign-audit-keys.json
  countersign audit verify audit.jsonl --key signing-key.pub.pem --witness /mnt/witness/checkpoints.jsonl
  countersign audit verify --server

Recomputes every entry's hash and Merkle leaf, every checkpoint's chain hash, Merkle root and signature, and the
header's; with --witness, every witness checkpoint must agree with the log, and one beyond its end means it was cut
short. Exit 0 only when everything holds; otherwise exit 1 naming the first bad seq. Without --key or --jwks the
keys in the export's own header are used, which proves integrity but not who signed: pin the keys for that.`,
    )
    .action(async (file: string | undefined, options: VerifyOptions) => verify(context, file, options));

  withClientOptions(
    audit
      .command('prove')
      .description('Prove one entry is in the log: fetch an inclusion proof and check it against a signed checkpoint.')
      .argument('<seq>', 'the entry')
      .option('--size <n>', 'against the checkpoint at this tree size (default: the newest)')
      .option('--key <key>', keysHelp, collect, [])
      .option('--jwks <url-or-file>', jwksHelp)
      .option('--witness <file>', 'require the checkpoint to be in this witness file (repeatable)', collect, []),
  )
    .addHelpText(
      'after',
      `
Examples:
  countersign audit prove 4711
  countersign audit prove 4711 --jwks keys.json --witness /mnt/witness/checkpoints.jsonl

Downloads one entry and its RFC 9162 audit path (log2 of the log's size hashes), not the log. Without --key or
--jwks the server's own key list is used.`,
    )
    .action(async (seq: string, options: ProveOptions) => prove(context, seq, options));

  withClientOptions(
    audit
      .command('report')
      .description(
        'An evidence report for a period: every privileged action, who approved it, and whether the chain verified.',
      )
      .requiredOption('--since <time>', 'start of the period (ISO 8601)')
      .requiredOption('--until <time>', 'end of the period, exclusive (ISO 8601)')
      .option('--format <format>', 'html, json or csv', 'html')
      .option('-o, --output <file>', 'write it here (default: stdout)')
      .option('--export <file>', 'build it from a verified export instead of the server (offline)')
      .option('--key <key>', `with --export: ${keysHelp}`, collect, [])
      .option('--jwks <url-or-file>', `with --export: ${jwksHelp}`)
      .option('--witness <file>', 'with --export: a witness file to check the export against', collect, []),
  )
    .addHelpText(
      'after',
      `
Examples:
  countersign audit report --since 2026-10-01T00:00:00Z --until 2027-01-01T00:00:00Z -o q4.html
  countersign audit report --since 2026-10-01T00:00:00Z --until 2027-01-01T00:00:00Z --format csv -o q4.csv
  countersign audit report --since … --until … --export q4.jsonl --jwks keys.json -o q4.html   (no server needed)

Lists, per action: who requested it, which rules required what, who approved or rejected and when, time to
decision, grants issued and used; refused self-approvals and ineligible attempts; expiries; policy loads; and
whether the chain verified (the server's /v1/audit/verify, or the export's offline verification). The HTML is
one self-contained page with charts, fit to attach to evidence.`,
    )
    .action(async (options: ReportOptions) => report(context, options));
}

/** A `--since`/`--until` value as an ISO 8601 UTC time; a usage error when it is not a time. */
export function isoTime(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new CliError(`${flag} must be an ISO 8601 time such as 2026-11-22T09:00:00Z`);
  return new Date(time).toISOString();
}

async function exportLog(context: CommandContext, options: ExportOptions): Promise<void> {
  const since = isoTime('--since', options.since);
  const until = isoTime('--until', options.until);
  const client = connect(context, options, 'admin token');
  const stream = await client.exportAudit({ ...(since && { since }), ...(until && { until }) });
  const toFile = options.output !== undefined && options.output !== '-';
  const temporary = toFile ? `${options.output}.partial` : undefined;
  let bytes = 0;
  let lines = 0;
  let checkpoints = 0;
  let lastReport = 0;
  let tail = Buffer.alloc(0);
  const counter = new TransformCounter((chunk) => {
    bytes += chunk.length;
    // the end of the previous chunk too, so a checkpoint line split across chunks is still seen
    const text = Buffer.concat([tail, chunk]);
    for (let i = text.indexOf(10, tail.length); i >= 0; i = text.indexOf(10, i + 1)) lines += 1;
    for (let i = text.indexOf(checkpointLine); i >= 0; i = text.indexOf(checkpointLine, i + 1)) {
      if (i + checkpointLine.length > tail.length) checkpoints += 1;
    }
    tail = text.subarray(Math.max(0, text.length - checkpointLine.length + 1));
    const now = Date.now();
    if (toFile && context.io.isTTY && now - lastReport > 250) {
      lastReport = now;
      context.io.stderr(`\rcountersign: exporting… ${groupDigits(lines)} lines, ${megabytes(bytes)}`);
    }
  });
  const sink = temporary ? createWriteStream(temporary, { mode: 0o600 }) : stdoutSink(context);
  try {
    await pipeline(stream, counter, sink);
    if (temporary) await rename(temporary, options.output as string);
  } catch (error) {
    if (temporary) await rm(temporary, { force: true });
    throw error;
  }
  if (toFile && context.io.isTTY) context.io.stderr('\r\x1b[K');
  const entries = Math.max(0, lines - 1 - checkpoints);
  const summary = { file: toFile ? options.output : null, bytes, lines, entries, checkpoints };
  if (options.json && toFile) return printJson(context, summary);
  context.io.stderr(
    `countersign: exported ${groupDigits(entries)} entries and ${groupDigits(checkpoints)} checkpoints (${megabytes(bytes)})${toFile ? ` to ${options.output}` : ''}. Check it offline: countersign audit verify ${toFile ? options.output : 'FILE'} --jwks ${client.url}/.well-known/countersign-audit-keys.json\n`,
  );
}

/** Counts what passes through, unchanged. */
class TransformCounter extends Transform {
  constructor(readonly onChunk: (chunk: Buffer) => void) {
    super();
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null, data?: Buffer) => void,
  ) {
    this.onChunk(chunk);
    callback(null, chunk);
  }
}

function stdoutSink(context: CommandContext): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      context.io.stdout(chunk.toString('utf8'));
      callback();
    },
  });
}

const checkpointLine = Buffer.from('\n{"checkpoint":');

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

async function verify(context: CommandContext, file: string | undefined, options: VerifyOptions): Promise<void> {
  if (options.server) {
    if (file !== undefined) throw new CliError('give a FILE to verify offline, or --server, not both');
    const report = await connect(context, options, 'admin token').verifyAudit();
    printVerifyReport(context, report, options.json === true, 'the live log on the server');
    return;
  }
  if (file === undefined) {
    throw new CliError('which export? countersign audit verify FILE (or --server for the live log)');
  }
  const workers = options.workers === undefined ? undefined : Number(options.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0 || workers > 64)) {
    throw new CliError('--workers must be a whole number from 0 to 64');
  }
  const keys = await trustedKeys(options.key, options.jwks);
  const witness = await witnessCheckpoints(options.witness);
  let shown = false;
  let report: FileVerifyReport;
  try {
    report = await verifyExportFile(file, {
      ...(keys && { keys }),
      ...(witness && { witness }),
      strict: options.strict === true,
      ...(workers !== undefined && { workers }),
      onProgress: ({ bytes, totalBytes, entries }) => {
        if (!context.io.isTTY || options.json) return;
        shown = true;
        context.io.stderr(
          `\rcountersign: verifying… ${groupDigits(entries)} entries (${Math.round((100 * bytes) / Math.max(totalBytes, 1))}%)`,
        );
      },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      throw new CliError(`cannot read ${file}: ${code}`);
    }
    throw error;
  }
  if (shown) context.io.stderr('\r\x1b[K');
  printVerifyReport(context, report, options.json === true, file);
}

type AnyVerifyReport = Omit<ServerVerifyReport, 'durationMs' | 'entriesPerSecond'> & {
  durationMs?: number;
  entriesPerSecond?: number;
};

function printVerifyReport(context: CommandContext, report: AnyVerifyReport, json: boolean, what: string): void {
  context.exitCode = report.ok ? exitCodes.ok : exitCodes.failed;
  if (json) {
    printJson(context, report);
    return;
  }
  const count = (n: number) => groupDigits(n);
  if (!report.ok && report.failure) {
    const where = report.failure.seq === null ? '' : ` at seq ${report.failure.seq}`;
    const line = report.failure.line === undefined ? '' : ` (line ${report.failure.line})`;
    context.io.stdout(`FAILED${where}${line}: ${report.failure.reason}\n`);
    context.io.stderr(
      `countersign: ${what} does not verify; ${count(report.entries)} entries held before the first bad seq.\n`,
    );
    return;
  }
  const speed =
    report.entriesPerSecond !== undefined && report.durationMs !== undefined
      ? ` in ${(report.durationMs / 1000).toFixed(2)} s (${count(report.entriesPerSecond)} entries/s)`
      : '';
  context.io.stdout(
    `verified ${count(report.entries)} entries (seq ${report.firstSeq}–${report.lastSeq}) and ${count(report.checkpoints)} checkpoints${speed}\n` +
      `head ${report.head.hash}\nroot ${report.head.root}\n`,
  );
  if (report.witness.checkpoints > 0) {
    context.io.stdout(
      `witness: ${count(report.witness.matched)} of ${count(report.witness.checkpoints)} checkpoints fall in this range and agree\n`,
    );
  }
  if (report.trust === 'header') {
    context.io.stderr(
      "countersign: signatures were checked against the keys in the export's own header; pin the signer with --key or --jwks\n",
    );
  }
}

async function prove(context: CommandContext, seqText: string, options: ProveOptions): Promise<void> {
  const seq = Number(seqText);
  if (!Number.isSafeInteger(seq) || seq < 1) throw new CliError(`SEQ must be a whole number ≥ 1, not ${seqText}`);
  const size = options.size === undefined ? undefined : Number(options.size);
  if (size !== undefined && (!Number.isSafeInteger(size) || size < seq)) {
    throw new CliError(`--size must be a whole number ≥ ${seq}`);
  }
  const client = connect(context, options, 'admin token');
  const pinned = await trustedKeys(options.key, options.jwks);
  const keys = pinned ?? publicKeysByKid((await client.auditKeys()) as { keys: unknown[] });
  const witness = await witnessCheckpoints(options.witness);
  const proof = await client.auditProof(seq, size);
  const entry = proof.entry as unknown as AuditEntry;
  const checkpoint = proof.checkpoint as Checkpoint;
  const leaf = auditLeaf(entry);
  const problems: string[] = [];
  if (entry.seq !== seq) problems.push(`the server sent entry ${entry.seq}, not ${seq}`);
  if (inspectLine(JSON.stringify(entry)).kind !== 'entry') problems.push('the entry is malformed');
  const key = keys.get(checkpoint.kid);
  if (!key) problems.push(`the checkpoint is signed with key ${checkpoint.kid}, which is not trusted`);
  else if (!verifyCheckpoint(checkpoint, key)) problems.push('the checkpoint signature is invalid');
  const path = proof.proof.map((hex) => Buffer.from(hex, 'hex'));
  if (!verifyInclusion(leaf, seq - 1, checkpoint.seq, path, Buffer.from(checkpoint.root, 'hex'))) {
    problems.push(`the audit path does not lead from the entry to the checkpoint's root`);
  }
  if (witness && !witness.some((copy) => copy.seq === checkpoint.seq && copy.root === checkpoint.root)) {
    problems.push(`no witness checkpoint at tree size ${checkpoint.seq} agrees with the server's`);
  }
  const result = {
    ok: problems.length === 0,
    seq,
    treeSize: checkpoint.seq,
    leaf: leaf.toString('hex'),
    root: checkpoint.root,
    checkpoint,
    trust: pinned ? 'pinned' : 'server',
    witnessed: witness !== undefined && problems.length === 0,
    problems,
    entry,
  };
  context.exitCode = result.ok ? exitCodes.ok : exitCodes.failed;
  if (options.json) return printJson(context, result);
  if (!result.ok) {
    context.io.stdout(`FAILED: entry ${seq} is not proven: ${problems.join('; ')}\n`);
    return;
  }
  context.io.stdout(
    `entry ${seq} (${entry.type}${entry.actionId ? ` ${entry.actionId}` : ''}, ${entry.ts}) is in the log: ` +
      `${path.length} hashes lead to the root of the first ${checkpoint.seq} entries, signed by ${checkpoint.kid} at ${checkpoint.ts}` +
      `${witness ? ', and the witness holds that checkpoint' : ''}\n`,
  );
  if (!pinned) {
    context.io.stderr(
      "countersign: the checkpoint key came from the server's own key list; pin it with --key or --jwks\n",
    );
  }
}

async function report(context: CommandContext, options: ReportOptions): Promise<void> {
  const since = isoTime('--since', options.since) as string;
  const until = isoTime('--until', options.until) as string;
  if (since >= until) throw new CliError('--since must be before --until');
  const format = options.format.toLowerCase();
  if (format !== 'html' && format !== 'json' && format !== 'csv') {
    throw new CliError(`--format must be html, json or csv, not ${options.format}`);
  }
  let entries: AuditEntry[];
  let verification: ChainVerificationSummary;
  let server: string | undefined;
  if (options.export !== undefined) {
    const keys = await trustedKeys(options.key, options.jwks);
    const witness = await witnessCheckpoints(options.witness);
    const verified = await verifyExportFile(options.export, { ...(keys && { keys }), ...(witness && { witness }) });
    verification = summary(verified);
    entries = await entriesOf(options.export, since, until);
    server = `offline, from ${options.export}`;
  } else {
    const client = connect(context, options, 'admin token');
    entries = await allEntries(client, since, until);
    verification = summary(await client.verifyAudit());
    server = client.url;
  }
  const built = buildEvidenceReport({
    entries,
    verification,
    period: { since, until },
    generatedAt: new Date().toISOString(),
    server,
  });
  const text =
    format === 'html' ? renderReportHtml(built) : format === 'csv' ? renderReportCsv(built) : renderReportJson(built);
  if (options.output !== undefined && options.output !== '-') {
    await writeFile(options.output, text);
    context.io.stderr(
      `countersign: wrote the ${format.toUpperCase()} report for ${built.actions.length} actions to ${options.output}; the chain ${verification.ok ? 'verified' : 'did NOT verify'}\n`,
    );
  } else {
    context.io.stdout(text);
  }
  if (!verification.ok) context.exitCode = exitCodes.failed;
}

function summary(report: AnyVerifyReport): ChainVerificationSummary {
  return {
    ok: report.ok,
    entries: report.entries,
    checkpoints: report.checkpoints,
    ...(report.failure && { firstBad: { seq: report.failure.seq, reason: report.failure.reason } }),
  };
}

async function allEntries(client: CountersignClient, since: string, until: string): Promise<AuditEntry[]> {
  const entries: ApiAuditEntry[] = [];
  let after = 0;
  for (;;) {
    const page = await client.listAudit({ after, limit: 1000, since, until });
    entries.push(...page.items);
    if (page.nextAfter === undefined) return entries as unknown as AuditEntry[];
    after = page.nextAfter;
  }
}

async function entriesOf(file: string, since: string, until: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (line === '' || line.startsWith('{"header"') || line.startsWith('{"checkpoint"')) continue;
    const entry = JSON.parse(line) as AuditEntry;
    if (entry.ts >= since && entry.ts < until) entries.push(entry);
  }
  return entries;
}
