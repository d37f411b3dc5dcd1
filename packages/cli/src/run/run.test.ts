import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionWithGrant } from '@countersign/sdk';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exitCodes } from '../io.js';
import {
  actionFixture,
  approvedFixture,
  cli,
  type FakeApi,
  fakeApi,
  problem,
  type SeenRequest,
} from '../testing/fake-api.js';

const workdir = mkdtempSync(join(tmpdir(), 'countersign-run-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));
let counter = 0;
let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/**
 * A server for one gated step: the submit answers `submitted`; reads without `wait` answer the current state;
 * long-polls answer `decided` after `delayMs` (or hang when `decided` is 'hang'); cancel and outcome do what the
 * contract says.
 */
async function gate(options: {
  submitted?: ActionWithGrant;
  decided?: ActionWithGrant | 'hang';
  delayMs?: number;
  cancel?: 'ok' | 'not_pending';
  onWait?: (request: SeenRequest) => void;
}): Promise<FakeApi> {
  let current = options.submitted ?? actionFixture();
  api = await fakeApi({
    'POST /v1/actions': () => ({ status: 201, body: current }),
    'GET /v1/actions/:id': async (request) => {
      if (!request.query.has('wait')) return { body: current };
      options.onWait?.(request);
      const decided = options.decided ?? 'hang';
      if (decided === 'hang') return undefined;
      await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 0));
      current = decided;
      return { body: decided };
    },
    'POST /v1/actions/:id/cancel': () => {
      if (options.cancel === 'not_pending') {
        current = approvedFixture();
        return problem(409, 'not_pending', 'act_1 is approved, not pending');
      }
      current = actionFixture({ status: 'cancelled' });
      return { body: current };
    },
    'POST /v1/actions/:id/outcome': (request) => {
      const outcome = request.body as { status: 'succeeded' | 'failed'; detail?: string };
      current = approvedFixture({ status: outcome.status, outcome, grant: undefined });
      return { body: current };
    },
  });
  return api;
}

const flags = (server: FakeApi) => [
  'run',
  '--url',
  server.url,
  '--token',
  'csk_agent',
  '--action',
  'data.export',
  '--resource',
  'dataset:customers',
  '--label',
  'pii',
  '--env',
  'production',
  '--param',
  'rows=250000',
];

/** A command that records its environment into a file, then exits with `code`. */
function recorder(code = 0): { argv: string[]; file: string } {
  counter += 1;
  const file = join(workdir, `ran-${counter}.json`);
  const script = `require('fs').writeFileSync(process.argv[1], JSON.stringify({grant: process.env.COUNTERSIGN_GRANT, id: process.env.COUNTERSIGN_ACTION_ID})); process.exit(${code})`;
  return { argv: ['--', process.execPath, '-e', script, file], file };
}

describe('countersign run', () => {
  it('waits for approval, runs the command with the grant, reports success and exits 0', async () => {
    const server = await gate({ decided: approvedFixture() });
    const command = recorder(0);
    const { code, stderr } = await cli([...flags(server), '--idempotency-key', 'step-1', ...command.argv]);
    expect(code).toBe(exitCodes.ok);
    expect(JSON.parse(readFileSync(command.file, 'utf8'))).toEqual({ grant: 'grant.jwt.token', id: 'act_1' });
    const [submit] = server.to('POST /v1/actions');
    expect(submit?.headers).toMatchObject({ authorization: 'Bearer csk_agent', 'idempotency-key': 'step-1' });
    expect(submit?.body).toEqual({
      action: 'data.export',
      resource: { type: 'dataset', id: 'customers', labels: ['pii'] },
      environment: 'production',
      params: { rows: 250000 },
      context: {},
    });
    expect(server.to('POST /v1/actions/:id/outcome').map((r) => r.body)).toEqual([{ status: 'succeeded' }]);
    expect(stderr).toContain('act_1 data.export on dataset:customers [pii] in production: pending; needs 2 of');
    expect(stderr).toContain('countersign: approved; running');
  });

  it('runs at once when policy allows, and prints the final action with --json', async () => {
    const server = await gate({ submitted: approvedFixture({ reviews: [] }) });
    const command = recorder(0);
    const { code, stdout, stderr } = await cli([...flags(server), '--json', ...command.argv]);
    expect(code).toBe(0);
    expect(existsSync(command.file)).toBe(true);
    expect(stderr).toContain('allowed by policy (rule pii-export)');
    expect(server.to('GET /v1/actions/:id')).toHaveLength(0);
    expect(JSON.parse(stdout)).toMatchObject({ id: 'act_1', status: 'succeeded', outcome: { status: 'succeeded' } });
  });

  it('reports a failing command as failed with its exit code and exits 7', async () => {
    const server = await gate({ decided: approvedFixture() });
    const command = recorder(3);
    const { code, stderr } = await cli([...flags(server), ...command.argv]);
    expect(code).toBe(exitCodes.commandFailed);
    expect(existsSync(command.file)).toBe(true);
    expect(server.to('POST /v1/actions/:id/outcome').map((r) => r.body)).toEqual([
      { status: 'failed', detail: 'exit code 3' },
    ]);
    expect(stderr).toContain('the command failed (exit code 3)');
  });

  it('reports a command killed by a signal, and one that cannot start', async () => {
    const killedServer = await gate({ submitted: approvedFixture() });
    const killed = await cli([
      ...flags(killedServer),
      '--',
      process.execPath,
      '-e',
      'process.kill(process.pid, "SIGTERM")',
    ]);
    expect(killed.code).toBe(7);
    expect(killedServer.to('POST /v1/actions/:id/outcome').map((r) => r.body)).toEqual([
      { status: 'failed', detail: 'signal SIGTERM' },
    ]);
    await killedServer.close();

    const missingServer = await gate({ submitted: approvedFixture() });
    const missing = await cli([...flags(missingServer), '--', join(workdir, 'no-such-command')]);
    expect(missing.code).toBe(7);
    expect(missingServer.to('POST /v1/actions/:id/outcome').map((r) => r.body)).toEqual([
      { status: 'failed', detail: expect.stringMatching(/^could not start .*ENOENT/) },
    ]);
  });

  it.each([
    ['denied by policy', actionFixture({ status: 'denied' }), undefined, exitCodes.denied, /denied by policy: /],
    [
      'rejected by a reviewer',
      actionFixture(),
      actionFixture({
        status: 'rejected',
        reviews: [
          {
            reviewer: 'carol@example.com',
            verdict: 'reject',
            comment: 'wrong bucket',
            countedFor: [],
            at: '2026-01-31T09:05:00.000Z',
          },
        ],
      }),
      exitCodes.rejected,
      /rejected by carol@example.com: "wrong bucket"; the command did not run/,
    ],
    ['expired', actionFixture(), actionFixture({ status: 'expired' }), exitCodes.expired, /expired: nobody decided/],
    ['cancelled elsewhere', actionFixture(), actionFixture({ status: 'cancelled' }), exitCodes.cancelled, /cancelled/],
  ])('does not run the command when %s', async (_, submitted, decided, exitCode, message) => {
    const server = await gate({ submitted, ...(decided && { decided }) });
    const command = recorder(0);
    const { code, stderr } = await cli([...flags(server), ...command.argv]);
    expect(code).toBe(exitCode);
    expect(stderr).toMatch(message);
    expect(existsSync(command.file)).toBe(false);
    expect(server.to('POST /v1/actions/:id/outcome')).toHaveLength(0);
  });

  it('cancels the request and exits 5 when --timeout elapses', async () => {
    const server = await gate({ decided: 'hang' });
    const command = recorder(0);
    const started = Date.now();
    const { code, stderr, stdout } = await cli([...flags(server), '--timeout', '80ms', '--json', ...command.argv]);
    expect(code).toBe(exitCodes.expired);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.to('POST /v1/actions/:id/cancel')).toHaveLength(1);
    expect(stderr).toContain('no decision within 80ms; cancelled act_1, and the command did not run');
    expect(JSON.parse(stdout).status).toBe('cancelled');
    expect(existsSync(command.file)).toBe(false);
  });

  it('runs after all when the request was approved just as --timeout elapsed', async () => {
    const server = await gate({ decided: 'hang', cancel: 'not_pending' });
    const command = recorder(0);
    const { code } = await cli([...flags(server), '--timeout', '50ms', ...command.argv]);
    expect(code).toBe(0);
    expect(existsSync(command.file)).toBe(true);
  });

  it('cancels the request on Ctrl-C while waiting and exits 6', async () => {
    const server = await gate({
      decided: 'hang',
      onWait: () => setTimeout(() => process.emit('SIGINT'), 10),
    });
    const command = recorder(0);
    const { code, stderr } = await cli([...flags(server), ...command.argv]);
    expect(code).toBe(exitCodes.cancelled);
    expect(stderr).toContain('interrupted; cancelled act_1, and the command did not run');
    expect(server.to('POST /v1/actions/:id/cancel')).toHaveLength(1);
    expect(existsSync(command.file)).toBe(false);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('exits 1 and runs nothing when the server cannot be reached', async () => {
    const server = await gate({});
    const url = server.url;
    await server.close();
    api = undefined;
    const command = recorder(0);
    const { code, stderr } = await cli([...flags({ ...server, url }), ...command.argv]);
    expect(code).toBe(exitCodes.failed);
    expect(stderr).toContain(`countersign: could not reach the Countersign server at ${url} (ECONNREFUSED)`);
    expect(existsSync(command.file)).toBe(false);
  });

  it('exits 1 with the API error and its code', async () => {
    api = await fakeApi({
      'POST /v1/actions': () => problem(422, 'justification_required', 'rule pii-export requires a justification'),
    });
    const { code, stderr } = await cli([...flags(api), '--', 'true']);
    expect(code).toBe(1);
    expect(stderr).toBe('countersign: rule pii-export requires a justification [justification_required]\n');
  });

  it('off a terminal, prints a progress line on each change and a heartbeat while nothing changes', async () => {
    const oneApproval = actionFixture();
    const requirement = oneApproval.approval.requirements[0];
    if (requirement) requirement.approvals = ['alice@example.com'];
    let polls = 0;
    api = await fakeApi({
      'POST /v1/actions': () => ({ status: 201, body: actionFixture() }),
      'GET /v1/actions/:id': async (request) => {
        if (!request.query.has('wait')) return { body: actionFixture() };
        polls += 1;
        await new Promise((resolve) => setTimeout(resolve, 60));
        return { body: polls === 1 ? oneApproval : approvedFixture() };
      },
      'POST /v1/actions/:id/outcome': () => ({ body: approvedFixture({ status: 'succeeded' }) }),
    });
    const { code, stderr } = await cli([...flags(api), '--', process.execPath, '-e', ''], {
      timing: { heartbeatMs: 25 },
    });
    expect(code).toBe(0);
    const progress = stderr.split('\n').filter((line) => line.includes(' waiting '));
    expect(progress.filter((line) => line.includes('approvals pii-export 0/2')).length).toBeGreaterThanOrEqual(2);
    expect(progress.some((line) => line.includes('pending · approvals pii-export 1/2'))).toBe(true);
    expect(progress.at(-1)).toMatch(/act_1 waiting \d+s · approved · approvals pii-export 2\/2$/);
    expect(stderr).not.toContain('\r');
  });

  it('on a terminal, redraws one progress line in place', async () => {
    const server = await gate({ decided: approvedFixture(), delayMs: 40 });
    const { code, stderr } = await cli([...flags(server), '--', process.execPath, '-e', ''], { isTTY: true });
    expect(code).toBe(0);
    // \r returns to the line start and ESC [K erases the rest: one line, redrawn in place, ended once decided.
    const erase = '\x1b[K';
    const line = stderr.split('\n')[1] ?? '';
    const draws = line.split('\r').slice(1);
    expect(draws.length).toBeGreaterThanOrEqual(2);
    expect(draws.every((draw) => draw.endsWith(erase))).toBe(true);
    expect(draws[0]).toMatch(/^countersign: act_1 waiting 0s · pending · approvals pii-export 0\/2 · expires in \d+m/);
    expect(draws.at(-1)).toBe(`countersign: act_1 waiting 0s · approved · approvals pii-export 2/2${erase}`);
  });

  it('says a denial in one line, naming the reason and the rule once, and exits 3', async () => {
    const denied = actionFixture({
      status: 'denied',
      decision: {
        ...actionFixture().decision,
        effect: 'deny',
        rules: ['export-to-unapproved-destination'],
        reason: 'Exports may only go to acme-owned buckets',
        requirements: [],
      },
      approval: { requirements: [], expiresAt: actionFixture().approval.expiresAt },
    });
    const server = await gate({ submitted: denied });
    const command = recorder(0);
    const { code, stderr } = await cli([...flags(server), ...command.argv]);
    expect(code).toBe(exitCodes.denied);
    expect(stderr).toBe(
      'countersign: act_1 data.export on dataset:customers [pii] in production: denied by policy: Exports may only go to acme-owned buckets (rule export-to-unapproved-destination); the command did not run\n',
    );

    // A rule without a reason of its own: the server's reason already says "denied by rule …".
    const bare = await gate({
      submitted: actionFixture({
        status: 'denied',
        decision: { ...denied.decision, rules: ['no-admin-grants'], reason: 'denied by rule no-admin-grants' },
      }),
    });
    const plain = await cli([...flags(bare), ...command.argv]);
    expect(plain.stderr).toBe(
      'countersign: act_1 data.export on dataset:customers [pii] in production: denied by rule no-admin-grants; the command did not run\n',
    );
    expect(existsSync(command.file)).toBe(false);
  });

  it('says a replayed request that was rejected earlier in one line too', async () => {
    const rejected = actionFixture({
      status: 'rejected',
      reviews: [
        {
          reviewer: 'carol@example.com',
          verdict: 'reject',
          comment: 'no',
          countedFor: [],
          at: '2026-01-31T09:05:00.000Z',
        },
      ],
    });
    api = await fakeApi({ 'POST /v1/actions': () => ({ status: 200, body: rejected }) });
    const { code, stderr } = await cli([...flags(api), '--idempotency-key', 'step-1', '--', 'true']);
    expect(code).toBe(exitCodes.rejected);
    expect(stderr).toBe(
      'countersign: act_1 data.export on dataset:customers [pii] in production (the existing request for this idempotency key): rejected by carol@example.com: "no"; the command did not run\n',
    );
  });

  it('shows the command it runs shell-quoted on one line, long arguments cut short', async () => {
    const server = await gate({ submitted: approvedFixture({ reviews: [] }) });
    const script = `const note = 'two words';\nconsole.error(note);\n${'// padding\n'.repeat(20)}`;
    const { code, stderr } = await cli([...flags(server), '--', process.execPath, '-e', script, 'a b', "it's"]);
    expect(code).toBe(0);
    expect(stderr).toContain(
      `countersign: approved; running ${process.execPath} -e $'const note = \\'two words\\';\\nconsole.error(note);\\n// padding\\n/…' 'a b' 'it'\\''s'\n`,
    );
  });

  it('follows the event stream: a progress line for each approval as it arrives, no long polls', async () => {
    const oneApproval = actionFixture();
    const requirement = oneApproval.approval.requirements[0];
    if (requirement) requirement.approvals = ['alice@example.com'];
    let approve: () => void = () => undefined;
    const progressLines: string[] = [];
    api = await fakeApi({
      'POST /v1/actions': () => ({ status: 201, body: actionFixture() }),
      'GET /v1/actions/:id/events': () => ({
        events: async (stream) => {
          stream.action(actionFixture());
          stream.comment('keep-alive');
          stream.action(oneApproval);
          // The second approval comes only once the first has shown: progress is live, not batched.
          await new Promise<void>((resolve) => {
            approve = resolve;
          });
          stream.action(approvedFixture());
          await new Promise(() => undefined); // approved is not terminal: the stream stays open
        },
      }),
      'GET /v1/actions/:id': () => undefined,
      'POST /v1/actions/:id/outcome': () => ({ body: approvedFixture({ status: 'succeeded' }) }),
    });
    const { code, stderr } = await cli([...flags(api), '--', process.execPath, '-e', ''], {
      onStderr: (text) => {
        if (!text.includes(' waiting ')) return;
        progressLines.push(text);
        if (text.includes('pii-export 1/2')) approve();
      },
    });
    expect(code).toBe(0);
    expect(progressLines.map((line) => line.replace(/waiting \d+s/, 'waiting Ns').replace(/ · expires.*/, ''))).toEqual(
      [
        'countersign: act_1 waiting Ns · pending · approvals pii-export 0/2\n',
        'countersign: act_1 waiting Ns · pending · approvals pii-export 1/2\n',
        'countersign: act_1 waiting Ns · approved · approvals pii-export 2/2\n',
      ],
    );
    expect(api.to('GET /v1/actions/:id')).toHaveLength(0);
    expect(api.to('GET /v1/actions/:id/events')).toHaveLength(1);
    expect(stderr).toContain('countersign: approved; running');
  });

  it('falls back to long polls when the stream drops, then streams again', async () => {
    let streams = 0;
    api = await fakeApi({
      'POST /v1/actions': () => ({ status: 201, body: actionFixture() }),
      'GET /v1/actions/:id/events': () => ({
        events: async (stream) => {
          streams += 1;
          if (streams === 1) {
            stream.action(actionFixture());
            await new Promise((resolve) => setTimeout(resolve, 30));
            stream.drop();
          } else {
            stream.action(approvedFixture());
          }
        },
      }),
      'GET /v1/actions/:id': () => ({ body: actionFixture() }),
      'POST /v1/actions/:id/outcome': () => ({ body: approvedFixture({ status: 'succeeded' }) }),
    });
    const { code } = await cli([...flags(api), '--', process.execPath, '-e', ''], { timing: { pollSeconds: 1 } });
    expect(code).toBe(0);
    // Stream, dropped; a long poll (or a plain read, had the drop come before the first event was read); stream.
    expect(api.seen.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual([
      '/v1/actions/act_1/events',
      '/v1/actions/act_1',
      '/v1/actions/act_1/events',
    ]);
  });

  it('shows the time to expiry rounded: a 30-minute timeout reads "expires in 30m"', async () => {
    const fresh = actionFixture({
      approval: { ...actionFixture().approval, expiresAt: new Date(Date.now() + 1_800_000).toISOString() },
    });
    const server = await gate({ submitted: fresh, decided: approvedFixture(), delayMs: 20 });
    const { stderr } = await cli([...flags(server), '--', process.execPath, '-e', '']);
    expect(stderr).toContain('countersign: act_1 waiting 0s · pending · approvals pii-export 0/2 · expires in 30m\n');
  });

  it('refuses to run again when the idempotency key names a request that already ran', async () => {
    const server = await gate({ submitted: approvedFixture({ status: 'succeeded', grant: undefined }) });
    const command = recorder(0);
    const { code, stderr } = await cli([...flags(server), '--idempotency-key', 'step-1', ...command.argv]);
    expect(code).toBe(1);
    expect(stderr).toContain('act_1 already ran (succeeded); use a new --idempotency-key to ask again');
    expect(existsSync(command.file)).toBe(false);
  });

  it('needs -- CMD', async () => {
    const server = await gate({});
    const { code, stderr } = await cli(flags(server));
    expect(code).toBe(2);
    expect(stderr).toMatch(/missing required argument 'command'/);
    expect(server.seen).toHaveLength(0);
  });
});
