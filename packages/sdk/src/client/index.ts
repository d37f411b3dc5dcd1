import type { Outcome, ReviewInput, SubmittedActionInput } from '@countersign/core';
import { type ApiIssue, CountersignApiError, CountersignConnectionError, describeCause } from '../errors/index.js';
import { parseEventStream } from './event-stream.js';
import type {
  ActionPage,
  ActionWithGrant,
  AgentKey,
  AgentSummary,
  AuditPage,
  AuditQuery,
  GetActionOptions,
  InclusionProof,
  ListActionsQuery,
  NewAgent,
  OutboxNotification,
  OutboxPage,
  OutboxQuery,
  PolicySummary,
  RedeemedGrant,
  ReviewerLink,
  ReviewerLinks,
  ReviewerToken,
  ReviewOptions,
  RevokedAgentKeys,
  RevokedReviewerTokens,
  RotatedSigningKey,
  ServerVerifyReport,
  SubmitOptions,
  SubmitResult,
  WaitOptions,
  WatchOptions,
} from './types.js';

export { parseEventStream, type ServerSentEvent } from './event-stream.js';
export type * from './types.js';

export interface CountersignClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8080` (a path prefix is kept). */
  url: string;
  /** An agent API key (`csk_…`), a reviewer token (`csr_…`) or the admin token; sent as a Bearer token. */
  token?: string;
  /** A `fetch` to use instead of the global one (tests, proxies, instrumentation). */
  fetch?: typeof fetch;
  userAgent?: string;
  /** Where requests come from (`cli`, `console`, …): sent as `X-Countersign-Via`, recorded in the audit trail. */
  via?: string;
}

type Query = Record<string, string | number | boolean | undefined>;

interface RequestOptions {
  body?: unknown;
  query?: Query;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** The `Accept` header (default: JSON and problem+JSON). */
  accept?: string;
}

/** The longest long-poll the API accepts, in seconds. */
const maxWaitSeconds = 60;
const maxConsecutiveRetries = 5;
/** The server sends a keep-alive comment every 15 s: a stream silent three times that long is dead. */
const defaultIdleTimeoutMs = 45_000;
/** Streams in a row that fail or end before their first event, after which a wait long-polls for good. */
const maxSilentStreams = 3;

/**
 * A client for the Countersign HTTP API: submit an action, wait for its decision, review, report the outcome,
 * and administer keys and tokens. Errors are {@link CountersignApiError} (with a stable `code`) or
 * {@link CountersignConnectionError} when the server cannot be reached.
 *
 * @example
 * ```ts
 * const countersign = new CountersignClient({ url: process.env.COUNTERSIGN_URL!, token: process.env.COUNTERSIGN_TOKEN! });
 * const { action } = await countersign.submit(
 *   { action: 'data.export', resource: { type: 'dataset', id: 'customers' }, environment: 'production' },
 *   { idempotencyKey: 'nightly-export-2026-01-31' },
 * );
 * const decided = await countersign.waitForDecision(action.id, { timeoutMs: 30 * 60_000 });
 * if (decided.status === 'approved') {
 *   const ok = await runExport(decided.grant?.token);
 *   await countersign.reportOutcome(decided.id, { status: ok ? 'succeeded' : 'failed' });
 * }
 * ```
 */
export class CountersignClient {
  readonly url: string;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #userAgent: string;
  readonly #via: string | undefined;

  constructor(options: CountersignClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new TypeError(`"${options.url}" is not a server URL; expected something like http://127.0.0.1:8080`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new TypeError(`"${options.url}" is not an http(s) URL`);
    }
    this.url = parsed.href.replace(/\/+$/, '');
    this.#token = options.token;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#userAgent = options.userAgent ?? 'countersign-sdk/0.1.0';
    this.#via = options.via;
  }

  /**
   * Submits an action for a decision (`POST /v1/actions`, as an agent). Policy may allow it at once (status
   * `approved`, with a grant), deny it (`denied`) or require approval (`pending`).
   */
  async submit(action: SubmittedActionInput, options: SubmitOptions = {}): Promise<SubmitResult> {
    const headers: Record<string, string> = {};
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
    const { status, body } = await this.#request<ActionWithGrant>('POST', '/v1/actions', {
      body: action,
      headers,
      signal: options.signal,
    });
    return { action: body, replayed: status === 200 };
  }

  /** Reads an action (`GET /v1/actions/{id}`); with `waitSeconds`, long-polls while it is pending. */
  async getAction(id: string, options: GetActionOptions = {}): Promise<ActionWithGrant> {
    const wait = options.waitSeconds === undefined || options.waitSeconds <= 0 ? undefined : options.waitSeconds;
    const { body } = await this.#request<ActionWithGrant>('GET', `/v1/actions/${segment(id)}`, {
      query: { wait },
      signal: options.signal,
    });
    return body;
  }

  /**
   * Follows an action as it changes (`GET /v1/actions/{id}/events`, Server-Sent Events): yields the action now,
   * then again after every change (each approval, the decision, the outcome), and ends when the server ends the
   * stream — normally once the action is terminal (`approved` is not: the stream goes on to `succeeded` or
   * `failed`). Break out of the loop, or abort `signal`, to stop watching; the connection is then closed.
   *
   * One connection, never re-opened: if the server ends the stream early (it is restarting) the last action
   * yielded is not terminal; if it breaks off, or sends nothing, not even its 15-second keep-alive, for
   * `idleTimeoutMs`, the iterator throws {@link CountersignConnectionError}. {@link waitForDecision} recovers
   * from both. A server without the route answers 404 (`not_found`), a non-stream answer throws
   * `unexpected_response`.
   *
   * @example
   * ```ts
   * for await (const action of countersign.watchAction(id, { signal })) console.log(action.status);
   * ```
   */
  async *watchAction(id: string, options: WatchOptions = {}): AsyncGenerator<ActionWithGrant, void, undefined> {
    const { signal } = options;
    const idleTimeoutMs = options.idleTimeoutMs ?? defaultIdleTimeoutMs;
    const connection = new AbortController();
    const { response, url } = await this.#open('GET', `/v1/actions/${segment(id)}/events`, {
      signal: anySignal(signal, connection.signal),
      accept: 'text/event-stream',
    });
    let idle: ReturnType<typeof setTimeout> | undefined;
    let silent = false;
    const heard = () => {
      clearTimeout(idle);
      if (idleTimeoutMs <= 0 || !Number.isFinite(idleTimeoutMs)) return;
      idle = setTimeout(() => {
        silent = true;
        connection.abort(new Error(`no data for ${idleTimeoutMs} ms`));
      }, idleTimeoutMs);
    };
    try {
      const type = response.headers.get('content-type') ?? '';
      if (!/^text\/event-stream\b/i.test(type) || !response.body) {
        throw new CountersignApiError({
          status: response.status,
          code: 'unexpected_response',
          detail: `GET ${url} answered HTTP ${response.status} with ${type === '' ? 'no content type' : type}, not an event stream; is ${this.url} a Countersign server?`,
        });
      }
      heard();
      for await (const event of parseEventStream(chunksOf(response.body, heard))) {
        if (event.event !== 'action') continue;
        let action: ActionWithGrant;
        try {
          action = JSON.parse(event.data) as ActionWithGrant;
        } catch {
          throw new CountersignApiError({
            status: response.status,
            code: 'unexpected_response',
            detail: `GET ${url} sent an action event whose data is not JSON`,
          });
        }
        yield action;
      }
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof CountersignApiError) throw error;
      if (silent) {
        throw new CountersignConnectionError(
          this.url,
          error,
          `the event stream of ${id} from ${this.url} sent nothing for ${idleTimeoutMs >= 1000 ? `${Math.round(idleTimeoutMs / 1000)} s` : `${idleTimeoutMs} ms`}, not even a keep-alive; the connection seems dead`,
        );
      }
      throw new CountersignConnectionError(
        this.url,
        error,
        `the event stream of ${id} from ${this.url} broke off (${describeCause(error)})`,
      );
    } finally {
      clearTimeout(idle);
      connection.abort();
    }
  }

  /**
   * Waits until the action leaves `pending` (approved, denied, rejected, expired, cancelled). Resolves with the
   * action; if `timeoutMs` elapses first, with the action still `pending`.
   *
   * It follows the action's event stream ({@link watchAction}), so `onProgress` hears of each approval as it is
   * given. If the stream breaks off or the server ends it early, it long-polls (`?wait=N`, at most
   * `pollSeconds`) until the stream can be opened again; against a server without the stream (or with
   * `stream: false`) it long-polls throughout. Brief outages (server restarting, 502/503/504, rate limiting) are
   * retried with backoff.
   */
  async waitForDecision(id: string, options: WaitOptions = {}): Promise<ActionWithGrant> {
    const { onProgress, signal } = options;
    const pollSeconds = Math.max(1, Math.min(maxWaitSeconds, Math.floor(options.pollSeconds ?? maxWaitSeconds)));
    const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
    /**
     * `stream`: follow the event stream. `bridge`: it failed or ended early, so long-poll once, then stream again.
     * `poll`: the server has no stream (or it keeps failing): long-poll throughout.
     */
    let mode: 'stream' | 'bridge' | 'poll' = options.stream === false ? 'poll' : 'stream';
    let action: ActionWithGrant | undefined;
    let failures = 0;
    let silentStreams = 0;
    /** Set when onProgress threw: its error ends the wait as it is, not taken for a failure of the stream. */
    let callbackFailure: { error: unknown } | undefined;
    const progress = (latest: ActionWithGrant) => {
      try {
        onProgress?.(latest);
      } catch (error) {
        callbackFailure = { error };
        throw error;
      }
    };
    while (action === undefined || action.status === 'pending') {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const timeout = Number.isFinite(remaining) ? AbortSignal.timeout(remaining) : undefined;
      const waiting = anySignal(signal, timeout);
      let events = 0;
      try {
        if (mode === 'stream') {
          for await (const latest of this.watchAction(id, { signal: waiting, idleTimeoutMs: options.idleTimeoutMs })) {
            events += 1;
            failures = 0;
            silentStreams = 0;
            action = latest;
            progress(latest);
            if (latest.status !== 'pending') return latest;
          }
          // The server ended the stream while the action is pending (say it is shutting down): bridge with a poll.
          if (events === 0) silentStreams += 1;
          mode = silentStreams >= maxSilentStreams ? 'poll' : 'bridge';
          continue;
        }
        const waitSeconds = action === undefined ? undefined : Math.min(pollSeconds, Math.ceil(remaining / 1000));
        const latest = await this.getAction(id, { waitSeconds, signal: waiting });
        failures = 0;
        action = latest;
        progress(latest);
        if (mode === 'bridge') mode = 'stream';
      } catch (error) {
        if (callbackFailure) throw callbackFailure.error;
        if (signal?.aborted) throw signal.reason;
        if (timeout?.aborted) break;
        if (mode === 'stream') {
          // Not a passing failure (404 from a server or proxy without the route, not an event stream, …):
          // long-poll from now on, which also reports a real refusal (an unknown action, a revoked key) itself.
          if (!isTransient(error)) {
            mode = 'poll';
            continue;
          }
          if (events === 0) silentStreams += 1;
          mode = silentStreams >= maxSilentStreams ? 'poll' : 'bridge';
        }
        failures += 1;
        if (!isTransient(error) || failures > maxConsecutiveRetries) throw error;
        const backoff = Math.min(15_000, (options.retryDelayMs ?? 1000) * 2 ** (failures - 1));
        const retryAfter = error instanceof CountersignApiError ? (error.retryAfterSeconds ?? 0) * 1000 : 0;
        await sleep(Math.min(Math.max(backoff, retryAfter), deadline - Date.now()), signal);
      }
    }
    return action ?? this.getAction(id, { signal });
  }

  /** One page of actions (`GET /v1/actions`): agents see their own, reviewers and admins all. */
  async listActions(query: ListActionsQuery = {}, options: { signal?: AbortSignal } = {}): Promise<ActionPage> {
    const { body } = await this.#request<ActionPage>('GET', '/v1/actions', {
      query: {
        status: query.status,
        reviewable: query.reviewable ? true : undefined,
        limit: query.limit,
        cursor: query.cursor,
      },
      signal: options.signal,
    });
    return body;
  }

  /** Approves or rejects a pending action, as a reviewer (`POST /v1/actions/{id}/reviews`). */
  async review(id: string, review: ReviewInput, options: ReviewOptions = {}): Promise<ActionWithGrant> {
    const headers: Record<string, string> = {};
    if (options.via !== undefined) headers['x-countersign-via'] = options.via;
    const { body } = await this.#request<ActionWithGrant>('POST', `/v1/actions/${segment(id)}/reviews`, {
      body: review,
      headers,
      signal: options.signal,
    });
    return body;
  }

  /** Withdraws a pending action, as the agent that requested it. */
  async cancel(id: string, options: { signal?: AbortSignal } = {}): Promise<ActionWithGrant> {
    const { body } = await this.#request<ActionWithGrant>('POST', `/v1/actions/${segment(id)}/cancel`, {
      body: {},
      signal: options.signal,
    });
    return body;
  }

  /** Reports how an approved action went (`succeeded` or `failed`, with an optional detail). */
  async reportOutcome(id: string, outcome: Outcome, options: { signal?: AbortSignal } = {}): Promise<ActionWithGrant> {
    const { body } = await this.#request<ActionWithGrant>('POST', `/v1/actions/${segment(id)}/outcome`, {
      body: outcome,
      signal: options.signal,
    });
    return body;
  }

  /**
   * Redeems a grant once, as an executor: returns the action it is bound to. Refusals are
   * {@link CountersignApiError}s to switch on by `code`: `grant_used` (409, already redeemed: a grant authorises
   * one execution), `grant_expired` (410) and `grant_invalid` (400: malformed, badly signed, wrong issuer or
   * audience, or never issued). Compare the returned `action.digest` with what you are about to run, or use
   * `redeemAndCheck`, which does.
   */
  async redeemGrant(token: string, options: { signal?: AbortSignal } = {}): Promise<RedeemedGrant> {
    const { body } = await this.#request<RedeemedGrant>('POST', '/v1/grants/redeem', {
      body: { token },
      signal: options.signal,
    });
    return body;
  }

  /** Admin: registers an agent and returns its first API key (shown once). */
  async createAgent(agent: NewAgent): Promise<AgentKey> {
    return (await this.#request<AgentKey>('POST', '/v1/agents', { body: agent })).body;
  }

  /** Admin: every agent, with how many live keys each has. */
  async listAgents(): Promise<{ items: AgentSummary[] }> {
    return (await this.#request<{ items: AgentSummary[] }>('GET', '/v1/agents')).body;
  }

  /** Admin: mints an additional key for an agent (rotation: switch callers over, then revoke the old keys). */
  async addAgentKey(agentId: string): Promise<AgentKey> {
    return (await this.#request<AgentKey>('POST', `/v1/agents/${segment(agentId)}/keys`, { body: {} })).body;
  }

  /** Admin: revokes every key of an agent. */
  async revokeAgentKeys(agentId: string): Promise<RevokedAgentKeys> {
    return (await this.#request<RevokedAgentKeys>('DELETE', `/v1/agents/${segment(agentId)}/keys`)).body;
  }

  /**
   * Admin: revokes one key of an agent (`DELETE /v1/agents/{id}/keys/{keyId}`), e.g. the old key after a
   * rotation. `key` is the key's id — the 16 hex digits right after `csk_` — or the whole `csk_…` key, whose id
   * is then taken from it here: the secret part is never sent. Fails `not_found` when the agent has no such live
   * key, `validation_failed` when the id is not 16 hex digits.
   */
  async revokeAgentKey(agentId: string, key: string): Promise<RevokedAgentKeys> {
    const keyId = key.startsWith(agentKeyPrefix) ? agentKeyId(key) : key;
    if (keyId === undefined) {
      // Not a well-formed key: say so without echoing it, and without sending any of it.
      throw new TypeError('that is not an agent key: expected csk_ followed by 16 hex digits, _ and the secret');
    }
    return (await this.#request<RevokedAgentKeys>('DELETE', `/v1/agents/${segment(agentId)}/keys/${segment(keyId)}`))
      .body;
  }

  /** Admin: mints a token for a reviewer named in the policy's groups (shown once). */
  async createReviewerToken(reviewerId: string): Promise<ReviewerToken> {
    return (await this.#request<ReviewerToken>('POST', `/v1/reviewers/${segment(reviewerId)}/tokens`, { body: {} }))
      .body;
  }

  /** Admin: revokes every token of a reviewer. */
  async revokeReviewerTokens(reviewerId: string): Promise<RevokedReviewerTokens> {
    return (await this.#request<RevokedReviewerTokens>('DELETE', `/v1/reviewers/${segment(reviewerId)}/tokens`)).body;
  }

  /**
   * Admin: links a Slack member id and/or a Teams user (Entra ID object id) to a reviewer, so their clicks in chat
   * count as that reviewer's reviews.
   */
  async linkReviewer(reviewerId: string, ids: { slack?: string; teams?: string }): Promise<ReviewerLinks> {
    return (await this.#request<ReviewerLinks>('POST', `/v1/reviewers/${segment(reviewerId)}/links`, { body: ids }))
      .body;
  }

  /** Admin: the chat users linked to a reviewer. */
  async reviewerLinks(reviewerId: string): Promise<ReviewerLinks> {
    return (await this.#request<ReviewerLinks>('GET', `/v1/reviewers/${segment(reviewerId)}/links`)).body;
  }

  /** Admin: removes a link between a chat user and a reviewer. */
  async unlinkReviewer(
    reviewerId: string,
    channel: ReviewerLink['channel'],
    externalId: string,
  ): Promise<{ reviewer: string; removed: boolean }> {
    return (
      await this.#request<{ reviewer: string; removed: boolean }>(
        'DELETE',
        `/v1/reviewers/${segment(reviewerId)}/links/${channel}/${segment(externalId)}`,
      )
    ).body;
  }

  /** Admin: notifications to channels, newest first (`status: 'dead'` lists the dead letters). */
  async listOutbox(query: OutboxQuery = {}): Promise<OutboxPage> {
    return (
      await this.#request<OutboxPage>('GET', '/v1/outbox', {
        query: { status: query.status, actionId: query.actionId, limit: query.limit, cursor: query.cursor },
      })
    ).body;
  }

  /** Admin: sends a dead-lettered notification again. */
  async retryNotification(id: number): Promise<OutboxNotification> {
    return (await this.#request<OutboxNotification>('POST', `/v1/outbox/${id}/retry`, { body: {} })).body;
  }

  /** Admin: the policy the server is enforcing. */
  async getPolicy(): Promise<PolicySummary> {
    return (await this.#request<PolicySummary>('GET', '/v1/policy')).body;
  }

  /** Admin: reloads the policy file; fails `policy_invalid` (and keeps the last good policy) if it is bad. */
  async reloadPolicy(): Promise<PolicySummary> {
    return (await this.#request<PolicySummary>('POST', '/v1/policy/reload', { body: {} })).body;
  }

  /** Admin: one page of the audit log, in `seq` order. */
  async listAudit(query: AuditQuery = {}): Promise<AuditPage> {
    return (
      await this.#request<AuditPage>('GET', '/v1/audit', {
        query: {
          after: query.after,
          limit: query.limit,
          type: query.types && query.types.length > 0 ? query.types.join(',') : undefined,
          actionId: query.actionId,
          actor: query.actor,
          since: query.since,
          until: query.until,
        },
      })
    ).body;
  }

  /**
   * Admin: the signed JSONL export of the audit log (or of the entries between `since` and `until`), as a stream
   * of bytes — write it to a file as it comes; a large log never has to fit in memory.
   */
  async exportAudit(
    range: { since?: string; until?: string } = {},
    signal?: AbortSignal,
  ): Promise<ReadableStream<Uint8Array>> {
    const { response } = await this.#open('GET', '/v1/audit/export', {
      query: { since: range.since, until: range.until },
      accept: 'application/jsonl, application/problem+json',
      ...(signal && { signal }),
    });
    if (!response.body) throw new CountersignConnectionError(this.url, new Error('the export came without a body'));
    return response.body;
  }

  /** Admin: the server verifies its live audit log (chain, Merkle roots, checkpoint signatures, witness file). */
  async verifyAudit(): Promise<ServerVerifyReport> {
    return (await this.#request<ServerVerifyReport>('GET', '/v1/audit/verify')).body;
  }

  /** Admin: an inclusion proof of entry `seq` against the newest checkpoint, or the one at tree size `size`. */
  async auditProof(seq: number, size?: number): Promise<InclusionProof> {
    return (await this.#request<InclusionProof>('GET', `/v1/audit/proof/${seq}`, { query: { size } })).body;
  }

  /** Every key that has signed checkpoints and exports on this server, retired ones included. */
  async auditKeys(): Promise<{ keys: Array<Record<string, unknown>> }> {
    return (
      await this.#request<{ keys: Array<Record<string, unknown>> }>('GET', '/.well-known/countersign-audit-keys.json')
    ).body;
  }

  /** Admin: rotates the server's signing key (grants, checkpoints, exports). */
  async rotateSigningKey(): Promise<RotatedSigningKey> {
    return (await this.#request<RotatedSigningKey>('POST', '/v1/keys/rotate', { body: {} })).body;
  }

  /** Sends a request; resolves with a successful response, throws the problem of an unsuccessful one. */
  async #open(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<{ response: Response; url: string }> {
    const url = this.url + path + queryString(options.query);
    const headers: Record<string, string> = {
      accept: options.accept ?? 'application/json, application/problem+json',
      'user-agent': this.#userAgent,
      ...(this.#via !== undefined && { 'x-countersign-via': this.#via }),
      ...options.headers,
    };
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await this.#fetch(url, { method, headers, body, signal: options.signal ?? null });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw new CountersignConnectionError(this.url, error);
    }
    if (!response.ok) throw problemFrom(response, await this.#text(response, options.signal), `${method} ${url}`);
    return { response, url };
  }

  async #text(response: Response, signal: AbortSignal | undefined): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new CountersignConnectionError(this.url, error);
    }
  }

  async #request<T>(method: string, path: string, options: RequestOptions = {}): Promise<{ status: number; body: T }> {
    const { response, url } = await this.#open(method, path, options);
    const text = await this.#text(response, options.signal);
    if (text === '') return { status: response.status, body: undefined as T };
    try {
      return { status: response.status, body: JSON.parse(text) as T };
    } catch {
      throw new CountersignApiError({
        status: response.status,
        code: 'unexpected_response',
        detail: `${method} ${url} answered HTTP ${response.status} with a body that is not JSON; is ${this.url} a Countersign server?`,
      });
    }
  }
}

const agentKeyPrefix = 'csk_';

/**
 * The public id of an agent key: the 16 hex digits right after `csk_` (what `revokeAgentKey` and the audit log
 * name a key by). Undefined when `key` is not an agent key.
 */
export function agentKeyId(key: string): string | undefined {
  const match = /^csk_([0-9a-f]{16})_./.exec(key);
  return match?.[1];
}

/** Codes for error responses that are not RFC 9457 problems (a proxy's page, an unknown route). */
const codesByStatus: Record<number, string> = {
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  429: 'rate_limited',
  503: 'unavailable',
};

function problemFrom(response: Response, text: string, request: string): CountersignApiError {
  const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined;
  let problem: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) problem = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: described from the status below.
  }
  const string = (key: string) => (typeof problem[key] === 'string' ? (problem[key] as string) : undefined);
  const code = string('code') ?? codesByStatus[response.status] ?? 'unexpected_response';
  const detail =
    string('detail') ??
    string('title') ??
    string('message') ??
    `${request} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const issues = Array.isArray(problem.issues) ? (problem.issues as ApiIssue[]) : undefined;
  return new CountersignApiError({
    status: response.status,
    code,
    detail,
    issues,
    type: string('type'),
    title: string('title'),
    retryAfterSeconds,
  });
}

function isTransient(error: unknown): boolean {
  if (error instanceof CountersignConnectionError) return true;
  return (
    error instanceof CountersignApiError && (error.code === 'rate_limited' || [502, 503, 504].includes(error.status))
  );
}

function segment(id: string): string {
  if (id === '') throw new TypeError('an id must not be empty');
  return encodeURIComponent(id);
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  return present.length <= 1 ? present[0] : AbortSignal.any(present);
}

/** The chunks of a response body; `heard` is called as each arrives (the idle timer of an event stream). */
async function* chunksOf(body: ReadableStream<Uint8Array>, heard: () => void): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      heard();
      yield value;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}
