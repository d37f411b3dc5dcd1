import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Action, ActionStatus } from '@countersign/core';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../audit/index.js';
import {
  call,
  createAgent,
  createPostgresDatabase,
  reviewerToken,
  type StoreKind,
  storeKinds,
} from '../test-support/index.js';
import { type ServerProcess, type ServerProcessSettings, startServerProcess } from '../test-support/server-process.js';
import {
  entriesByAction,
  expectIntactChain,
  panelMembers,
  panelPolicy,
  readAuditTrail,
  seededRandom,
  waitUntilChained,
} from './support.js';

/**
 * A server killed with SIGKILL in the middle of a stream of submissions and reviews, then restarted on the same
 * data, has lost nothing it acknowledged: every 2xx is durable, no action was decided twice, and the audit chain
 * (chained after the restart by the new process) verifies from seq 1 and records every acknowledged change.
 */

const reviewers = panelMembers(12);
/** Acknowledged requests before the kill. */
const acknowledgedBeforeKill = 300;
const concurrency = 16;

type Verb = 'data.read' | 'deploy.single' | 'deploy.double' | 'iam.grant';

interface AckedSubmission {
  id: string;
  verb: Verb;
  resourceId: string;
  status: ActionStatus;
  idempotencyKey?: string;
}

interface AckedReview {
  actionId: string;
  reviewer: string;
  verdict: 'approve' | 'reject';
  status: ActionStatus;
}

/** Statuses an action acknowledged in `acked` may legitimately have later. */
const reachableFrom: Record<ActionStatus, readonly ActionStatus[]> = {
  pending: ['pending', 'approved', 'rejected', 'expired', 'cancelled', 'succeeded', 'failed'],
  approved: ['approved', 'succeeded', 'failed'],
  denied: ['denied'],
  rejected: ['rejected'],
  expired: ['expired'],
  cancelled: ['cancelled'],
  succeeded: ['succeeded'],
  failed: ['failed'],
};

const decisionTypes = new Set(['action.approved', 'action.rejected', 'action.expired', 'action.cancelled']);

describe.each(storeKinds)('a server killed mid-stream on %s', (store: StoreKind) => {
  const random = seededRandom();
  const started: ServerProcess[] = [];
  const cleanups: Array<() => Promise<void>> = [];

  afterAll(async () => {
    for (const server of started) await server.kill('SIGKILL');
    for (const cleanup of cleanups.reverse()) await cleanup();
  }, 30_000);

  async function start(settings: ServerProcessSettings): Promise<ServerProcess> {
    const server = await startServerProcess(settings, { startTimeoutMs: 45_000 });
    started.push(server);
    return server;
  }

  it('keeps every acknowledged request and an intact audit chain after a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), `countersign-crash-${store}-`));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const database = store === 'postgres' ? await createPostgresDatabase() : undefined;
    if (database) cleanups.push(() => database.drop());
    const policy = join(dir, 'policy.yaml');
    await writeFile(policy, panelPolicy(reviewers));
    const adminToken = `admin-${randomBytes(16).toString('hex')}`;
    const settings: ServerProcessSettings = {
      policy,
      dataDir: join(dir, 'data'),
      adminToken,
      ...(database && { databaseUrl: database.url, databasePoolMax: 12 }),
    };
    const context = `${store}, seed ${random.seed}`;

    const first = await start(settings);
    const admin = { url: first.url, adminToken };
    const agentKey = await createAgent(admin, 'pipeline', 'owner@example.com');
    const tokens = new Map<string, string>();
    for (const reviewer of reviewers) tokens.set(reviewer, await reviewerToken(admin, reviewer));

    // The stream: concurrent workers submitting (allowed, pending at quorum 1 and 2, denied) and reviewing what
    // is pending, until enough requests were acknowledged; then SIGKILL with requests in flight.
    const submissions: AckedSubmission[] = [];
    const reviews: AckedReview[] = [];
    const pending = new Map<string, Set<string>>();
    let acknowledged = 0;
    let inFlight = 0;
    let inFlightAtKill = -1;
    let failedInFlight = 0;
    let killed: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
    let counter = 0;
    let failed = false;

    const acknowledge = (): void => {
      acknowledged += 1;
      if (acknowledged >= acknowledgedBeforeKill && !killed) {
        inFlightAtKill = inFlight;
        killed = first.kill('SIGKILL');
      }
    };

    const submit = async (): Promise<void> => {
      const roll = random.next();
      const verb: Verb =
        roll < 0.35 ? 'data.read' : roll < 0.65 ? 'deploy.single' : roll < 0.9 ? 'deploy.double' : 'iam.grant';
      const resourceId = `r-${counter++}`;
      const idempotencyKey = random.next() < 0.5 ? `key-${resourceId}` : undefined;
      const response = await call<Action>(
        first.url,
        'POST',
        '/v1/actions',
        agentKey,
        { action: verb, resource: { type: 'service', id: resourceId }, environment: 'production' },
        idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
      );
      if (response.status !== 201)
        throw new Error(`submit ${verb} → ${response.status} ${JSON.stringify(response.body)}`);
      submissions.push({
        id: response.body.id,
        verb,
        resourceId,
        status: response.body.status,
        ...(idempotencyKey && { idempotencyKey }),
      });
      if (response.body.status === 'pending') pending.set(response.body.id, new Set());
      acknowledge();
    };

    const review = async (): Promise<void> => {
      const actionId = random.pick([...pending.keys()]);
      const used = pending.get(actionId) ?? new Set();
      const candidates = reviewers.filter((r) => !used.has(r));
      if (candidates.length === 0) {
        pending.delete(actionId);
        return;
      }
      const reviewer = random.pick(candidates);
      used.add(reviewer);
      const verdict = random.next() < 0.75 ? ('approve' as const) : ('reject' as const);
      const response = await call<Action & { code?: string }>(
        first.url,
        'POST',
        `/v1/actions/${actionId}/reviews`,
        tokens.get(reviewer),
        { verdict },
      );
      if (response.status === 409 && response.body.code === 'not_pending') {
        pending.delete(actionId);
        return;
      }
      if (response.status !== 200) {
        throw new Error(`review of ${actionId} → ${response.status} ${JSON.stringify(response.body)}`);
      }
      reviews.push({ actionId, reviewer, verdict, status: response.body.status });
      if (response.body.status !== 'pending') pending.delete(actionId);
      acknowledge();
    };

    const worker = async (): Promise<void> => {
      while (!killed && !failed) {
        inFlight += 1;
        try {
          await (pending.size > 0 && random.next() < 0.55 ? review() : submit());
        } catch (error) {
          // Only a request cut off by the kill may fail; anything else is a bug to report.
          if (!killed) {
            failed = true;
            throw error;
          }
          failedInFlight += 1;
        } finally {
          inFlight -= 1;
        }
      }
    };

    const streamStarted = Date.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const exit = await killed;
    const streamMs = Date.now() - streamStarted;
    expect(exit, 'the first process died of the SIGKILL').toEqual({ code: null, signal: 'SIGKILL' });
    expect(inFlightAtKill, `${context}: requests were in flight when the process was killed`).toBeGreaterThan(0);

    // What the dead process left for the next one to chain (PostgreSQL only: PGlite lives inside the process).
    let unchainedAtKill = 'unknown (PGlite)';
    if (database) {
      const sql = new pg.Client({ connectionString: database.url });
      await sql.connect();
      const rows = await sql.query<{ n: number }>('select count(*)::int as n from audit_entries where seq is null');
      unchainedAtKill = String(rows.rows[0]?.n);
      await sql.end();
    }

    // Restart on the same data: the PGlite lock of the dead process is taken over, the keys are reused.
    const restartStarted = Date.now();
    const second = await start(settings);
    const restartMs = Date.now() - restartStarted;
    const api = <T>(path: string, token = adminToken) => call<T>(second.url, 'GET', path, token);

    // Every acknowledged submission survived, at least as far along as acknowledged.
    const stored = new Map<string, Action>();
    for (const acked of submissions) {
      const response = await api<Action>(`/v1/actions/${acked.id}`);
      expect(
        response.status,
        `${context}: acknowledged ${acked.verb} ${acked.id} (${acked.status}) after restart`,
      ).toBe(200);
      const action = response.body;
      expect([action.action, action.resource.id], `${context}: ${acked.id}`).toEqual([acked.verb, acked.resourceId]);
      expect(reachableFrom[acked.status], `${context}: ${acked.id} was acknowledged ${acked.status}`).toContain(
        action.status,
      );
      stored.set(action.id, action);
      if (acked.idempotencyKey) {
        const replay = await call<Action>(
          second.url,
          'POST',
          '/v1/actions',
          agentKey,
          { action: acked.verb, resource: { type: 'service', id: acked.resourceId }, environment: 'production' },
          { 'idempotency-key': acked.idempotencyKey },
        );
        expect([replay.status, replay.body.id], `${context}: replaying ${acked.idempotencyKey}`).toEqual([
          200,
          acked.id,
        ]);
      }
    }

    // Every acknowledged review is in its action, and an acknowledged decision is the action's status.
    for (const acked of reviews) {
      const action = stored.get(acked.actionId) ?? (await api<Action>(`/v1/actions/${acked.actionId}`)).body;
      const what = `${context}: ${acked.reviewer} ${acked.verdict} on ${acked.actionId} acknowledged as ${acked.status}`;
      expect(
        action.reviews.filter((r) => r.reviewer === acked.reviewer).map((r) => r.verdict),
        what,
      ).toEqual([acked.verdict]);
      expect(reachableFrom[acked.status], `${what}; now ${action.status}`).toContain(action.status);
    }

    // Everything the store holds, acknowledged or not, is consistent with its audit trail.
    const everything: Action[] = [];
    let cursor: string | undefined;
    do {
      const page = await api<{ items: Action[]; nextCursor?: string }>(
        `/v1/actions?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      everything.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    const storedIds = new Set(everything.map((action) => action.id));
    expect(
      submissions.filter((acked) => !storedIds.has(acked.id)),
      `${context}: acknowledged actions missing from the list`,
    ).toEqual([]);

    await waitUntilChained(second.url);
    const entries: AuditEntry[] = await readAuditTrail(second.url, adminToken);
    expectIntactChain(entries);
    if (database) {
      const sql = new pg.Client({ connectionString: database.url });
      await sql.connect();
      try {
        const rows = await sql.query<{ total: number; unchained: number }>(
          'select count(*)::int as total, count(*) filter (where seq is null)::int as unchained from audit_entries',
        );
        expect(rows.rows[0], `${context}: every stored audit row is chained`).toEqual({
          total: entries.length,
          unchained: 0,
        });
        const grants = await sql.query<{ action_id: string; n: number }>(
          'select action_id, count(*)::int as n from grants group by action_id',
        );
        const grantCounts = new Map(grants.rows.map((row) => [row.action_id, row.n]));
        for (const action of everything) {
          const granted = action.status === 'approved' || action.status === 'succeeded' || action.status === 'failed';
          expect(grantCounts.get(action.id) ?? 0, `${context}: grant rows of ${action.status} ${action.id}`).toBe(
            granted ? 1 : 0,
          );
        }
      } finally {
        await sql.end();
      }
    }

    const byAction = entriesByAction(entries);
    const ackedIds = new Set(submissions.map((s) => s.id));
    for (const action of everything) {
      const trail = byAction.get(action.id) ?? [];
      const what = `${context}: ${action.id} (${action.status}${ackedIds.has(action.id) ? ', acknowledged' : ''}) has audit entries ${JSON.stringify(trail.map((e) => `${e.type} by ${e.actor.id}`))}`;
      const submitted = trail.filter((e) => e.type === 'action.submitted');
      expect(submitted, `${what}: one action.submitted`).toHaveLength(1);
      const decidedAtSubmission = submitted[0]?.data.status !== 'pending' ? 1 : 0;
      const decisions = trail.filter((e) => decisionTypes.has(e.type)).length + decidedAtSubmission;
      expect(decisions, `${what}: decisions`).toBe(action.status === 'pending' ? 0 : 1);
      const reviewedInTrail = trail
        .filter((e) => e.actor.kind === 'human' && e.type !== 'action.review_refused')
        .map((e) => e.actor.id)
        .sort();
      expect(reviewedInTrail, `${what}: every stored review has its audit entry`).toEqual(
        action.reviews.map((r) => r.reviewer).sort(),
      );
      if (action.status === 'approved') {
        const mine = await api<{ grant?: { token: string } }>(`/v1/actions/${action.id}`, agentKey);
        expect(mine.body.grant?.token, `${what}: the agent still gets its grant`).toMatch(/^ey/);
      }
    }

    // The restarted server carries on.
    const after = await call<Action>(second.url, 'POST', '/v1/actions', agentKey, {
      action: 'data.read',
      resource: { type: 'service', id: 'after-restart' },
      environment: 'production',
    });
    expect(after.status, JSON.stringify(after.body)).toBe(201);
    await second.stop();

    console.info(
      `${context}: ${acknowledged} acknowledged (${submissions.length} submissions, ${reviews.length} reviews) in ${streamMs} ms; ` +
        `killed with ${inFlightAtKill} in flight (${failedInFlight} cut off); ${everything.length} actions stored; ` +
        `${unchainedAtKill} audit records left unchained; restart ${restartMs} ms; ${entries.length} audit entries chained and verified`,
    );
  }, 120_000);
});
