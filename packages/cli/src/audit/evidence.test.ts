import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuditEntry, sampleLog, verifyExportLines } from '@countersign/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createAgent,
  reviewerToken,
  startTestServer,
  TestClock,
  type TestServer,
} from '../../../server/src/test-support/index.js';
import { exitCodes } from '../io.js';
import { type CliRun, cli } from '../testing/fake-api.js';

/**
 * The auditor's commands against a real server (PGlite): export, offline verify (worker threads), prove, report,
 * and signing-key rotation — and the tamper cases an auditor must see fail, through the CLI.
 */
describe('countersign audit export|verify|prove|report', () => {
  let test: TestServer;
  let clock: TestClock;
  let dir: string;
  let witnessFile: string;
  let exportFile: string;

  const countersign = (argv: string[], token?: string): Promise<CliRun> =>
    cli(argv, { env: { COUNTERSIGN_URL: test.url, COUNTERSIGN_TOKEN: token ?? test.adminToken } });
  const keysUrl = () => `${test.url}/.well-known/countersign-audit-keys.json`;

  async function settle() {
    await test.server.context.sequencer.flush();
    clock.advance(61_000);
    await test.server.context.sequencer.checkpointIfDue();
    await test.server.context.witness.pump.deliverAll();
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'countersign-audit-cli-'));
    witnessFile = join(dir, 'witness.jsonl');
    exportFile = join(dir, 'export.jsonl');
    clock = new TestClock();
    test = await startTestServer('pglite', { clock, settings: { witnessFile } });
    const agent = await createAgent(test, 'etl', 'alice@example.com');
    const bob = await reviewerToken(test, 'bob@example.com');
    const erin = await reviewerToken(test, 'erin@example.com');
    const alice = await reviewerToken(test, 'alice@example.com');
    const carol = await reviewerToken(test, 'carol@example.com');
    const submit = async (id: string, labels: string[]) =>
      (
        await call<{ id: string; grant?: { token: string } }>(test.url, 'POST', '/v1/actions', agent, {
          action: 'data.export',
          resource: { type: 'dataset', id, labels },
          environment: 'production',
          justification: 'quarterly numbers',
        })
      ).body;
    const review = (token: string, id: string, verdict: string, comment?: string) =>
      call(test.url, 'POST', `/v1/actions/${id}/reviews`, token, { verdict, ...(comment && { comment }) });

    const approved = await submit('customers', ['pii']);
    expect((await review(alice, approved.id, 'approve')).status).toBe(403); // self-approval, refused
    expect((await review(carol, approved.id, 'approve')).status).toBe(403); // not eligible
    clock.advance(90_000);
    await review(bob, approved.id, 'approve');
    clock.advance(30_000);
    await review(erin, approved.id, 'approve', 'ok for Q4');
    const token = (await call<{ grant: { token: string } }>(test.url, 'GET', `/v1/actions/${approved.id}`, agent)).body
      .grant.token;
    await call(test.url, 'POST', '/v1/grants/redeem', undefined, { token });
    const rejected = await submit('orders', []);
    clock.advance(10_000);
    await review(bob, rejected.id, 'reject', 'no <script>alert(1)</script> exports on Fridays');
    await settle();
  });

  afterAll(async () => {
    await test?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('exports to a file and verifies it offline against the pinned keys and the witness', async () => {
    const exported = await countersign(['audit', 'export', '-o', exportFile]);
    expect(exported.code, exported.stderr).toBe(exitCodes.ok);
    expect(exported.stderr).toMatch(/exported \d+ entries and 1 checkpoints .* countersign audit verify/);
    const verified = await countersign(['audit', 'verify', exportFile, '--jwks', keysUrl(), '--witness', witnessFile]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(exitCodes.ok);
    expect(verified.stdout).toMatch(/^verified \d+ entries \(seq 1–\d+\) and 1 checkpoints in [\d.]+ s/);
    expect(verified.stdout).toContain('witness: 1 of 1 checkpoints fall in this range and agree');
    const strict = await countersign(['audit', 'verify', exportFile, '--strict', '--workers', '0', '--json']);
    expect(strict.code).toBe(exitCodes.ok);
    expect(JSON.parse(strict.stdout)).toMatchObject({ ok: true, trust: 'header' });
    expect(strict.stderr).toBe('');
  });

  it('fails a tampered export naming the first bad seq, exit 1', async () => {
    const lines = (await readFile(exportFile, 'utf8')).trimEnd().split('\n');
    const at = (seq: number) => lines.findIndex((line) => line.includes(`"seq":${seq},"ts"`));
    const tampered = join(dir, 'tampered.jsonl');
    const cases: Array<[string, string[], number]> = [
      ['modified', lines.map((line, i) => (i === at(3) ? line.replace('"via":"api"', '"via":"cli"') : line)), 3],
      ['deleted', lines.filter((_, i) => i !== at(4)), 4],
      [
        'reordered',
        lines.map((line, i) =>
          i === at(2) ? (lines[at(3)] as string) : i === at(3) ? (lines[at(2)] as string) : line,
        ),
        2,
      ],
      ['truncated', lines.slice(0, at(5)), 5],
    ];
    for (const [name, variant, seq] of cases) {
      await writeFile(tampered, `${variant.join('\n')}\n`);
      const run = await countersign(['audit', 'verify', tampered, '--jwks', keysUrl()]);
      expect(run.code, name).toBe(exitCodes.failed);
      expect(run.stdout, name).toMatch(new RegExp(`^FAILED at seq ${seq}( \\(line \\d+\\))?: `));
    }
    expect((await countersign(['audit', 'verify', join(dir, 'missing.jsonl')])).code).toBe(exitCodes.usage);
    expect((await countersign(['audit', 'verify'])).stderr).toContain('which export?');
  });

  it('agrees with the sequential verifier on a 10,000-entry log, tampered anywhere, on worker threads', async () => {
    const log = sampleLog(10_000);
    const file = join(dir, 'sample.jsonl');
    const lineOfSeq = (seq: number) => log.lines.findIndex((line) => line.includes(`"seq":${seq},"ts"`));
    for (const seq of [1, 2, 777, 5_000, 9_999, 10_000]) {
      const lines = [...log.lines];
      const entry = JSON.parse(lines[lineOfSeq(seq)] as string) as AuditEntry;
      lines[lineOfSeq(seq)] = lines[lineOfSeq(seq)]?.replace(entry.actor.id, 'mallory') as string;
      await writeFile(file, `${lines.join('\n')}\n`);
      const run = await countersign(['audit', 'verify', file, '--workers', '2', '--json']);
      const report = JSON.parse(run.stdout);
      const expected = verifyExportLines(lines);
      expect(report.failure).toEqual(expected.failure);
      expect(report.failure.seq).toBe(seq);
    }
    await writeFile(file, `${log.lines.join('\n')}\n`);
    const clean = await countersign(['audit', 'verify', file, '--workers', '2', '--witness', file]);
    expect(clean.code, clean.stdout).toBe(exitCodes.usage); // an export is not a witness file
    const witness = join(dir, 'sample-witness.jsonl');
    await writeFile(witness, log.checkpoints.map((c) => JSON.stringify(c)).join('\n'));
    const good = await countersign(['audit', 'verify', file, '--workers', '2', '--witness', witness]);
    expect(good.code, good.stdout).toBe(exitCodes.ok);
    expect(good.stdout).toContain('verified 10,000 entries');
  });

  it('asks the server to verify its live log', async () => {
    const run = await countersign(['audit', 'verify', '--server']);
    expect(run.code, run.stdout).toBe(exitCodes.ok);
    expect(run.stdout).toMatch(/^verified \d+ entries/);
  });

  it('proves one entry against a signed, witnessed checkpoint without the log', async () => {
    const run = await countersign(['audit', 'prove', '3', '--jwks', keysUrl(), '--witness', witnessFile]);
    expect(run.code, run.stdout + run.stderr).toBe(exitCodes.ok);
    expect(run.stdout).toMatch(/^entry 3 \(.+\) is in the log: \d+ hashes lead to the root of the first \d+ entries/);
    expect(run.stdout).toContain('and the witness holds that checkpoint');
    const json = JSON.parse((await countersign(['audit', 'prove', '3', '--json'])).stdout);
    expect(json).toMatchObject({ ok: true, seq: 3, trust: 'server' });
    const stranger = sampleLog(1).keys[0];
    const untrusted = await countersign(['audit', 'prove', '3', '--key', JSON.stringify(stranger)]);
    expect(untrusted.code).toBe(exitCodes.failed);
    expect(untrusted.stdout).toContain('not trusted');
    expect((await countersign(['audit', 'prove', 'x'])).code).toBe(exitCodes.usage);
  });

  it('reports a period as JSON, CSV and a self-contained HTML page, from the server or from an export', async () => {
    const period = ['--since', '2026-11-22T00:00:00Z', '--until', '2026-11-23T00:00:00Z'];
    const json = await countersign(['audit', 'report', ...period, '--format', 'json']);
    expect(json.code, json.stderr).toBe(exitCodes.ok);
    const report = JSON.parse(json.stdout);
    expect(report.verification.ok).toBe(true);
    expect(report.totals).toMatchObject({
      submitted: 2,
      approved: 1,
      rejected: 1,
      grantsIssued: 1,
      grantsRedeemed: 1,
      refusedSelfApprovals: 1,
      refusedIneligible: 1,
    });
    const approved = report.actions.find((action: { status: string }) => action.status === 'approved');
    expect(approved.timeToDecisionMs).toBe(120_000);
    expect(approved.reviews.map((r: { reviewer: string }) => r.reviewer)).toEqual([
      'bob@example.com',
      'erin@example.com',
    ]);

    const html = join(dir, 'report.html');
    const written = await countersign(['audit', 'report', ...period, '-o', html]);
    expect(written.stderr).toContain('the chain verified');
    const page = await readFile(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).not.toContain('<script>alert');
    const csv = await countersign(['audit', 'report', ...period, '--format', 'csv']);
    expect(csv.stdout.split('\r\n').length).toBeGreaterThanOrEqual(3);

    const offline = await countersign([
      'audit',
      'report',
      ...period,
      '--format',
      'json',
      '--export',
      exportFile,
      '--jwks',
      keysUrl(),
    ]);
    expect(offline.code, offline.stderr).toBe(exitCodes.ok);
    expect(JSON.parse(offline.stdout).totals).toEqual(report.totals);
    expect((await countersign(['audit', 'report', ...period, '--format', 'pdf'])).code).toBe(exitCodes.usage);
  });

  it('rotates the signing key; old and new checkpoints verify against the audit key list', async () => {
    const rotated = await countersign(['keys', 'rotate', '--signing']);
    expect(rotated.code, rotated.stderr).toBe(exitCodes.ok);
    expect(rotated.stderr).toContain('stays in the JWKS while grants it signed can still be valid');
    await call(test.url, 'POST', '/v1/policy/reload', test.adminToken, {});
    await settle();
    const file = join(dir, 'after-rotation.jsonl');
    expect((await countersign(['audit', 'export', '-o', file])).code).toBe(exitCodes.ok);
    const kids = (await readFile(file, 'utf8'))
      .split('\n')
      .filter((line) => line.startsWith('{"checkpoint"'))
      .map((line) => JSON.parse(line).checkpoint.kid);
    expect(new Set(kids).size).toBe(2);
    const verified = await countersign(['audit', 'verify', file, '--jwks', keysUrl(), '--witness', witnessFile]);
    expect(verified.code, verified.stdout).toBe(exitCodes.ok);
    expect((await countersign(['keys', 'rotate'])).code).toBe(exitCodes.usage);
  });
});
