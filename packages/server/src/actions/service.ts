import {
  type Action,
  type ActionStatus,
  type Agent,
  CountersignError,
  createAction,
  decide,
  type LifecycleChange,
  type LifecycleEvent,
  type Outcome,
  type Reviewer,
  reviewRefusal,
  type SubmittedAction,
  transition,
  type Verdict,
} from '@countersign/core';
import { and, asc, desc, eq, lt, lte, type SQL, sql } from 'drizzle-orm';
import { type AuditActor, type AuditRecord, appendAuditRecords } from '../audit/index.js';
import type { Clock } from '../clock.js';
import { actionChannel } from '../events/index.js';
import {
  type GrantClaims,
  type GrantRecord,
  type GrantSettings,
  grantFor,
  type KeyRing,
  signGrant,
} from '../grants/index.js';
import { type MaskingRules, maskAction, maskText } from '../masking/index.js';
import type { PolicyHolder } from '../policy/index.js';
import type { Db } from '../store/database.js';
import { actions, auditEntries, grants, outbox } from '../store/schema.js';
import { newActionId } from './ids.js';

export interface ActionServiceOptions {
  db: Db;
  clock: Clock;
  policy: PolicyHolder;
  keys: KeyRing;
  grants: GrantSettings;
  /** How long before expiry a reminder goes to chat channels (capped at half the timeout); default 10 minutes. */
  reminderBeforeMs?: number;
  /**
   * Fields masked whole in what the audit trail records of a submission (`masking.sensitiveFields`); everything
   * else an agent or reviewer wrote is masked by content either way.
   */
  masking?: MaskingRules;
  /** Called after every commit, with what it did (pokes the audit sequencer, counts metrics). */
  onCommit?: (kind: string, count: number) => void;
}

/** An action as stored, with the grant minted when it was approved. */
export interface StoredAction {
  action: Action;
  grant: GrantRecord | undefined;
}

export interface ListQuery {
  status?: ActionStatus;
  /** Only this agent's actions. */
  agentId?: string;
  /** Only actions this reviewer may review now. */
  reviewableBy?: Reviewer;
  limit: number;
  /** The last id of the previous page (lists run newest first). */
  cursor?: string;
}

/** How often an optimistic transition is retried when another writer changed the action first. */
const maxAttempts = 64;

/**
 * The approval service: submissions, reviews, cancellation, outcomes and the timed transitions, each one
 * transaction holding the action's conditional update, its audit record, its grant and its outbox rows, with a
 * NOTIFY that wakes waiters when it commits. Decisions come from core's pure `decide` and `transition`.
 */
export class ActionService {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #policy: PolicyHolder;
  readonly #keys: KeyRing;
  readonly #grants: GrantSettings;
  readonly #reminderBeforeMs: number;
  readonly #masking: MaskingRules;
  readonly #onCommit: (kind: string, count: number) => void;
  readonly #reads: ReturnType<typeof preparedReads>;

  constructor(options: ActionServiceOptions) {
    this.#db = options.db;
    this.#clock = options.clock;
    this.#policy = options.policy;
    this.#keys = options.keys;
    this.#grants = options.grants;
    this.#reminderBeforeMs = options.reminderBeforeMs ?? 10 * 60_000;
    this.#masking = options.masking ?? { sensitiveFields: [] };
    this.#onCommit = options.onCommit ?? (() => {});
    this.#reads = preparedReads(options.db);
  }

  /** A reviewer with their groups from the current policy. */
  reviewer(id: string): Reviewer {
    return { id, groups: this.#policy.groupsOf(id) };
  }

  /**
   * Decides and stores a submission. With an idempotency key already used by this agent, returns the stored action
   * (`created: false`) — or refuses with `conflict` when the key was used for a different action.
   */
  async submit(
    agent: Agent,
    submitted: SubmittedAction,
    options: { idempotencyKey?: string; via: string },
  ): Promise<{ action: Action; created: boolean; grant?: GrantRecord | undefined }> {
    const now = this.#clock.now();
    const decision = decide(this.#policy.current, { ...submitted, agent }, now);
    const created = createAction({ id: newActionId(now), submitted, agent, decision, now });
    if (!created.ok) throw new CountersignError(created.refusal.code, created.refusal.message);
    const action = created.action;
    const grant =
      action.status === 'approved' ? grantFor(action, [], now, this.#grants, this.#keys.currentKid) : undefined;
    const actor: AuditActor = { kind: 'agent', id: agent.id, via: options.via };

    // The audit trail keeps what was asked masked like everything people see (payloads are masked before storage),
    // and the digest of the action as submitted, which is what the grant is bound to.
    const masked = maskAction(action, this.#masking);
    const audit: AuditRecord = {
      ts: now,
      type: 'action.submitted',
      actionId: action.id,
      actor,
      data: {
        action: action.action,
        resource: masked.resource,
        environment: action.environment,
        params: masked.params,
        ...(masked.justification !== undefined && { justification: masked.justification }),
        context: masked.context,
        ...(action.onBehalfOf !== undefined && { onBehalfOf: action.onBehalfOf }),
        digest: action.digest,
        decision: {
          effect: decision.effect,
          rules: decision.rules,
          reason: decision.reason,
          policyVersion: decision.policyVersion,
        },
        status: action.status,
        ...(options.idempotencyKey !== undefined && { idempotencyKey: options.idempotencyKey }),
        ...(grant && { grant: { jti: grant.jti, expiresAt: grant.expiresAt.toISOString() } }),
      },
    };
    const result = await this.#db.execute(
      submitStatement({
        action,
        agentId: agent.id,
        idempotencyKey: options.idempotencyKey,
        now,
        grant,
        audit,
        remindAt: remindAt(action, this.#reminderBeforeMs),
      }),
    );
    const stored = ((result as { rows?: unknown[] }).rows ?? []).length > 0;
    if (!stored) return { ...(await this.#replay(agent.id, options.idempotencyKey, action.digest)), created: false };
    this.#onCommit('submitted', 1);
    return { action, created: true, ...(grant && { grant }) };
  }

  /** The action an idempotency key already stands for, with its grant. */
  async #replay(agentId: string, key: string | undefined, digest: string): Promise<StoredAction> {
    const [row] = await this.#db
      .select({ id: actions.id, document: actions.document, digest: actions.digest })
      .from(actions)
      .where(and(eq(actions.agentId, agentId), eq(actions.idempotencyKey, key ?? '')));
    if (!row) throw new Error(`idempotency key ${key} conflicted but no action holds it`);
    if (row.digest !== digest) {
      throw new CountersignError(
        'conflict',
        `Idempotency-Key ${key} was used for action ${row.document.id} with different content (${row.digest}); use a new key for a new action`,
      );
    }
    const stored = await this.read(row.id);
    if (!stored) throw new Error(`action ${row.id} vanished while being replayed`);
    return stored;
  }

  /** The action and its grant (if it has one), in one query. */
  async read(id: string): Promise<StoredAction | undefined> {
    const [row] = await this.#reads.get.execute({ id });
    if (!row) return undefined;
    const { document, jti, kid, claims, expiresAt } = row;
    const grant =
      jti !== null && kid !== null && claims !== null && expiresAt !== null
        ? { jti, kid, claims: claims as unknown as GrantClaims, expiresAt }
        : undefined;
    return { action: document, grant };
  }

  async get(id: string): Promise<Action | undefined> {
    return (await this.read(id))?.action;
  }

  /** A page of actions, newest first. */
  async list(query: ListQuery): Promise<{ items: Action[]; nextCursor?: string }> {
    const items: Action[] = [];
    let cursor = query.cursor;
    const now = this.#clock.now();
    const pageSize = query.reviewableBy ? Math.max(query.limit * 2, 100) : query.limit + 1;
    for (;;) {
      const conditions = [
        query.reviewableBy ? eq(actions.status, 'pending') : undefined,
        query.status ? eq(actions.status, query.status) : undefined,
        query.agentId ? eq(actions.agentId, query.agentId) : undefined,
        cursor ? lt(actions.id, cursor) : undefined,
      ].filter((c) => c !== undefined);
      const rows = await this.#db
        .select({ id: actions.id, document: actions.document })
        .from(actions)
        .where(conditions.length > 0 ? and(...conditions) : undefined)
        .orderBy(desc(actions.id))
        .limit(pageSize);
      for (const row of rows) {
        if (query.reviewableBy && reviewRefusal(row.document, query.reviewableBy, now)) continue;
        if (items.length === query.limit) return { items, nextCursor: items[items.length - 1]?.id as string };
        items.push(row.document);
      }
      if (rows.length < pageSize) return { items };
      cursor = rows[rows.length - 1]?.id;
    }
  }

  /**
   * Records a review through the same eligibility and quorum rules wherever it comes from. A refused attempt on an
   * action that exists (self-approval, not eligible, reviewed already, no longer pending) is itself audited as
   * `action.review_refused` — separation-of-duties evidence — and the refusal is then thrown as before.
   */
  async review(
    id: string,
    reviewer: Reviewer,
    verdict: Verdict,
    comment: string | undefined,
    via: string,
  ): Promise<Action> {
    const actor: AuditActor = { kind: 'human', id: reviewer.id, via };
    try {
      return await this.#apply(id, actor, (at) => ({
        type: 'review',
        reviewer,
        verdict,
        ...(comment !== undefined && { comment }),
        via,
        at,
      }));
    } catch (error) {
      if (error instanceof CountersignError && auditedRefusals.has(error.code)) {
        await appendAuditRecords(this.#db, [
          {
            ts: this.#clock.now(),
            type: 'action.review_refused',
            actionId: id,
            actor,
            data: { reviewer: reviewer.id, verdict, code: error.code, message: error.message },
          },
        ]);
        this.#onCommit('review_refused', 1);
      }
      throw error;
    }
  }

  cancel(id: string, agentId: string, via: string): Promise<Action> {
    return this.#apply(id, { kind: 'agent', id: agentId, via }, (at) => ({ type: 'cancel', agent: agentId, at }));
  }

  reportOutcome(id: string, agentId: string, outcome: Outcome, via: string): Promise<Action> {
    return this.#apply(id, { kind: 'agent', id: agentId, via }, (at) => ({
      type: 'outcome',
      agent: agentId,
      outcome,
      at,
    }));
  }

  /** The grant of an approved action, signed, for its requesting agent (a grant is moot once the outcome is in). */
  async grantToken(
    action: Action,
    grant: GrantRecord | undefined,
  ): Promise<{ token: string; expiresAt: string } | undefined> {
    if (action.status !== 'approved' || !grant) return undefined;
    return { token: await signGrant(this.#keys, grant), expiresAt: grant.expiresAt.toISOString() };
  }

  /**
   * Expires and escalates pending actions that are due, up to `limit`, and returns how many changed. Rows are
   * claimed with `FOR UPDATE SKIP LOCKED`, so replicas sweeping at once never act on the same action.
   */
  async sweep(limit = 100): Promise<number> {
    const now = this.#clock.now();
    const changed = await this.#db.transaction(async (tx) => {
      const due = await tx
        .select({ id: actions.id, version: actions.version, document: actions.document })
        .from(actions)
        .where(and(eq(actions.status, 'pending'), lte(actions.dueAt, now)))
        .orderBy(asc(actions.dueAt))
        .limit(limit)
        .for('update', { skipLocked: true });
      let count = 0;
      for (const row of due) {
        const event: LifecycleEvent =
          Date.parse(row.document.approval.expiresAt) <= now.getTime()
            ? { type: 'expire', at: now }
            : { type: 'escalate', at: now };
        const result = transition(row.document, event);
        if (!result.ok) continue;
        await this.#write(tx, row.document, row.version, result.action, result.changed, {
          kind: 'system',
          id: 'sweeper',
          via: 'sweeper',
        });
        count += 1;
      }
      return count;
    });
    if (changed > 0) this.#onCommit('swept', changed);
    return changed;
  }

  /**
   * Applies one lifecycle event optimistically: read, decide with the pure transition, then a conditional update
   * on the version read. A writer that lost the race re-reads and decides again on the new state.
   */
  async #apply(id: string, actor: AuditActor, event: (at: Date) => LifecycleEvent): Promise<Action> {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const [row] = await this.#reads.versioned.execute({ id });
      if (!row) throw new CountersignError('not_found', `no action ${id}`);
      const result = transition(row.document, event(this.#clock.now()));
      if (!result.ok) throw new CountersignError(result.refusal.code, result.refusal.message);
      // One statement: atomic without an explicit transaction.
      const won = await this.#write(this.#db, row.document, row.version, result.action, result.changed, actor);
      if (won) {
        this.#onCommit(result.changed.kind, 1);
        return result.action;
      }
    }
    throw new CountersignError('unavailable', `action ${id} is changing too fast to update; retry`);
  }

  /** The conditional update and everything that commits with it. False when another writer got there first. */
  async #write(
    tx: Db,
    before: Action,
    version: number,
    after: Action,
    change: LifecycleChange,
    actor: AuditActor,
  ): Promise<boolean> {
    const now = new Date(after.updatedAt);
    const grant =
      change.kind === 'approved'
        ? grantFor(after, change.approvers, now, this.#grants, this.#keys.currentKid)
        : undefined;
    const result = await tx.execute(
      transitionStatement({
        before,
        version,
        after,
        now,
        grant,
        audit: auditRecordFor(after, change, actor, now, grant),
        outboxEvent: change.kind === 'outcome' ? `action.${change.status}` : `action.${change.kind}`,
      }),
    );
    return ((result as { rows?: unknown[] }).rows ?? []).length > 0;
  }
}

/**
 * The reads every review and every long-poll wake-up makes, built once and sent as named prepared statements
 * (building a query with Drizzle and planning it cost more than running these).
 */
function preparedReads(db: Db) {
  const byId = eq(actions.id, sql.placeholder('id'));
  return {
    /** The action with its grant, if any. */
    get: db
      .select({
        document: actions.document,
        jti: grants.jti,
        kid: grants.kid,
        claims: grants.claims,
        expiresAt: grants.expiresAt,
      })
      .from(actions)
      .leftJoin(grants, eq(grants.actionId, actions.id))
      .where(byId)
      .prepare('countersign_action_get'),
    /** The action and its version, for an optimistic transition. */
    versioned: db
      .select({ version: actions.version, document: actions.document })
      .from(actions)
      .where(byId)
      .prepare('countersign_action_versioned'),
  };
}

/** Refused reviews worth an audit entry: attempts that separation of duties or the lifecycle turned away. */
const auditedRefusals = new Set(['self_approval', 'not_eligible', 'already_reviewed', 'not_pending']);

/** The next timed event of a pending action: its expiry or an escalation still to come. */
function dueAt(action: Action): Date | null {
  if (action.status !== 'pending') return null;
  const times = [
    Date.parse(action.approval.expiresAt),
    ...action.approval.requirements
      .filter((r) => !r.escalated && r.escalateAt !== undefined)
      .map((r) => Date.parse(r.escalateAt as string)),
  ];
  return new Date(Math.min(...times));
}

function auditRecordFor(
  action: Action,
  change: LifecycleChange,
  actor: AuditActor,
  ts: Date,
  grant: GrantRecord | undefined,
): AuditRecord {
  const type = change.kind === 'outcome' ? `action.${change.status}` : `action.${change.kind}`;
  const { kind: _kind, ...rest } = change;
  const data: Record<string, unknown> = rest;
  if (typeof data.comment === 'string') data.comment = maskText(data.comment);
  const review = action.reviews[action.reviews.length - 1];
  return {
    ts,
    type,
    actionId: action.id,
    actor,
    data: {
      ...data,
      ...((change.kind === 'approved' || change.kind === 'approval_recorded' || change.kind === 'rejected') &&
        review?.comment !== undefined && { comment: maskText(review.comment) }),
      ...(change.kind === 'outcome' &&
        action.outcome?.detail !== undefined && { detail: maskText(action.outcome.detail) }),
      ...(grant && { grant: { jti: grant.jti, expiresAt: grant.expiresAt.toISOString() } }),
      status: action.status,
    },
  };
}

/**
 * A submission as one statement: data-modifying CTEs insert the action and — only when it was inserted, i.e. its
 * idempotency key was free — its grant, its audit record and its outbox rows. One round trip instead of five
 * (BEGIN, three or four INSERTs, COMMIT), and just as atomic: a statement commits or fails as a whole, so a failed
 * audit insert still fails the submission. Returns one row when the action was inserted, none on a replay.
 */
function submitStatement(input: {
  action: Action;
  agentId: string;
  idempotencyKey: string | undefined;
  now: Date;
  grant: GrantRecord | undefined;
  audit: AuditRecord;
  remindAt: Date | undefined;
}): SQL {
  const { action, agentId, now } = input;
  const ts = now.toISOString();
  const ctes: SQL[] = [
    sql`source as (
      insert into ${actions} (id, agent_id, status, version, idempotency_key, digest, document, created_at, updated_at, due_at)
      values (${action.id}, ${agentId}, ${action.status}, 1, ${input.idempotencyKey ?? null}, ${action.digest},
        ${JSON.stringify(action)}::jsonb, ${ts}::timestamptz, ${ts}::timestamptz, ${dueAt(action)?.toISOString() ?? null}::timestamptz)
      on conflict (agent_id, idempotency_key) do nothing
      returning id)`,
    ...dependentInserts(action, now, input.grant, input.audit, 'action.pending', input.remindAt),
  ];
  return sql`with ${sql.join(ctes, sql`, `)} select id from source`;
}

/**
 * A transition as one statement: the conditional update (on the version and status read) and — only when it won —
 * the grant, audit record and outbox rows, and the NOTIFY that wakes waiters once it commits. Inside a
 * transaction (the sweeper's) it joins that transaction; on its own it is one. Returns one row when it won.
 */
function transitionStatement(input: {
  before: Action;
  version: number;
  after: Action;
  now: Date;
  grant: GrantRecord | undefined;
  audit: AuditRecord;
  outboxEvent: string | undefined;
}): SQL {
  const { before, version, after, now } = input;
  const ctes: SQL[] = [
    sql`source as (
      update ${actions} set status = ${after.status}, version = ${version + 1}, document = ${JSON.stringify(after)}::jsonb,
        updated_at = ${now.toISOString()}::timestamptz, due_at = ${dueAt(after)?.toISOString() ?? null}::timestamptz
      where id = ${after.id} and version = ${version} and status = ${before.status}
      returning id)`,
    ...dependentInserts(after, now, input.grant, input.audit, input.outboxEvent),
  ];
  // The main query references the source, so pg_notify runs exactly when the update won.
  return sql`with ${sql.join(ctes, sql`, `)} select id, pg_notify(${actionChannel}, id) from source`;
}

/** CTEs inserting what commits with a change of the action in CTE `source`, each only if `source` has its row. */
function dependentInserts(
  action: Action,
  now: Date,
  grant: GrantRecord | undefined,
  audit: AuditRecord,
  outboxEvent: string | undefined,
  remindAt?: Date,
): SQL[] {
  const ts = now.toISOString();
  const ctes: SQL[] = [
    sql`audited as (
      insert into ${auditEntries} (ts, type, action_id, actor, data)
      select ${audit.ts.toISOString()}::timestamptz, ${audit.type}, source.id, ${JSON.stringify(audit.actor)}::jsonb,
        ${JSON.stringify(audit.data)}::jsonb
      from source)`,
  ];
  if (grant) {
    ctes.push(sql`granted as (
      insert into ${grants} (jti, action_id, agent_id, kid, claims, expires_at)
      select ${grant.jti}, source.id, ${grant.claims.sub}, ${grant.kid}, ${JSON.stringify(grant.claims)}::jsonb,
        ${grant.expiresAt.toISOString()}::timestamptz
      from source)`);
  }
  const targets = outboxEvent === undefined ? [] : outboxTargets(action);
  if (targets.length > 0) {
    // The event and the action as it is now: webhooks carry this snapshot, chat messages render the latest state.
    const payload = JSON.stringify({ event: outboxEvent, action });
    const rows = targets.map((target) => sql`(${target}, ${outboxEvent}, ${ts}::timestamptz)`);
    // Reminders go to chat only, scheduled now and skipped at delivery if the action was decided by then.
    if (remindAt) {
      const at = remindAt.toISOString();
      for (const target of targets.filter((t) => !t.startsWith('webhook:'))) {
        rows.push(sql`(${target}, 'action.reminder', ${at}::timestamptz)`);
      }
    }
    ctes.push(sql`outboxed as (
      insert into ${outbox} (action_id, target, event, payload, next_attempt_at, created_at)
      select source.id, t.target, t.event, ${payload}::jsonb, t.due, ${ts}::timestamptz
      from source cross join (values ${sql.join(rows, sql`, `)}) as t(target, event, due))`);
  }
  return ctes;
}

/** When a pending action's reminder is due: `before` its expiry, or halfway through a timeout shorter than 2×`before`. */
function remindAt(action: Action, beforeMs: number): Date | undefined {
  if (action.status !== 'pending' || action.decision.notify.length === 0) return undefined;
  const lead = Math.min(beforeMs, action.decision.timeoutMs / 2);
  return new Date(Date.parse(action.approval.expiresAt) - lead);
}

/** The notify targets that get an outbox row when `action` changes (approval-requiring decisions only). */
function outboxTargets(action: Action): readonly string[] {
  return action.decision.effect === 'require_approval' ? action.decision.notify : [];
}
