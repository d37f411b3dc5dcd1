import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Agent, CountersignError } from '@countersign/core';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { type AuditActor, appendAuditRecords } from '../audit/index.js';
import type { Database, Db } from '../store/database.js';
import { agents, credentials } from '../store/schema.js';

/**
 * Who is calling. Agents submit, cancel and report outcomes; reviewers review; the admin manages identities and
 * policy. An agent key can never review and a reviewer token can never submit: the kinds never overlap.
 */
export type Principal = { kind: 'admin' } | { kind: 'agent'; agent: Agent } | { kind: 'reviewer'; id: string };

const prefixes = { agent: 'csk_', reviewer: 'csr_' } as const;
type CredentialKind = keyof typeof prefixes;

/** Reviewer ids are email-like and compared without regard to case. */
export function normalizeReviewerId(id: string): string {
  return id.trim().toLowerCase();
}

/**
 * A new secret token: `csk_` (agent) or `csr_` (reviewer), a 16-hex-digit public id used to look it up, `_`, and
 * 256 random bits. Only the SHA-256 of the secret part is stored.
 */
function newToken(kind: CredentialKind): { id: string; token: string; secretHash: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `${prefixes[kind]}${id}_${secret}`, secretHash: sha256(secret) };
}

function parseToken(token: string): { kind: CredentialKind; id: string; secret: string } | undefined {
  const kind = token.startsWith(prefixes.agent)
    ? 'agent'
    : token.startsWith(prefixes.reviewer)
      ? 'reviewer'
      : undefined;
  if (!kind || token.length < 22 || token[20] !== '_') return undefined;
  const id = token.slice(4, 20);
  if (!/^[0-9a-f]{16}$/.test(id)) return undefined;
  return { kind, id, secret: token.slice(21) };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(sha256(a), 'hex');
  const right = Buffer.from(sha256(b), 'hex');
  return timingSafeEqual(left, right);
}

function prepareCredentialLookup(db: Db) {
  return db
    .select({
      kind: credentials.kind,
      subject: credentials.subject,
      secretHash: credentials.secretHash,
      owner: agents.owner,
      labels: agents.labels,
    })
    .from(credentials)
    .leftJoin(agents, and(eq(credentials.kind, 'agent'), eq(agents.id, credentials.subject), isNull(agents.revokedAt)))
    .where(and(eq(credentials.id, sql.placeholder('id')), isNull(credentials.revokedAt)))
    .limit(1)
    .prepare('countersign_authenticate');
}

const credentialLookups = new WeakMap<Db, ReturnType<typeof prepareCredentialLookup>>();

/**
 * The credential lookup, built once per database and sent as a named prepared statement: every request runs it,
 * and building the query with Drizzle and planning it in PostgreSQL cost more than running it.
 */
function credentialLookup(db: Db): ReturnType<typeof prepareCredentialLookup> {
  let lookup = credentialLookups.get(db);
  if (!lookup) {
    lookup = prepareCredentialLookup(db);
    credentialLookups.set(db, lookup);
  }
  return lookup;
}

/** The NOTIFY channel revocations are announced on, so every replica forgets the credentials it remembers. */
export const credentialChannel = 'countersign_credentials';

type CredentialRow = Awaited<ReturnType<ReturnType<typeof prepareCredentialLookup>['execute']>>[number];

export interface AuthenticatorOptions {
  /** How long a verified credential is remembered (a bound; revocations clear it at once). Default 60 s. */
  ttlMs?: number;
  /** How many are remembered at most. Default 10,000. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * Resolves bearer tokens to principals. Looking a credential up costs a database round trip on every request, so
 * verified credentials are remembered — but only while this process is sure to hear of revocations: every
 * revocation sends `NOTIFY countersign_credentials` in its transaction, every replica LISTENs and forgets everything
 * it remembers when one arrives, and while its LISTEN connection is down it remembers nothing and asks the database
 * every time (fail closed). The secret is checked against its stored hash on every request, remembered or not.
 */
export class Authenticator {
  readonly #db: Db;
  readonly #adminToken: string;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #remembered = new Map<string, { row: CredentialRow; until: number }>();
  #listening = false;
  /** Counts revocations heard, so a lookup that raced one is not remembered. */
  #epoch = 0;

  constructor(db: Db, adminToken: string, options: AuthenticatorOptions = {}) {
    this.#db = db;
    this.#adminToken = adminToken;
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Starts listening for revocations; only from then on are credentials remembered. */
  async listen(database: Database): Promise<void> {
    await database.listen(credentialChannel, {
      message: () => this.forget(),
      lost: () => {
        this.#listening = false;
        this.forget();
      },
      restored: () => {
        this.forget();
        this.#listening = true;
      },
    });
    this.#listening = true;
  }

  /** Forgets every remembered credential (after a revocation here or anywhere). */
  forget(): void {
    this.#remembered.clear();
    this.#epoch += 1;
  }

  /** The principal a bearer token stands for, or `undefined` when it is unknown, malformed or revoked. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const parsed = parseToken(token);
    if (!parsed) return sameSecret(token, this.#adminToken) ? { kind: 'admin' } : undefined;
    const row = await this.#lookup(parsed.id);
    if (!row || row.kind !== parsed.kind) return undefined;
    const presented = Buffer.from(sha256(parsed.secret), 'hex');
    const stored = Buffer.from(row.secretHash, 'hex');
    if (stored.length !== presented.length || !timingSafeEqual(presented, stored)) return undefined;
    if (row.kind === 'reviewer') return { kind: 'reviewer', id: row.subject };
    if (row.owner === null || row.labels === null) return undefined;
    return { kind: 'agent', agent: { id: row.subject, owner: row.owner, labels: row.labels } };
  }

  async #lookup(id: string): Promise<CredentialRow | undefined> {
    const now = this.#now();
    const remembered = this.#remembered.get(id);
    if (remembered && remembered.until > now && this.#listening) return remembered.row;
    // A revocation heard while the query runs must not be undone by remembering its (possibly older) answer.
    const epoch = this.#epoch;
    const [row] = await credentialLookup(this.#db).execute({ id });
    if (row && this.#listening && epoch === this.#epoch) {
      if (this.#remembered.size >= this.#maxEntries) {
        const oldest = this.#remembered.keys().next().value;
        if (oldest !== undefined) this.#remembered.delete(oldest);
      }
      this.#remembered.set(id, { row, until: now + this.#ttlMs });
    }
    return row;
  }
}

const adminActor: AuditActor = { kind: 'system', id: 'admin', via: 'api' };

export interface AgentSummary {
  id: string;
  owner: string;
  labels: string[];
  createdAt: string;
  /** Keys that still work. */
  keys: number;
}

/** Registers an agent and returns its first key (shown once). Refuses an id that exists with `conflict`. */
export async function createAgent(
  tx: Db,
  input: { id: string; owner: string; labels: string[] },
  now: Date,
): Promise<Agent & { key: string }> {
  const inserted = await tx
    .insert(agents)
    .values({ id: input.id, owner: input.owner, labels: input.labels, createdAt: now })
    .onConflictDoNothing()
    .returning({ id: agents.id });
  if (inserted.length === 0) {
    throw new CountersignError(
      'conflict',
      `an agent named ${input.id} exists already; choose another id or add a key to it`,
    );
  }
  const key = await insertCredential(tx, 'agent', input.id, now);
  await appendAuditRecords(tx, [
    {
      ts: now,
      type: 'agent.created',
      actor: adminActor,
      data: { agent: input.id, owner: input.owner, labels: input.labels },
    },
  ]);
  return { id: input.id, owner: input.owner, labels: input.labels, key };
}

/** Adds a key to an existing agent (rotation: add, switch the agent over, then revoke the old keys). */
export async function addAgentKey(tx: Db, agentId: string, now: Date): Promise<Agent & { key: string }> {
  const [agent] = await tx
    .select()
    .from(agents)
    .where(and(eq(agents.id, agentId), isNull(agents.revokedAt)));
  if (!agent) throw new CountersignError('not_found', `no agent named ${agentId}; create it with POST /v1/agents`);
  const key = await insertCredential(tx, 'agent', agentId, now);
  await appendAuditRecords(tx, [{ ts: now, type: 'agent.key_added', actor: adminActor, data: { agent: agentId } }]);
  return { id: agent.id, owner: agent.owner, labels: agent.labels, key };
}

/**
 * Revokes the keys of an agent — all of them, or only the one whose public id is `keyId` (the 16 hex digits after
 * `csk_`, which is how a rotation retires the old key) — and returns how many were still live.
 */
export async function revokeAgentKeys(tx: Db, agentId: string, now: Date, keyId?: string): Promise<number> {
  const [agent] = await tx.select({ id: agents.id }).from(agents).where(eq(agents.id, agentId));
  if (!agent) throw new CountersignError('not_found', `no agent named ${agentId}`);
  const revoked = await revokeCredentials(tx, 'agent', agentId, now, keyId);
  if (keyId !== undefined && revoked === 0) {
    throw new CountersignError('not_found', `agent ${agentId} has no live key ${keyId}`);
  }
  await appendAuditRecords(tx, [
    {
      ts: now,
      type: 'agent.keys_revoked',
      actor: adminActor,
      data: { agent: agentId, revoked, ...(keyId !== undefined && { keyId }) },
    },
  ]);
  return revoked;
}

/** The public id of an agent key or reviewer token (safe to log and to name in a revocation). */
export function credentialId(token: string): string | undefined {
  return parseToken(token)?.id;
}

export async function listAgents(db: Db): Promise<AgentSummary[]> {
  const rows = await db
    .select({
      id: agents.id,
      owner: agents.owner,
      labels: agents.labels,
      createdAt: agents.createdAt,
      keys: sql<number>`count(${credentials.id})::int`,
    })
    .from(agents)
    // A join, not a correlated subquery: Drizzle leaves the columns of a one-table select unqualified, so inside a
    // subquery over credentials an unqualified "id" would name the credential's id, not the agent's.
    .leftJoin(
      credentials,
      and(eq(credentials.kind, 'agent'), eq(credentials.subject, agents.id), isNull(credentials.revokedAt)),
    )
    .groupBy(agents.id)
    .orderBy(asc(agents.id));
  return rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString(), keys: Number(row.keys) }));
}

/** Issues a reviewer token (shown once). The caller checks the reviewer is named in the policy. */
export async function issueReviewerToken(tx: Db, reviewerId: string, now: Date): Promise<string> {
  const id = normalizeReviewerId(reviewerId);
  const token = await insertCredential(tx, 'reviewer', id, now);
  await appendAuditRecords(tx, [{ ts: now, type: 'reviewer.token_issued', actor: adminActor, data: { reviewer: id } }]);
  return token;
}

export async function revokeReviewerTokens(tx: Db, reviewerId: string, now: Date): Promise<number> {
  const id = normalizeReviewerId(reviewerId);
  const revoked = await revokeCredentials(tx, 'reviewer', id, now);
  await appendAuditRecords(tx, [
    { ts: now, type: 'reviewer.tokens_revoked', actor: adminActor, data: { reviewer: id, revoked } },
  ]);
  return revoked;
}

async function insertCredential(tx: Db, kind: CredentialKind, subject: string, now: Date): Promise<string> {
  const { id, token, secretHash } = newToken(kind);
  await tx.insert(credentials).values({ id, kind, subject, secretHash, createdAt: now });
  return token;
}

async function revokeCredentials(
  tx: Db,
  kind: CredentialKind,
  subject: string,
  now: Date,
  id?: string,
): Promise<number> {
  const revoked = await tx
    .update(credentials)
    .set({ revokedAt: now })
    .where(
      and(
        eq(credentials.kind, kind),
        eq(credentials.subject, subject),
        isNull(credentials.revokedAt),
        id === undefined ? undefined : eq(credentials.id, id),
      ),
    )
    .returning({ id: credentials.id });
  // Delivered to every replica when the transaction commits; each forgets the credentials it remembers.
  if (revoked.length > 0) await tx.execute(sql`select pg_notify(${credentialChannel}, ${subject})`);
  return revoked.length;
}

export {
  checkExternalId,
  type LinkChannel,
  linkChannels,
  linkedUsers,
  linkReviewer,
  linksOf,
  type ReviewerLink,
  reviewerFor,
  unlinkReviewer,
} from './links.js';
