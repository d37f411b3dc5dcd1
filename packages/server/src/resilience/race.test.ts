import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Action, isTerminal } from '@countersign/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, call, createAgent, createPostgresDatabase, reviewerToken } from '../test-support/index.js';
import { type ServerProcess, startServerProcess } from '../test-support/server-process.js';
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
 * Two server processes on one PostgreSQL database, and many reviewers deciding the same action at the same moment
 * through both. Whatever the interleaving, one review decides, every later one is refused with not_pending, at most
 * one grant exists, and the audit chain holds exactly one decision and verifies.
 */

const reviewers = panelMembers(60);
const reviewsPerRound = 50;
const random = seededRandom();

interface Replica {
  name: string;
  server: ServerProcess;
  url: string;
}

interface ReviewResult {
  reviewer: string;
  verdict: 'approve' | 'reject';
  replica: string;
  response: ApiResponse<Action & { code?: string }>;
}

describe('concurrent reviews on two replicas sharing PostgreSQL', () => {
  let dir: string;
  let database: { url: string; drop(): Promise<void> };
  let sql: pg.Client;
  let adminToken: string;
  const replicas: Replica[] = [];
  let agentKey: string;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'countersign-race-'));
    database = await createPostgresDatabase();
    const policy = join(dir, 'policy.yaml');
    await writeFile(policy, panelPolicy(reviewers));
    const keysDir = join(dir, 'keys');
    await mkdir(keysDir);
    adminToken = `admin-${randomBytes(16).toString('hex')}`;
    // One after the other: the first creates the signing key and migrates, the second reuses both.
    for (const name of ['A', 'B']) {
      const server = await startServerProcess({
        policy,
        dataDir: join(dir, `data-${name}`),
        databaseUrl: database.url,
        keysDir,
        adminToken,
        databasePoolMax: 12,
      });
      replicas.push({ name, server, url: server.url });
    }
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
    const [a, b] = replicas as [Replica, Replica];
    agentKey = await createAgent({ url: a.url, adminToken }, 'deployer', 'owner@example.com');
    // Tokens are issued on both replicas: each must accept the other's.
    await Promise.all(
      reviewers.map(async (reviewer, i) => {
        tokens.set(reviewer, await reviewerToken({ url: (i % 2 === 0 ? a : b).url, adminToken }, reviewer));
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    for (const replica of replicas) {
      await replica.server.stop().catch(() => replica.server.kill('SIGKILL'));
    }
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 30_000);

  /** Submits one action, then fires `reviewsPerRound` reviews from distinct reviewers at once, across both replicas. */
  async function raceRound(round: number, verb: 'deploy.single' | 'deploy.double') {
    const [a, b] = replicas as [Replica, Replica];
    const submitted = await call<Action>(random.pick(replicas).url, 'POST', '/v1/actions', agentKey, {
      action: verb,
      resource: { type: 'service', id: `${verb}-${round}` },
      environment: 'production',
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    expect(submitted.body.status).toBe('pending');
    const id = submitted.body.id;
    const chosen = random.shuffle(reviewers).slice(0, reviewsPerRound);
    const plan = chosen.map((reviewer, i) => ({
      reviewer,
      verdict: random.next() < 0.5 ? ('approve' as const) : ('reject' as const),
      // Alternating over a shuffled list: both replicas get half, in random order.
      replica: i % 2 === 0 ? a : b,
    }));
    const results: ReviewResult[] = await Promise.all(
      plan.map(async ({ reviewer, verdict, replica }) => ({
        reviewer,
        verdict,
        replica: replica.name,
        response: await call<Action & { code?: string }>(
          replica.url,
          'POST',
          `/v1/actions/${id}/reviews`,
          tokens.get(reviewer),
          { verdict, comment: `round ${round}` },
        ),
      })),
    );
    return { id, results };
  }

  /** What every round must show, whichever review won. */
  async function expectOneDecision(round: number, quorum: 1 | 2, id: string, results: readonly ReviewResult[]) {
    const context = `seed ${random.seed}, quorum ${quorum}, round ${round}, action ${id}`;
    const describeAll = () =>
      results
        .map(
          (r) =>
            `${r.replica} ${r.reviewer} ${r.verdict} → ${r.response.status} ${r.response.status === 200 ? r.response.body.status : r.response.body.code}`,
        )
        .join('\n');
    const accepted = results.filter((r) => r.response.status === 200);
    const refused = results.filter((r) => r.response.status !== 200);
    const deciding = accepted.filter(
      (r) => isTerminal(r.response.body.status) || r.response.body.status === 'approved',
    );
    const recorded = accepted.filter((r) => r.response.body.status === 'pending');
    expect(deciding, `${context}: exactly one review must decide\n${describeAll()}`).toHaveLength(1);
    for (const r of refused) {
      expect(
        { status: r.response.status, code: r.response.body.code },
        `${context}: a review after the decision must be refused as not_pending\n${describeAll()}`,
      ).toEqual({ status: 409, code: 'not_pending' });
    }
    const winner = deciding[0] as ReviewResult;
    const outcome: 'approved' | 'rejected' = winner.verdict === 'approve' ? 'approved' : 'rejected';
    expect(winner.response.body.status, `${context}: the deciding review's verdict`).toBe(outcome);
    // Approvals recorded before the decision: none at quorum 1; at quorum 2 exactly one before an approval decides,
    // at most one before a rejection does.
    for (const r of recorded) expect(r.verdict, `${context}: a rejection is never merely recorded`).toBe('approve');
    const expectedRecorded = quorum === 1 ? [0] : outcome === 'approved' ? [1] : [0, 1];
    expect(expectedRecorded, `${context}: approvals recorded before the decision\n${describeAll()}`).toContain(
      recorded.length,
    );

    // The stored action, read through the replica that did not decide, agrees with the responses.
    const other = replicas.find((replica) => replica.name !== winner.replica) as Replica;
    const stored = await call<Action & { grant?: { token: string } }>(other.url, 'GET', `/v1/actions/${id}`, agentKey);
    expect(stored.body.status, context).toBe(outcome);
    expect(stored.body.reviews.map((review) => review.reviewer).sort(), `${context}: stored reviews`).toEqual(
      [...recorded, winner].map((r) => r.reviewer).sort(),
    );
    expect(stored.body.reviews.at(-1)?.reviewer, `${context}: the decider reviewed last`).toBe(winner.reviewer);

    const grants = await sql.query<{ jti: string }>('select jti from grants where action_id = $1', [id]);
    expect(grants.rows, `${context}: grant rows`).toHaveLength(outcome === 'approved' ? 1 : 0);
    if (outcome === 'approved') {
      // Both replicas sign the one stored grant with the shared key: the same token from either.
      const decider = replicas.find((replica) => replica.name === winner.replica) as Replica;
      const mine = await call<{ grant?: { token: string } }>(decider.url, 'GET', `/v1/actions/${id}`, agentKey);
      expect(stored.body.grant?.token, `${context}: grant for the agent`).toMatch(/^ey/);
      expect(mine.body.grant?.token, `${context}: the same grant from both replicas`).toBe(stored.body.grant?.token);
    } else {
      expect(stored.body.grant, `${context}: a rejected action has no grant`).toBeUndefined();
    }
    return { outcome, recorded, winner };
  }

  /** After the rounds: both sequencers have chained everything, and the chain holds one decision per action. */
  async function expectChainHoldsOneDecisionEach(
    rounds: ReadonlyArray<{ id: string; outcome: string; winner: ReviewResult; recorded: ReviewResult[] }>,
  ) {
    await Promise.all(replicas.map((replica) => waitUntilChained(replica.url)));
    const unchained = await sql.query<{ n: number }>('select count(*)::int as n from audit_entries where seq is null');
    expect(unchained.rows[0]?.n, 'unchained audit rows after both sequencers caught up').toBe(0);
    const total = await sql.query<{ n: number }>('select count(*)::int as n from audit_entries');
    const entries = await readAuditTrail(replicas[1]!.url, adminToken);
    expectIntactChain(entries);
    expect(entries, 'every stored audit row is in the chain').toHaveLength(total.rows[0]?.n ?? -1);
    const byAction = entriesByAction(entries);
    for (const { id, outcome, winner, recorded } of rounds) {
      const types = (byAction.get(id) ?? []).map((entry) => entry.type);
      const context = `seed ${random.seed}, action ${id}: audit entries ${JSON.stringify(types)}`;
      const decisions = (byAction.get(id) ?? []).filter(
        (e) => e.type === 'action.approved' || e.type === 'action.rejected',
      );
      expect(decisions, `${context}: exactly one decision entry`).toHaveLength(1);
      expect(decisions[0]?.type, context).toBe(`action.${outcome}`);
      expect(decisions[0]?.actor.id, context).toBe(winner.reviewer);
      expect(
        types.filter((type) => type === 'action.submitted'),
        context,
      ).toHaveLength(1);
      expect(
        (byAction.get(id) ?? []).filter((e) => e.type === 'action.approval_recorded').map((e) => e.actor.id),
        context,
      ).toEqual(recorded.map((r) => r.reviewer));
    }
  }

  it.each([
    { quorum: 1 as const, verb: 'deploy.single' as const, rounds: 30 },
    { quorum: 2 as const, verb: 'deploy.double' as const, rounds: 20 },
  ])(
    'quorum $quorum: $rounds rounds of 50 simultaneous reviews, one decision each',
    async ({ quorum, verb, rounds }) => {
      const decided = [];
      const outcomes = { approved: 0, rejected: 0 };
      const deciders = { A: 0, B: 0 };
      for (let round = 0; round < rounds; round++) {
        const { id, results } = await raceRound(round, verb);
        const result = await expectOneDecision(round, quorum, id, results);
        decided.push({ id, ...result });
        outcomes[result.outcome] += 1;
        deciders[result.winner.replica as 'A' | 'B'] += 1;
      }
      await expectChainHoldsOneDecisionEach(decided);
      // Not an assertion on luck, just evidence in the log that both paths were exercised.
      console.info(
        `quorum ${quorum}, seed ${random.seed}: outcomes ${JSON.stringify(outcomes)}, deciding replica ${JSON.stringify(deciders)}`,
      );
    },
    60_000,
  );
});
