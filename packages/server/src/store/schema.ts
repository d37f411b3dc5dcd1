import { type Action, type ActionStatus, actionStatusSchema } from '@countersign/core';
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * The database schema: the single source for the committed migrations in `packages/server/drizzle/`
 * (`npm run db:generate -w @countersign/server` after a change). Actions, their grants, audit records and outbox
 * rows are written together, one statement or transaction per change (see `actions/service.ts`).
 */

/** Mirrors core's `actionStatusSchema`, in its order (adding a status needs a migration). */
export const actionStatus = pgEnum('action_status', actionStatusSchema.options as [ActionStatus, ...ActionStatus[]]);

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: 'date' });

/** Agents: non-human callers, each with a human owner. */
export const agents = pgTable('agents', {
  id: text('id').primaryKey(),
  owner: text('owner').notNull(),
  labels: jsonb('labels').$type<string[]>().notNull(),
  createdAt: at('created_at').notNull(),
  revokedAt: at('revoked_at'),
});

/**
 * Agent API keys and reviewer tokens. The secret is shown once and kept only as its SHA-256 (secrets are 256-bit
 * random, so a slow hash adds nothing); `id` is the public part of the token and the lookup key.
 */
export const credentials = pgTable(
  'credentials',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['agent', 'reviewer'] }).notNull(),
    subject: text('subject').notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: at('created_at').notNull(),
    revokedAt: at('revoked_at'),
  },
  (t) => [index('credentials_subject_idx').on(t.kind, t.subject)],
);

/**
 * Actions. `document` is the whole stored action (core's `actionSchema`); the columns beside it are what queries
 * filter, order and lock on. `version` makes every transition a conditional update.
 */
export const actions = pgTable(
  'actions',
  {
    id: text('id').primaryKey(),
    agentId: text('agent_id').notNull(),
    status: actionStatus('status').notNull(),
    version: integer('version').notNull(),
    idempotencyKey: text('idempotency_key'),
    digest: text('digest').notNull(),
    document: jsonb('document').$type<Action>().notNull(),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
    /** While pending: the next timed event (expiry or an escalation); the sweeper claims rows by it. */
    dueAt: at('due_at'),
  },
  (t) => [
    uniqueIndex('actions_idempotency_idx').on(t.agentId, t.idempotencyKey),
    index('actions_due_idx').on(t.dueAt).where(sql`${t.status} = 'pending'`),
    index('actions_status_idx').on(t.status, t.id),
    index('actions_agent_idx').on(t.agentId, t.id),
  ],
);

/**
 * Grants: one per approved action. The token is never stored: Ed25519 signatures are deterministic, so the same
 * claims signed with the same key give the same token whenever the requesting agent asks again.
 */
export const grants = pgTable(
  'grants',
  {
    jti: text('jti').primaryKey(),
    actionId: text('action_id').notNull().unique(),
    agentId: text('agent_id').notNull(),
    kid: text('kid').notNull(),
    claims: jsonb('claims').$type<Record<string, unknown>>().notNull(),
    expiresAt: at('expires_at').notNull(),
    redeemedAt: at('redeemed_at'),
  },
  // which retired signing keys still have unexpired grants (they stay in the JWKS until none do)
  (t) => [index('grants_kid_expiry_idx').on(t.kid, t.expiresAt)],
);

/**
 * The audit log. Rows are inserted unchained (`seq`, `prev`, `hash` null) inside the transaction of the change
 * they record; the sequencer then chains committed rows in batches (see `audit/sequencer.ts`).
 */
export const auditEntries = pgTable(
  'audit_entries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    seq: bigint('seq', { mode: 'number' }).unique(),
    ts: at('ts').notNull(),
    type: text('type').notNull(),
    actionId: text('action_id'),
    actor: jsonb('actor').$type<{ kind: 'agent' | 'human' | 'system'; id: string; via: string }>().notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    prev: text('prev'),
    hash: text('hash'),
  },
  (t) => [index('audit_unchained_idx').on(t.id).where(sql`${t.seq} is null`), index('audit_action_idx').on(t.actionId)],
);

/**
 * The head of the audit chain: one row, locked by the sequencer while it chains a batch. `tree` holds the roots of
 * the perfect subtrees of the Merkle tree over entries 1..seq (hex, largest first), enough to extend it.
 */
export const auditHead = pgTable('audit_head', {
  id: integer('id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
  tree: jsonb('tree').$type<string[]>().notNull().default([]),
});

/** Signed checkpoints of the chain head and Merkle root (core's `Checkpoint`). */
export const auditCheckpoints = pgTable(
  'audit_checkpoints',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
    root: text('root').notNull(),
    ts: at('ts').notNull(),
    kid: text('kid').notNull(),
    sig: text('sig').notNull(),
  },
  (t) => [index('audit_checkpoints_seq_idx').on(t.seq)],
);

/**
 * Every perfect subtree of the audit log's Merkle tree (level 0: the leaves), as hex: what inclusion proofs and the
 * tree head at any size are assembled from, in O(log n) lookups. Derived from the entries; rebuilt if missing.
 */
export const auditTree = pgTable(
  'audit_tree',
  {
    level: smallint('level').notNull(),
    idx: bigint('idx', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.idx] })],
);

/** How far each witness sink has been handed the checkpoints (by checkpoint id), and its last failure. */
export const auditWitness = pgTable('audit_witness', {
  sink: text('sink').primaryKey(),
  checkpointId: bigint('checkpoint_id', { mode: 'number' }).notNull().default(0),
  deliveredAt: at('delivered_at'),
  lastError: text('last_error'),
});

/** Delivery states of a notification: waiting (or being sent), delivered, or given up on (dead letter). */
export const outboxStatuses = ['pending', 'delivered', 'dead'] as const;
export type OutboxStatus = (typeof outboxStatuses)[number];

/**
 * Notifications to deliver to channels, written in the transaction of the change they announce. `payload` holds
 * the event and the action as it was then. Workers claim due rows with `FOR UPDATE SKIP LOCKED` and a lease
 * (`lease_until`); `in_doubt` says a send may have reached the receiver without its result being recorded (the
 * worker died or the receiver timed out), so the next attempt checks before sending again.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    actionId: text('action_id').notNull(),
    target: text('target').notNull(),
    event: text('event').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: outboxStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at').notNull(),
    leaseUntil: at('lease_until'),
    inDoubt: boolean('in_doubt').notNull().default(false),
    lastError: text('last_error'),
    deliveredAt: at('delivered_at'),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    index('outbox_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('outbox_action_idx').on(t.actionId, t.target, t.id),
    index('outbox_status_idx').on(t.status, t.id),
  ],
);

/**
 * The message each channel target holds for an action (Slack channel and ts, Teams conversation and activity id):
 * what later notifications update and reply to.
 */
export const channelMessages = pgTable(
  'channel_messages',
  {
    actionId: text('action_id').notNull(),
    target: text('target').notNull(),
    ref: jsonb('ref').$type<Record<string, string>>().notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.actionId, t.target] })],
);

/** Chat identities linked to reviewers: a Slack user id or a Teams user (AAD object id) → reviewer id. */
export const reviewerLinks = pgTable(
  'reviewer_links',
  {
    channel: text('channel', { enum: ['slack', 'teams'] }).notNull(),
    externalId: text('external_id').notNull(),
    reviewer: text('reviewer').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.channel, t.externalId] }), index('reviewer_links_reviewer_idx').on(t.reviewer)],
);

/** Inbound channel requests already handled (by a key derived from each), so a retry or replay acts once. */
export const channelReceipts = pgTable(
  'channel_receipts',
  {
    key: text('key').primaryKey(),
    receivedAt: at('received_at').notNull(),
  },
  (t) => [index('channel_receipts_received_idx').on(t.receivedAt)],
);
