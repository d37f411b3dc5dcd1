import type { Action, ActionStatus } from '@countersign/core';

/** A signed, short-lived, single-use token authorising exactly one approved action. */
export interface Grant {
  /** The grant JWT: pass it to the executor, which verifies it against the JWKS or redeems it once. */
  readonly token: string;
  readonly expiresAt: string;
}

/** An action as the API returns it: to the requesting agent, once approved, it carries its grant. */
export type ActionWithGrant = Action & { grant?: Grant };

export interface SubmitOptions {
  /**
   * Makes the submission safe to retry: the same agent submitting with the same key gets the existing action
   * back (`replayed: true`) instead of asking twice.
   */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface SubmitResult {
  action: ActionWithGrant;
  /** True when the idempotency key matched an earlier submission (HTTP 200 rather than 201). */
  replayed: boolean;
}

export interface GetActionOptions {
  /** Long-poll: hold the request up to this many seconds (1–60) while the action is pending. */
  waitSeconds?: number;
  signal?: AbortSignal;
}

export interface WatchOptions {
  /** Stops watching: the iterator throws the signal's reason and the connection is closed. */
  signal?: AbortSignal | undefined;
  /**
   * Give up on a stream that sends nothing, not even the keep-alive comment the server sends every 15 s, for
   * this long: it throws `CountersignConnectionError` (default 45 000 ms; 0 never gives up).
   */
  idleTimeoutMs?: number | undefined;
}

export interface WaitOptions {
  /** Give up after this long and resolve with the action, still `pending`. Default: wait as long as it takes. */
  timeoutMs?: number;
  /**
   * Called with the action as it is first read and each time the server sends it again: every event of the
   * stream (each approval as it is given), or every long-poll answer when polling.
   */
  onProgress?: (action: ActionWithGrant) => void;
  /** Stops waiting: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Follow the action's event stream (default true). False: long-poll only, which hears of approvals that do not
   * decide the action only when a poll ends (every `pollSeconds`).
   */
  stream?: boolean;
  /** The event stream's idle timeout (see {@link WatchOptions.idleTimeoutMs}). */
  idleTimeoutMs?: number;
  /**
   * Longest single long-poll, 1–60 seconds (default 60), when long-polling: against a server without the event
   * stream, or while the stream is down. Shorter polls report approvals sooner.
   */
  pollSeconds?: number;
  /**
   * First pause before retrying after the server was unreachable or answered 502/503/504/429 mid-wait
   * (default 1000 ms, doubling up to 15 s; five retries in a row at most).
   */
  retryDelayMs?: number;
}

export interface ListActionsQuery {
  status?: ActionStatus;
  /** Only the actions the calling reviewer may review now. */
  reviewable?: boolean;
  /** Page size. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface ActionPage {
  items: ActionWithGrant[];
  /** Present when there are more: pass it as `cursor` to get the next page. */
  nextCursor?: string;
}

export interface ReviewOptions {
  /** Where the review came from (`cli`, `console`, …); sent as `X-Countersign-Via` and kept in the review. */
  via?: string;
  signal?: AbortSignal;
}

export interface RedeemedGrant {
  /** The action the grant is bound to. */
  action: Action;
  redeemedAt: string;
}

export interface NewAgent {
  id: string;
  /** The human accountable for the agent (never allowed to approve its actions). */
  owner: string;
  labels?: string[];
}

/** An agent with a freshly minted API key. The key is shown only here, once. */
export interface AgentKey {
  id: string;
  owner: string;
  labels: string[];
  /** The API key (`csk_…`): the agent's `COUNTERSIGN_TOKEN`. */
  key: string;
}

export interface AgentSummary {
  id: string;
  owner: string;
  labels: string[];
  createdAt: string;
  revokedAt?: string;
  /** How many unrevoked keys the agent has. */
  keys: number;
}

export interface RevokedAgentKeys {
  id: string;
  /** How many keys were revoked. */
  revoked: number;
}

/** A freshly minted reviewer token (`csr_…`), shown only here, once. */
export interface ReviewerToken {
  reviewer: string;
  groups: string[];
  token: string;
}

export interface RevokedReviewerTokens {
  reviewer: string;
  revoked: number;
}

/** A chat user linked to a reviewer: their Slack member id or Teams user's Entra ID object id. */
export interface ReviewerLink {
  channel: 'slack' | 'teams';
  externalId: string;
  reviewer: string;
  createdAt: string;
}

export interface ReviewerLinks {
  reviewer: string;
  links: ReviewerLink[];
}

/** A notification to a channel, as the outbox holds it. */
export interface OutboxNotification {
  id: number;
  actionId: string;
  target: string;
  event: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

export interface OutboxQuery {
  status?: OutboxNotification['status'];
  actionId?: string;
  limit?: number;
  cursor?: number;
}

export interface OutboxPage {
  items: OutboxNotification[];
  nextCursor?: number;
}

/** The policy the server is enforcing. */
export interface PolicySummary {
  /** `sha256:` of the policy text. */
  version: string;
  file: string;
  /** How many rules it has. */
  rules: number;
  /** Each group and its members. */
  groups: Record<string, string[]>;
  /** Warnings as `file:line:column: message`. */
  warnings: string[];
}

export interface AuditQuery {
  /** Entries with a `seq` greater than this. */
  after?: number;
  limit?: number;
  /** Only these entry types (`action.approved`, …). */
  types?: readonly string[];
  actionId?: string;
  /** The actor's id: an agent, a reviewer, `sweeper`, `admin`, … */
  actor?: string;
  /** From this time on (ISO 8601, inclusive). */
  since?: string;
  /** Before this time (ISO 8601, exclusive). */
  until?: string;
}

/** One entry of the hash-chained audit log. */
export interface AuditEntry {
  seq: number;
  ts: string;
  type: string;
  actionId?: string;
  actor: { kind: 'agent' | 'human' | 'system'; id: string; via: string };
  data: Record<string, unknown>;
  prev: string;
  hash: string;
}

export interface AuditPage {
  items: AuditEntry[];
  /** Present when there are more: pass it as `after` to get the next page. */
  nextAfter?: number;
}

/** What `GET /v1/audit/verify` reports: core's verification report, timed. */
export interface ServerVerifyReport {
  ok: boolean;
  entries: number;
  checkpoints: number;
  firstSeq: number;
  lastSeq: number;
  head: { seq: number; hash: string; root: string | null };
  trust: 'pinned' | 'header';
  witness: { checkpoints: number; matched: number; outside: number };
  failure?: { seq: number | null; line?: number; reason: string };
  durationMs: number;
  entriesPerSecond: number;
}

/** A signed checkpoint of the audit log. */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  root: string;
  ts: string;
  kid: string;
  sig: string;
}

/** An RFC 9162 inclusion proof of one audit entry against a signed checkpoint. */
export interface InclusionProof {
  entry: AuditEntry;
  leafIndex: number;
  treeSize: number;
  leaf: string;
  /** Hex sibling hashes, the leaf's sibling first. */
  proof: string[];
  checkpoint: AuditCheckpoint;
}

export interface RotatedSigningKey {
  kid: string;
  previous: string;
  jwks: { keys: Array<Record<string, unknown>> };
}
