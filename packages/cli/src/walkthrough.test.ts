import { execFile } from 'node:child_process';
import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ActionWithGrant } from '@countersign/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/src/test-support/index.js';
import { exitCodes } from './io.js';
import { type CliRun, cli } from './testing/fake-api.js';

/**
 * The README's walkthrough, end to end, as a user types it: the `countersign` command (in-process, through
 * `main()`) against the real server with examples/policy.yaml. An admin hands out an agent key and reviewer
 * tokens; the agent gates a shell step with `countersign run`; a reviewer finds the request with
 * `countersign ls --reviewable` and approves it from a "second terminal"; the step then runs with its grant.
 * Then the two other endings: denied by policy (exit 3) and rejected by a reviewer (exit 4).
 */

const execFileAsync = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const workdir = mkdtempSync(join(tmpdir(), 'countersign-walkthrough-'));

let test: TestServer;
/** Tokens as the walkthrough creates them, by who holds them. */
const tokens: Record<string, string> = {};

/**
 * `COUNTERSIGN_TOKEN=<token> countersign ARGV`, with COUNTERSIGN_URL pointing at the server. `options` may set
 * the wait timing, and watch stderr as it is written.
 */
function countersign(
  token: string,
  argv: string[],
  options: { pollSeconds?: number; onStderr?: (text: string) => void } = {},
): Promise<CliRun> {
  return cli(argv, {
    env: { PATH: process.env.PATH, COUNTERSIGN_URL: test.url, COUNTERSIGN_TOKEN: token },
    timing: { pollSeconds: options.pollSeconds ?? 1 },
    ...(options.onStderr && { onStderr: options.onStderr }),
  });
}

/** Resolves once `check()` holds, polling every 20 ms; fails after `timeoutMs` saying what it waited for. */
async function eventually(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The gated step: `node -e SCRIPT MARKER` prints the action id and whether it got a JWT grant, and writes both
 * to MARKER, so the test knows whether (and with what) it ran.
 */
const step = `const fs = require('node:fs');
const id = process.env.COUNTERSIGN_ACTION_ID;
const grant = process.env.COUNTERSIGN_GRANT ?? '';
const isJwt = /^[\\w-]+\\.[\\w-]+\\.[\\w-]+$/.test(grant);
console.log('exporting for ' + id + '; grant is a JWT: ' + isJwt);
fs.writeFileSync(process.argv[1], JSON.stringify({ id, grant, isJwt }));`;

let markers = 0;
function markerPath(): string {
  markers += 1;
  return join(workdir, `ran-${markers}.json`);
}

/** Polls `countersign ls --reviewable --json` as a reviewer until an action for `resource` shows up. */
async function reviewable(token: string, resource: string): Promise<ActionWithGrant> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const listed = await countersign(token, ['ls', '--reviewable', '--json']);
    expect(listed.code, listed.stderr).toBe(exitCodes.ok);
    const { items } = JSON.parse(listed.stdout) as { items: ActionWithGrant[] };
    const found = items.find((action) => `${action.resource.type}:${action.resource.id}` === resource);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`${resource} never became reviewable; last listing: ${listed.stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Tracks whether a started command has finished yet, without awaiting it. */
function started(run: Promise<CliRun>): { run: Promise<CliRun>; done: () => boolean } {
  let finished = false;
  void run.finally(() => {
    finished = true;
  });
  return { run, done: () => finished };
}

/** Verifies a grant against the server's `/.well-known/jwks.json` and returns its claims. */
async function verifiedGrant(token: string): Promise<Record<string, unknown>> {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const { alg, kid } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg: string; kid: string };
  expect(alg).toBe('EdDSA');
  const response = await fetch(`${test.url}/.well-known/jwks.json`);
  expect(response.status).toBe(200);
  const { keys } = (await response.json()) as { keys: (JsonWebKey & { kid?: string })[] };
  const jwk = keys.find((key) => key.kid === kid);
  if (!jwk) throw new Error(`the JWKS has no key ${kid}`);
  const signed = Buffer.from(`${header}.${payload}`);
  const valid = verify(null, signed, createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signature, 'base64url'));
  expect(valid, 'the grant signature verifies against the JWKS').toBe(true);
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

beforeAll(async () => {
  test = await startTestServer('pglite', {
    policy: await readFile(join(repoRoot, 'examples/policy.yaml'), 'utf8'),
  });
}, 60_000);

afterAll(async () => {
  await test?.cleanup();
  rmSync(workdir, { recursive: true, force: true });
});

describe('the README walkthrough against the real server (examples/policy.yaml)', () => {
  it('1. the admin creates an agent key and reviewer tokens', async () => {
    // countersign keys create etl-nightly --owner dave@example.com > etl.key
    const created = await countersign(test.adminToken, [
      'keys',
      'create',
      'etl-nightly',
      '--owner',
      'dave@example.com',
    ]);
    expect(created.code, created.stderr).toBe(exitCodes.ok);
    expect(created.stdout).toMatch(/^csk_\S+\n$/);
    expect(created.stderr).toContain('countersign: agent etl-nightly (owner dave@example.com) created.');
    tokens.etl = created.stdout.trim();

    // The same with --json, for scripts (a second agent: ids are unique).
    const json = await countersign(test.adminToken, [
      'keys',
      'create',
      'etl-hourly',
      '--owner',
      'dave@example.com',
      '--json',
    ]);
    expect(json.code, json.stderr).toBe(exitCodes.ok);
    expect(JSON.parse(json.stdout)).toMatchObject({
      id: 'etl-hourly',
      owner: 'dave@example.com',
      key: expect.stringMatching(/^csk_/),
    });
    tokens.hourly = JSON.parse(json.stdout).key;

    // countersign reviewers token grace@example.com > grace.token   (and heidi, alice, bob)
    const groups = {
      grace: 'platform-oncall',
      heidi: 'platform-oncall',
      alice: 'data-stewards',
      bob: 'data-stewards',
    };
    for (const [name, group] of Object.entries(groups)) {
      const minted = await countersign(test.adminToken, ['reviewers', 'token', `${name}@example.com`]);
      expect(minted.code, minted.stderr).toBe(exitCodes.ok);
      expect(minted.stdout).toMatch(/^csr_\S+\n$/);
      expect(minted.stderr).toContain(`countersign: token for ${name}@example.com (groups: ${group}), shown once.`);
      tokens[name] = minted.stdout.trim();
    }
  });

  it('2. the agent runs a production export; on-call approves it from another terminal; the step runs', async () => {
    const marker = markerPath();
    // Terminal 2, the agent: not awaited, it waits for a human.
    const agent = started(
      countersign(tokens.etl!, [
        'run',
        '--action',
        'data.export',
        '--resource',
        'dataset:daily-sales',
        '--env',
        'production',
        '--param',
        'rows=5000',
        '--param',
        'destination=s3://acme-exports/daily-sales',
        '--justification',
        'Refresh the sales dashboard',
        '--',
        'node',
        '-e',
        step,
        marker,
      ]),
    );

    // Terminal 3, grace from platform-oncall: what is waiting for me?
    const pending = await reviewable(tokens.grace!, 'dataset:daily-sales');
    expect(pending).toMatchObject({
      status: 'pending',
      action: 'data.export',
      environment: 'production',
      requester: { agent: 'etl-nightly', owner: 'dave@example.com' },
      decision: { effect: 'require_approval', rules: ['prod-export'] },
    });
    expect(pending.approval.requirements).toEqual([
      expect.objectContaining({ rule: 'prod-export', groups: ['platform-oncall'], quorum: 1, approvals: [] }),
    ]);
    // The table a person reads the id from.
    const table = await countersign(tokens.grace!, ['ls', '--reviewable']);
    expect(table.code, table.stderr).toBe(exitCodes.ok);
    expect(table.stdout).toMatch(/^ID +STATUS +ACTION +RESOURCE +ENV +REQUESTER +AGE\n/);
    expect(table.stdout).toMatch(
      new RegExp(`\n${pending.id} +pending +data\\.export +dataset:daily-sales +production +etl-nightly +\\d+s\n`),
    );
    // Nothing has run while it waits.
    expect(existsSync(marker)).toBe(false);
    expect(agent.done()).toBe(false);

    // A data steward is the wrong person for a production export: not in alice's queue, and she cannot approve it.
    const alicesQueue = await countersign(tokens.alice!, ['ls', '--reviewable', '--json']);
    expect(alicesQueue.code, alicesQueue.stderr).toBe(exitCodes.ok);
    expect((JSON.parse(alicesQueue.stdout) as { items: ActionWithGrant[] }).items.map((a) => a.id)).not.toContain(
      pending.id,
    );
    const aliceApproves = await countersign(tokens.alice!, ['approve', pending.id, '--comment', 'ok']);
    expect(aliceApproves.code).toBe(exitCodes.failed);
    expect(aliceApproves.stderr).toBe(
      `countersign: alice@example.com is not in any group that may review action ${pending.id} (platform-oncall) [not_eligible]\n`,
    );
    expect(existsSync(marker)).toBe(false);
    expect(agent.done()).toBe(false);

    const approved = await countersign(tokens.grace!, ['approve', pending.id, '--comment', 'Dashboard refresh, fine']);
    expect(approved.code, approved.stderr).toBe(exitCodes.ok);
    expect(approved.stdout).toBe(`approved ${pending.id} (data.export on dataset:daily-sales in production)\n`);

    const { code, stdout, stderr } = await agent.run;
    expect(code, stderr).toBe(exitCodes.ok);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      `countersign: ${pending.id} data.export on dataset:daily-sales in production: pending; needs 1 of [platform-oncall] for prod-export\n`,
    );
    expect(stderr).toContain(`countersign: ${pending.id} waiting `);
    // The command on one line, shell-quoted: the multi-line script in $'…' and cut short, then the marker path.
    expect(stderr).toContain(
      `countersign: approved; running node -e $'const fs = require(\\'node:fs\\');\\nconst id = process.env.COUNT…' ${marker}\n`,
    );

    // The step ran once, with the action id and a grant: an EdDSA JWT the server's JWKS verifies, bound to this
    // action (its digest) and agent, naming who approved.
    const ran = JSON.parse(readFileSync(marker, 'utf8')) as { id: string; grant: string; isJwt: boolean };
    expect(ran.id).toBe(pending.id);
    expect(ran.isJwt).toBe(true);
    const claims = await verifiedGrant(ran.grant);
    expect(claims).toMatchObject({
      sub: 'etl-nightly',
      act: { id: pending.id, action: 'data.export', digest: pending.digest, environment: 'production' },
      apr: ['grace@example.com'],
    });

    // The agent looks it up afterwards: succeeded, with the outcome `run` reported.
    const shown = await countersign(tokens.etl!, ['show', pending.id, '--json']);
    expect(shown.code, shown.stderr).toBe(exitCodes.ok);
    const final = JSON.parse(shown.stdout) as ActionWithGrant;
    expect(final.status).toBe('succeeded');
    expect(final.outcome).toMatchObject({ status: 'succeeded' });
    expect(final.reviews).toEqual([
      expect.objectContaining({
        reviewer: 'grace@example.com',
        verdict: 'approve',
        comment: 'Dashboard refresh, fine',
        via: 'cli',
      }),
    ]);

    // And in words.
    const inWords = await countersign(tokens.etl!, ['show', pending.id]);
    expect(inWords.code, inWords.stderr).toBe(exitCodes.ok);
    expect(inWords.stdout).toMatch(new RegExp(`^${pending.id}  succeeded\n`));
    // The server's reason already names the rule: it is not repeated.
    expect(inWords.stdout).toContain('  decision:      require_approval — approval required by rule prod-export\n');
    expect(inWords.stdout).toContain('    prod-export: 1/1 of [platform-oncall]; approved by grace@example.com\n');
    expect(inWords.stdout).toContain('grace@example.com approved via cli: "Dashboard refresh, fine"');
    expect(inWords.stdout).toMatch(/\n {2}outcome: +succeeded\n/);
  });

  it('3a. an export to a bucket that is not ours is denied by policy: exit 3, the step never runs', async () => {
    const marker = markerPath();
    const { code, stdout, stderr } = await countersign(tokens.etl!, [
      'run',
      '--action',
      'data.export',
      '--resource',
      'dataset:daily-sales',
      '--env',
      'production',
      '--param',
      'rows=5000',
      '--param',
      'destination=s3://evil-corp/dump',
      '--justification',
      'Sharing with a partner',
      '--',
      'node',
      '-e',
      step,
      marker,
    ]);
    expect(code, stderr).toBe(exitCodes.denied);
    expect(stdout).toBe('');
    // One line: what was asked, that policy denied it and why, and that nothing ran.
    expect(stderr).toMatch(
      /^countersign: act_\w+ data\.export on dataset:daily-sales in production: denied by policy: Exports may only go to acme-owned buckets \(rule export-to-unapproved-destination\); the command did not run\n$/,
    );
    expect(existsSync(marker)).toBe(false);
  });

  it('3b. on-call rejects a production export: exit 4, the step never runs', async () => {
    const marker = markerPath();
    const agent = started(
      countersign(tokens.etl!, [
        'run',
        '--action',
        'data.export',
        '--resource',
        'dataset:weekly-sales',
        '--env',
        'production',
        '--param',
        'rows=5000',
        '--param',
        'destination=s3://acme-exports/weekly-sales',
        '--justification',
        'Refresh the sales dashboard',
        '--',
        'node',
        '-e',
        step,
        marker,
      ]),
    );
    const pending = await reviewable(tokens.heidi!, 'dataset:weekly-sales');
    expect(existsSync(marker)).toBe(false);
    const rejected = await countersign(tokens.heidi!, ['reject', pending.id, '--reason', 'Not during the freeze']);
    expect(rejected.code, rejected.stderr).toBe(exitCodes.ok);
    expect(rejected.stdout).toBe(`rejected ${pending.id} (data.export on dataset:weekly-sales in production)\n`);

    const { code, stderr } = await agent.run;
    expect(code, stderr).toBe(exitCodes.rejected);
    expect(stderr).toContain(
      `countersign: ${pending.id} rejected by heidi@example.com: "Not during the freeze"; the command did not run\n`,
    );
    expect(existsSync(marker)).toBe(false);

    const shown = await countersign(tokens.etl!, ['show', pending.id, '--json']);
    expect(shown.code, shown.stderr).toBe(exitCodes.ok);
    expect(JSON.parse(shown.stdout)).toMatchObject({ status: 'rejected' });
  });

  it('3c. a pii export needs two stewards: the first approval shows at once; the other rejects (exit 4)', async () => {
    const marker = markerPath();
    let agentStderr = '';
    // Long polls of a minute: an approval that does not decide the action can only show at once through the
    // action's event stream.
    const agent = started(
      countersign(
        tokens.etl!,
        [
          'run',
          '--action',
          'data.export',
          '--resource',
          'dataset:customers',
          '--label',
          'pii',
          '--env',
          'staging',
          '--param',
          'rows=5000',
          '--param',
          'destination=s3://acme-scratch/customers',
          '--justification',
          'Debugging the churn features',
          '--',
          'node',
          '-e',
          step,
          marker,
        ],
        {
          pollSeconds: 60,
          onStderr: (text) => {
            agentStderr += text;
          },
        },
      ),
    );

    const pending = await reviewable(tokens.alice!, 'dataset:customers');
    expect(pending.decision.rules).toEqual(['pii-export']);
    await eventually('the first progress line', () => agentStderr.includes(' waiting '));
    // pii-export waits 30m: right after submission that reads 30m, not 29m.
    expect(agentStderr).toMatch(
      new RegExp(`countersign: ${pending.id} waiting \\d+s · pending · approvals pii-export 0/2 · expires in 30m\n`),
    );

    const first = await countersign(tokens.alice!, ['approve', pending.id, '--comment', 'ok']);
    expect(first.code, first.stderr).toBe(exitCodes.ok);
    expect(first.stdout).toBe(
      `recorded your approval of ${pending.id} (data.export on dataset:customers [pii] in staging); still needed: pii-export 1 more of [data-stewards]\n`,
    );
    // The agent's progress line shows alice's approval as it arrives, well before any long poll would end.
    const approvedAt = Date.now();
    await eventually('pii-export 1/2 in the agent’s progress', () =>
      agentStderr.includes('· pending · approvals pii-export 1/2'),
    );
    expect(Date.now() - approvedAt).toBeLessThan(5_000);
    expect(existsSync(marker)).toBe(false);
    expect(agent.done()).toBe(false);

    await reviewable(tokens.bob!, 'dataset:customers');
    const rejected = await countersign(tokens.bob!, [
      'reject',
      pending.id,
      '--reason',
      'Use the masked copy for debugging',
    ]);
    expect(rejected.code, rejected.stderr).toBe(exitCodes.ok);

    const { code, stderr } = await agent.run;
    expect(code, stderr).toBe(exitCodes.rejected);
    expect(stderr).toContain(
      `countersign: ${pending.id} rejected by bob@example.com: "Use the masked copy for debugging"; the command did not run\n`,
    );
    expect(existsSync(marker)).toBe(false);
  });

  it('4. the admin rotates an agent key and retires the old one by key; the new one keeps working', async () => {
    const oldKey = tokens.hourly!;
    const oldId = oldKey.slice(4, 20);
    const rotated = await countersign(test.adminToken, ['keys', 'rotate', 'etl-hourly']);
    expect(rotated.code, rotated.stderr).toBe(exitCodes.ok);
    expect(rotated.stdout).toMatch(/^csk_[0-9a-f]{16}_\S+\n$/);
    const newKey = rotated.stdout.trim();
    expect(rotated.stderr).toBe(
      `countersign: new key ${newKey.slice(4, 20)} for agent etl-hourly, shown once. The old keys still work: switch every copy of the agent to the new key, then retire the old one with  countersign keys revoke etl-hourly --key <old key or id>\n`,
    );
    // Both work until the old one is revoked.
    for (const key of [oldKey, newKey]) expect((await countersign(key, ['ls'])).code).toBe(exitCodes.ok);

    const revoked = await countersign(test.adminToken, ['keys', 'revoke', 'etl-hourly', '--key', oldKey]);
    expect(revoked.code, revoked.stderr).toBe(exitCodes.ok);
    expect(revoked.stdout).toBe(`revoked key ${oldId} of agent etl-hourly\n`);
    expect(revoked.stdout + revoked.stderr).not.toContain(oldKey);

    const withOld = await countersign(oldKey, ['ls']);
    expect(withOld.code).toBe(exitCodes.failed);
    expect(withOld.stderr).toMatch(/ \[unauthenticated\]\n$/);
    expect((await countersign(newKey, ['ls'])).code).toBe(exitCodes.ok);

    // Revoking it again (by id this time): it is no longer live.
    const again = await countersign(test.adminToken, ['keys', 'revoke', 'etl-hourly', '--key', oldId]);
    expect(again.code).toBe(exitCodes.failed);
    expect(again.stderr).toBe(`countersign: agent etl-hourly has no live key ${oldId} [not_found]\n`);

    const listed = await countersign(test.adminToken, ['keys', 'ls', '--json']);
    const agents = JSON.parse(listed.stdout) as { items: { id: string; keys: number }[] };
    expect(agents.items.find((agent) => agent.id === 'etl-hourly')?.keys).toBe(1);
  });
});

describe('the packaged command', () => {
  const bin = join(repoRoot, 'packages/cli/bin/countersign.js');
  const entry = join(repoRoot, 'packages/cli/dist/main.js');

  it('`node packages/cli/bin/countersign.js --help` exits 0', async (context) => {
    if (!existsSync(entry)) {
      // `npm ci` builds it (the root `prepare` script); in CI it must be there.
      if (process.env.CI) throw new Error(`${entry} is missing: \`npm ci\` should have built it`);
      try {
        await execFileAsync(
          process.execPath,
          [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli'],
          {
            cwd: repoRoot,
            timeout: 120_000,
          },
        );
      } catch (error) {
        context.skip(`packages/cli is not built and \`npx tsc -b packages/cli\` failed: ${(error as Error).message}`);
      }
    }
    const { stdout, stderr } = await execFileAsync(process.execPath, [bin, '--help'], {
      cwd: repoRoot,
      timeout: 30_000,
    });
    expect(stderr).not.toContain('not built yet');
    expect(stdout).toMatch(/^Usage: countersign \[options\] \[command\]/);
    for (const command of ['serve', 'keys', 'reviewers', 'request', 'ls', 'show', 'approve', 'reject', 'run']) {
      expect(stdout).toMatch(new RegExp(`\n  ${command} `));
    }
  }, 150_000);
});
