import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Action, actionSchema } from '@countersign/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CountersignApiError, CountersignConnectionError } from '../errors/index.js';
import { agentKeyId, CountersignClient } from './index.js';

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

type Handler = (request: Seen, response: ServerResponse) => void | Promise<void>;

const servers: Server[] = [];
afterEach(async () => {
  // closeAllConnections: fetch keeps a spare connection open after an aborted stream, which close() would await.
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise((resolve) => {
          server.close(resolve);
          server.closeAllConnections();
        }),
    ),
  );
});

/** A real HTTP server implementing just the routes a test needs; records every request it sees. */
async function api(handler: Handler): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://localhost');
    const entry: Seen = {
      method: request.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body: text === '' ? undefined : JSON.parse(text),
    };
    seen.push(entry);
    await handler(entry, response);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen };
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function problem(response: ServerResponse, status: number, code: string, detail: string, extra = {}): void {
  response
    .writeHead(status, { 'content-type': 'application/problem+json' })
    .end(
      JSON.stringify({ type: `https://countersign.dev/errors/${code}`, title: code, status, detail, code, ...extra }),
    );
}

const now = '2026-01-31T09:00:00.000Z';

function action(overrides: Partial<Action> = {}): Action {
  return actionSchema.parse({
    id: 'act_1',
    status: 'pending',
    action: 'data.export',
    resource: { type: 'dataset', id: 'customers', labels: ['pii'] },
    environment: 'production',
    params: { rows: 250000 },
    context: {},
    requester: { agent: 'etl', owner: 'dave@example.com' },
    digest: `sha256:${'a'.repeat(64)}`,
    decision: {
      effect: 'require_approval',
      rules: ['pii-export'],
      reason: 'PII exports need two stewards',
      policyVersion: `sha256:${'b'.repeat(64)}`,
      requirements: [{ rule: 'pii-export', groups: ['data-stewards'], quorum: 2 }],
      timeoutMs: 1_800_000,
      grantTtlMs: 600_000,
      requireJustification: false,
      notify: [],
    },
    approval: {
      requirements: [{ rule: 'pii-export', groups: ['data-stewards'], quorum: 2, approvals: [], escalated: false }],
      expiresAt: '2026-01-31T09:30:00.000Z',
    },
    reviews: [],
    createdAt: now,
    updatedAt: now,
    ...overrides,
  });
}

function approvals(approvers: string[]): Action['approval'] {
  return {
    requirements: [
      { rule: 'pii-export', groups: ['data-stewards'], quorum: 2, approvals: approvers, escalated: false },
    ],
    expiresAt: '2026-01-31T09:30:00.000Z',
  };
}

/** A server from before `/events`: its routes as given, and a 404 problem for the stream. */
function withoutEvents(handler: Handler): Handler {
  return (request, response) =>
    request.path.endsWith('/events')
      ? problem(response, 404, 'not_found', `no route GET ${request.path}`)
      : handler(request, response);
}

/** The requests that were not for the stream. */
function polls(server: { seen: Seen[] }): Seen[] {
  return server.seen.filter((request) => !request.path.endsWith('/events'));
}

/** Starts an event stream as the server does, with helpers to send an action, a comment or raw text. */
function sse(response: ServerResponse) {
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  response.flushHeaders();
  return {
    action: (value: Action) =>
      response.write(`id: ${value.updatedAt}\nevent: action\ndata: ${JSON.stringify(value)}\n\n`),
    comment: (text: string) => response.write(`: ${text}\n\n`),
    raw: (text: string) => response.write(text),
    end: () => response.end(),
  };
}

/** Reads an iterator to its end, noting each action's status. */
async function drain(iterator: AsyncIterable<Action>, statuses: string[] = []): Promise<string[]> {
  for await (const value of iterator) statuses.push(value.status);
  return statuses;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await pause(5);
  }
}

const submitted = {
  action: 'data.export',
  resource: { type: 'dataset', id: 'customers', labels: ['pii'] },
  environment: 'production',
  params: { rows: 250000 },
};

describe('CountersignClient.submit', () => {
  it('POSTs the action with the bearer token and idempotency key, and reports a new action', async () => {
    const server = await api((_, response) => json(response, 201, action()));
    const client = new CountersignClient({ url: server.url, token: 'csk_agent' });
    const result = await client.submit(submitted, { idempotencyKey: 'nightly-1' });
    expect(result).toEqual({ action: action(), replayed: false });
    const [request] = server.seen;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/actions', body: submitted });
    expect(request?.headers).toMatchObject({
      authorization: 'Bearer csk_agent',
      'idempotency-key': 'nightly-1',
      'content-type': 'application/json',
      'user-agent': 'countersign-sdk/0.1.0',
    });
  });

  it('reports a replay when the server answers 200', async () => {
    const server = await api((_, response) => json(response, 200, action()));
    const result = await new CountersignClient({ url: server.url, token: 't' }).submit(submitted);
    expect(result.replayed).toBe(true);
    expect(server.seen[0]?.headers['idempotency-key']).toBeUndefined();
  });

  it('keeps a path prefix of the base URL', async () => {
    const server = await api((_, response) => json(response, 201, action()));
    await new CountersignClient({ url: `${server.url}/countersign/`, token: 't' }).submit(submitted);
    expect(server.seen[0]?.path).toBe('/countersign/v1/actions');
  });
});

describe('errors', () => {
  it('turns a problem+json body into a CountersignApiError with its code, detail and issues', async () => {
    const issues = [{ path: ['resource', 'id'], message: 'resource.id must not be empty' }];
    const server = await api((_, response) =>
      problem(response, 422, 'validation_failed', 'The action is not valid', { issues }),
    );
    const error = await new CountersignClient({ url: server.url, token: 't' }).submit(submitted).catch((e) => e);
    expect(error).toBeInstanceOf(CountersignApiError);
    expect(error).toMatchObject({
      status: 422,
      code: 'validation_failed',
      detail: 'The action is not valid',
      issues,
      title: 'validation_failed',
      message: 'The action is not valid [validation_failed]',
    });
  });

  it.each([
    [409, 'self_approval'],
    [403, 'not_eligible'],
    [409, 'already_reviewed'],
    [409, 'not_pending'],
    [401, 'unauthenticated'],
  ])('keeps the server code on HTTP %i %s', async (status, code) => {
    const server = await api((_, response) => problem(response, status, code, 'no'));
    const error = await new CountersignClient({ url: server.url, token: 't' })
      .review('act_1', { verdict: 'approve' })
      .catch((e) => e);
    expect(error).toMatchObject({ name: 'CountersignApiError', status, code });
  });

  it('derives a code from the status when the body is not a problem, and reads Retry-After', async () => {
    const server = await api((request, response) => {
      if (request.path === '/v1/agents') {
        response.writeHead(429, { 'retry-after': '7', 'content-type': 'text/plain' }).end('slow down');
        return;
      }
      response.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>');
    });
    const client = new CountersignClient({ url: server.url, token: 't' });
    expect(await client.listAgents().catch((e) => e)).toMatchObject({
      code: 'rate_limited',
      status: 429,
      retryAfterSeconds: 7,
    });
    const gateway = await client.getPolicy().catch((e) => e);
    expect(gateway).toMatchObject({ code: 'unexpected_response', status: 502 });
    expect(gateway.detail).toMatch(/GET .*\/v1\/policy answered HTTP 502/);
  });

  it('says the server could not be reached, naming the URL and `countersign serve`', async () => {
    const server = await api(() => undefined);
    const url = server.url;
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    const error = await new CountersignClient({ url, token: 't' }).getAction('act_1').catch((e) => e);
    expect(error).toBeInstanceOf(CountersignConnectionError);
    expect(error.code).toBe('unreachable');
    expect(error.message).toContain(`could not reach the Countersign server at ${url} (ECONNREFUSED)`);
    expect(error.message).toContain('countersign serve');
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => new CountersignClient({ url: 'localhost:8080', token: 't' })).toThrow(/not an http\(s\) URL/);
    expect(() => new CountersignClient({ url: 'nope', token: 't' })).toThrow(/not a server URL/);
  });
});

describe('reading and waiting', () => {
  it('long-polls with ?wait=N and encodes the id', async () => {
    const server = await api((_, response) => json(response, 200, action()));
    await new CountersignClient({ url: server.url, token: 'csr_x' }).getAction('act/1', { waitSeconds: 30 });
    expect(server.seen[0]).toMatchObject({ method: 'GET', path: '/v1/actions/act%2F1' });
    expect(server.seen[0]?.query.get('wait')).toBe('30');
  });

  it('waitForDecision long-polls until the action leaves pending against a server without /events', async () => {
    const states = [
      action(),
      action(),
      action({
        status: 'approved',
        approval: {
          requirements: [
            {
              rule: 'pii-export',
              groups: ['data-stewards'],
              quorum: 2,
              approvals: ['alice@example.com', 'bob@example.com'],
              escalated: false,
            },
          ],
          expiresAt: '2026-01-31T09:30:00.000Z',
        },
      }),
    ];
    const server = await api(
      withoutEvents((_, response) =>
        json(response, 200, { ...(states.shift() ?? action()), grant: { token: 'g', expiresAt: now } }),
      ),
    );
    const seen: string[] = [];
    const decided = await new CountersignClient({ url: server.url, token: 't' }).waitForDecision('act_1', {
      onProgress: (a) => seen.push(a.status),
    });
    expect(decided.status).toBe('approved');
    expect(decided.grant).toEqual({ token: 'g', expiresAt: now });
    expect(seen).toEqual(['pending', 'pending', 'approved']);
    // It tried the stream once (404: an older server), then long-polled.
    expect(server.seen.map((r) => r.path)).toEqual([
      '/v1/actions/act_1/events',
      '/v1/actions/act_1',
      '/v1/actions/act_1',
      '/v1/actions/act_1',
    ]);
    expect(polls(server).map((r) => r.query.get('wait'))).toEqual([null, '60', '60']);
  });

  it('with stream: false, only long-polls', async () => {
    const server = await api((request, response) =>
      json(response, 200, action({ status: request.query.has('wait') ? 'approved' : 'pending' })),
    );
    const decided = await new CountersignClient({ url: server.url, token: 't' }).waitForDecision('act_1', {
      stream: false,
    });
    expect(decided.status).toBe('approved');
    expect(server.seen.map((r) => `${r.path}?${r.query}`)).toEqual(['/v1/actions/act_1?', '/v1/actions/act_1?wait=60']);
  });

  it('caps each long-poll by pollSeconds and by the time left', async () => {
    const server = await api(
      withoutEvents((request, response) =>
        json(response, 200, action({ status: request.query.has('wait') ? 'rejected' : 'pending' })),
      ),
    );
    const client = new CountersignClient({ url: server.url, token: 't' });
    await client.waitForDecision('act_1', { pollSeconds: 5 });
    await client.waitForDecision('act_1', { timeoutMs: 2500 });
    expect(polls(server).map((r) => r.query.get('wait'))).toEqual([null, '5', null, '3']);
  });

  it('resolves with the still-pending action when timeoutMs elapses mid-poll', async () => {
    const server = await api(
      withoutEvents((request, response) => {
        if (!request.query.has('wait')) return json(response, 200, action());
        setTimeout(() => json(response, 200, action({ status: 'approved' })), 2000).unref();
      }),
    );
    const started = Date.now();
    const result = await new CountersignClient({ url: server.url, token: 't' }).waitForDecision('act_1', {
      timeoutMs: 50,
    });
    expect(result.status).toBe('pending');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects with the abort reason when the caller aborts', async () => {
    const server = await api(
      withoutEvents((request, response) => {
        if (!request.query.has('wait')) return json(response, 200, action());
        // Never answers: only the abort ends the wait.
      }),
    );
    const controller = new AbortController();
    const waiting = new CountersignClient({ url: server.url, token: 't' }).waitForDecision('act_1', {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('interrupted')), 30);
    await expect(waiting).rejects.toThrow('interrupted');
  });

  it('retries a wait through a brief outage (503), then fails after too many in a row', async () => {
    let calls = 0;
    const flaky = await api(
      withoutEvents((_, response) => {
        calls += 1;
        if (calls === 2) return problem(response, 503, 'unavailable', 'restarting');
        json(response, 200, action({ status: calls >= 3 ? 'approved' : 'pending' }));
      }),
    );
    const client = new CountersignClient({ url: flaky.url, token: 't' });
    expect((await client.waitForDecision('act_1', { retryDelayMs: 1 })).status).toBe('approved');

    const down = await api(
      withoutEvents((request, response) =>
        request.query.has('wait') ? problem(response, 503, 'unavailable', 'down') : json(response, 200, action()),
      ),
    );
    const error = await new CountersignClient({ url: down.url, token: 't' })
      .waitForDecision('act_1', { retryDelayMs: 1 })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'unavailable' });
    expect(polls(down)).toHaveLength(1 + 6);
  });

  it('does not retry a refusal', async () => {
    const server = await api(
      withoutEvents((request, response) =>
        request.query.has('wait') ? problem(response, 404, 'not_found', 'gone') : json(response, 200, action()),
      ),
    );
    const error = await new CountersignClient({ url: server.url, token: 't' })
      .waitForDecision('act_1', { retryDelayMs: 1 })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'not_found' });
    expect(polls(server)).toHaveLength(2);
  });

  it('reports the refusal of the stream itself (401) through the long poll, which gets it too', async () => {
    const server = await api((_, response) => problem(response, 401, 'unauthenticated', 'revoked key'));
    const error = await new CountersignClient({ url: server.url, token: 't' })
      .waitForDecision('act_1', { retryDelayMs: 1 })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'unauthenticated', status: 401 });
    expect(server.seen.map((r) => r.path)).toEqual(['/v1/actions/act_1/events', '/v1/actions/act_1']);
  });
});

describe('watching an action (Server-Sent Events)', () => {
  const oneOfTwo = () => action({ approval: approvals(['alice@example.com']), updatedAt: '2026-01-31T09:01:00.000Z' });
  const approved = () =>
    action({
      status: 'approved',
      approval: approvals(['alice@example.com', 'bob@example.com']),
      updatedAt: '2026-01-31T09:02:00.000Z',
    });

  it('watchAction yields the action now and after every change, until the server ends the stream', async () => {
    const server = await api(async (request, response) => {
      const stream = sse(response);
      stream.comment('keep-alive');
      stream.action(action());
      await pause(5);
      // CRLF line ends and data split over two lines (the spec joins them with \n; JSON does not mind).
      const text = JSON.stringify(oneOfTwo(), null, 1).split('\n');
      const half = Math.floor(text.length / 2);
      stream.raw(
        `id: 2\r\nevent: action\r\ndata: ${text.slice(0, half).join(' ')}\r\ndata: ${text.slice(half).join(' ')}\r\n\r\n`,
      );
      stream.raw('event: ping\ndata: {}\n\n');
      stream.action(approved());
      stream.action(action({ status: 'succeeded' }));
      response.end();
      expect(request.headers.accept).toBe('text/event-stream');
    });
    const client = new CountersignClient({ url: server.url, token: 'csk_agent' });
    const statuses: string[] = [];
    for await (const watched of client.watchAction('act_1')) {
      statuses.push(`${watched.status} ${watched.approval.requirements[0]?.approvals.length}`);
    }
    expect(statuses).toEqual(['pending 0', 'pending 1', 'approved 2', 'succeeded 0']);
    expect(server.seen[0]).toMatchObject({ method: 'GET', path: '/v1/actions/act_1/events' });
    expect(server.seen[0]?.headers).toMatchObject({ authorization: 'Bearer csk_agent', accept: 'text/event-stream' });
  });

  it('closes the connection when the caller stops watching', async () => {
    let closed = false;
    const server = await api((request, response) => {
      response.on('close', () => {
        closed = true;
      });
      sse(response).action(action());
      expect(request.path).toBe('/v1/actions/act_1/events');
    });
    const client = new CountersignClient({ url: server.url, token: 't' });
    for await (const watched of client.watchAction('act_1')) {
      expect(watched.status).toBe('pending');
      break;
    }
    await until(() => closed);
  });

  it('throws the problem when the server refuses, and unexpected_response when the answer is not a stream', async () => {
    const server = await api((request, response) =>
      request.path === '/v1/actions/gone/events'
        ? problem(response, 404, 'not_found', 'no action gone')
        : json(response, 200, action()),
    );
    const client = new CountersignClient({ url: server.url, token: 't' });
    const refused = await drain(client.watchAction('gone')).catch((e) => e);
    expect(refused).toMatchObject({ name: 'CountersignApiError', status: 404, code: 'not_found' });
    const notAStream = await drain(client.watchAction('act_1')).catch((e) => e);
    expect(notAStream).toMatchObject({ code: 'unexpected_response', status: 200 });
    expect(notAStream.detail).toContain('application/json, not an event stream');
  });

  it('throws a connection error when the stream breaks off, or goes silent for idleTimeoutMs', async () => {
    const seen: string[] = [];
    const server = await api(async (request, response) => {
      const stream = sse(response);
      stream.action(action());
      if (request.path !== '/v1/actions/cut/events') return; // silence, not even a keep-alive
      await until(() => seen.length === 1);
      response.socket?.destroy();
    });
    const client = new CountersignClient({ url: server.url, token: 't' });
    const cut = await drain(client.watchAction('cut'), seen).catch((e) => e);
    expect(seen).toEqual(['pending']);
    expect(cut).toBeInstanceOf(CountersignConnectionError);
    expect(cut.message).toMatch(/^the event stream of cut from http:\/\/127\.0\.0\.1:\d+ broke off/);
    const silent = await drain(client.watchAction('quiet', { idleTimeoutMs: 50 })).catch((e) => e);
    expect(silent).toBeInstanceOf(CountersignConnectionError);
    expect(silent.message).toContain('sent nothing for 50 ms, not even a keep-alive');
  });

  it('rejects with the abort reason when the caller aborts', async () => {
    const server = await api((_, response) => {
      sse(response).action(action());
    });
    const controller = new AbortController();
    const client = new CountersignClient({ url: server.url, token: 't' });
    const seen: string[] = [];
    const watching = drain(client.watchAction('act_1', { signal: controller.signal }), seen);
    await until(() => seen.length === 1);
    controller.abort(new Error('enough'));
    await expect(watching).rejects.toThrow('enough');
  });

  it('waitForDecision follows the stream: reports each approval as it arrives, and returns once decided', async () => {
    let release: () => void = () => undefined;
    const server = await api(async (_, response) => {
      const stream = sse(response);
      stream.action(action());
      stream.action(oneOfTwo());
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      // approved is not terminal: the stream stays open, and the wait must not wait for its end.
      stream.action(approved());
    });
    const seen: string[] = [];
    const waiting = new CountersignClient({ url: server.url, token: 't' }).waitForDecision('act_1', {
      onProgress: (a) => seen.push(`${a.status} ${a.approval.requirements[0]?.approvals.length}`),
    });
    // The approval that does not decide the action is reported at once, not when a long poll ends.
    await until(() => seen.length === 2);
    expect(seen).toEqual(['pending 0', 'pending 1']);
    release();
    expect((await waiting).status).toBe('approved');
    expect(seen).toEqual(['pending 0', 'pending 1', 'approved 2']);
    expect(server.seen.map((r) => r.path)).toEqual(['/v1/actions/act_1/events']);
  });

  it('waitForDecision bridges a dropped stream with a long poll, then streams again', async () => {
    let streams = 0;
    const seen: string[] = [];
    const server = await api(async (request, response) => {
      if (request.path.endsWith('/events')) {
        streams += 1;
        const stream = sse(response);
        if (streams === 1) {
          stream.action(action());
          await until(() => seen.length === 1);
          response.socket?.destroy();
        } else {
          stream.action(oneOfTwo());
          setTimeout(() => stream.action(approved()), 10);
        }
        return;
      }
      // The long poll times out with the action still pending.
      json(response, 200, oneOfTwo());
    });
    const decided = await new CountersignClient({ url: server.url, token: 't' }).waitForDecision('act_1', {
      retryDelayMs: 1,
      onProgress: (a) => seen.push(`${a.status} ${a.approval.requirements[0]?.approvals.length}`),
    });
    expect(decided.status).toBe('approved');
    expect(seen).toEqual(['pending 0', 'pending 1', 'pending 1', 'approved 2']);
    expect(server.seen.map((r) => `${r.path}?${r.query}`)).toEqual([
      '/v1/actions/act_1/events?',
      '/v1/actions/act_1?wait=60',
      '/v1/actions/act_1/events?',
    ]);
  });

  it('waitForDecision long-polls for good when streams keep ending before their first event', async () => {
    const server = await api((request, response) => {
      if (request.path.endsWith('/events')) return void sse(response).end();
      json(
        response,
        200,
        action({ status: request.query.has('wait') && server.seen.length > 6 ? 'approved' : 'pending' }),
      );
    });
    const decided = await new CountersignClient({ url: server.url, token: 't' }).waitForDecision('act_1', {
      retryDelayMs: 1,
    });
    expect(decided.status).toBe('approved');
    expect(server.seen.map((r) => `${r.path.endsWith('/events') ? 'stream' : 'poll'} ${r.query}`)).toEqual([
      'stream ',
      'poll ',
      'stream ',
      'poll wait=60',
      'stream ',
      'poll wait=60',
      'poll wait=60',
    ]);
  });

  it('waitForDecision honours timeoutMs and the abort signal while streaming', async () => {
    const server = await api((_, response) => {
      sse(response).action(action());
    });
    const client = new CountersignClient({ url: server.url, token: 't' });
    const started = Date.now();
    expect((await client.waitForDecision('act_1', { timeoutMs: 80 })).status).toBe('pending');
    expect(Date.now() - started).toBeLessThan(1000);

    const controller = new AbortController();
    const waiting = client.waitForDecision('act_1', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('interrupted')), 30);
    await expect(waiting).rejects.toThrow('interrupted');
    expect(server.seen.every((r) => r.path === '/v1/actions/act_1/events')).toBe(true);
  });

  it('waitForDecision lets an error of onProgress through rather than taking it for a broken stream', async () => {
    const server = await api((_, response) => {
      sse(response).action(action());
    });
    const error = await new CountersignClient({ url: server.url, token: 't' })
      .waitForDecision('act_1', {
        onProgress: () => {
          throw new Error('callback failed');
        },
      })
      .catch((e) => e);
    expect(error).toMatchObject({ message: 'callback failed' });
    expect(server.seen).toHaveLength(1);
  });
});

describe('the other routes', () => {
  it('sends each call to its route with its body', async () => {
    const server = await api((request, response) => {
      const bodies: Record<string, [number, unknown]> = {
        'GET /v1/actions': [200, { items: [action()], nextCursor: 'c2' }],
        'POST /v1/actions/act_1/reviews': [200, action({ status: 'rejected' })],
        'POST /v1/actions/act_1/cancel': [200, action({ status: 'cancelled' })],
        'POST /v1/actions/act_1/outcome': [200, action({ status: 'succeeded' })],
        'POST /v1/grants/redeem': [200, { action: action({ status: 'approved' }), redeemedAt: now }],
        'POST /v1/agents': [201, { id: 'etl', owner: 'dave@example.com', labels: [], key: 'csk_1' }],
        'GET /v1/agents': [
          200,
          { items: [{ id: 'etl', owner: 'dave@example.com', labels: [], createdAt: now, keys: 1 }] },
        ],
        'POST /v1/agents/etl/keys': [201, { id: 'etl', owner: 'dave@example.com', labels: [], key: 'csk_2' }],
        'DELETE /v1/agents/etl/keys': [200, { id: 'etl', revoked: 2 }],
        'POST /v1/reviewers/carol%40example.com/tokens': [
          201,
          { reviewer: 'carol@example.com', groups: ['security'], token: 'csr_1' },
        ],
        'DELETE /v1/reviewers/carol%40example.com/tokens': [200, { reviewer: 'carol@example.com', revoked: 1 }],
        'GET /v1/policy': [200, { version: 'sha256:x', file: 'policy.yaml', rules: 3, groups: 2, warnings: [] }],
        'POST /v1/policy/reload': [
          200,
          { version: 'sha256:y', file: 'policy.yaml', rules: 3, groups: 2, warnings: [] },
        ],
        'GET /v1/audit': [200, { items: [], nextAfter: 200 }],
      };
      const [status, body] = bodies[`${request.method} ${request.path}`] ?? [404, { code: 'not_found' }];
      json(response, status, body);
    });
    const client = new CountersignClient({ url: server.url, token: 'admin' });
    expect(await client.listActions({ status: 'pending', reviewable: true, limit: 10, cursor: 'c1' })).toMatchObject({
      nextCursor: 'c2',
    });
    expect((await client.review('act_1', { verdict: 'reject', comment: 'no' }, { via: 'cli' })).status).toBe(
      'rejected',
    );
    expect((await client.cancel('act_1')).status).toBe('cancelled');
    expect((await client.reportOutcome('act_1', { status: 'succeeded', detail: 'ok' })).status).toBe('succeeded');
    expect((await client.redeemGrant('g1')).redeemedAt).toBe(now);
    expect((await client.createAgent({ id: 'etl', owner: 'dave@example.com' })).key).toBe('csk_1');
    expect((await client.listAgents()).items[0]?.keys).toBe(1);
    expect((await client.addAgentKey('etl')).key).toBe('csk_2');
    expect(await client.revokeAgentKeys('etl')).toEqual({ id: 'etl', revoked: 2 });
    expect((await client.createReviewerToken('carol@example.com')).token).toBe('csr_1');
    expect((await client.revokeReviewerTokens('carol@example.com')).revoked).toBe(1);
    expect((await client.getPolicy()).version).toBe('sha256:x');
    expect((await client.reloadPolicy()).version).toBe('sha256:y');
    expect(await client.listAudit({ after: 100, limit: 100 })).toEqual({ items: [], nextAfter: 200 });

    const by = (method: string, path: string) => server.seen.find((r) => r.method === method && r.path === path);
    expect(Object.fromEntries(by('GET', '/v1/actions')?.query ?? [])).toEqual({
      status: 'pending',
      reviewable: 'true',
      limit: '10',
      cursor: 'c1',
    });
    const review = by('POST', '/v1/actions/act_1/reviews');
    expect(review?.body).toEqual({ verdict: 'reject', comment: 'no' });
    expect(review?.headers['x-countersign-via']).toBe('cli');
    expect(by('POST', '/v1/actions/act_1/outcome')?.body).toEqual({ status: 'succeeded', detail: 'ok' });
    expect(by('POST', '/v1/grants/redeem')?.body).toEqual({ token: 'g1' });
    expect(by('POST', '/v1/agents')?.body).toEqual({ id: 'etl', owner: 'dave@example.com' });
    expect(by('DELETE', '/v1/agents/etl/keys')?.headers['content-type']).toBeUndefined();
    expect(Object.fromEntries(by('GET', '/v1/audit')?.query ?? [])).toEqual({ after: '100', limit: '100' });
    expect(server.seen.every((r) => r.headers.authorization === 'Bearer admin')).toBe(true);
  });
});

describe('revoking one agent key', () => {
  const key = `csk_0123456789abcdef_${'s'.repeat(43)}`;

  it('agentKeyId is the 16 hex digits after csk_', () => {
    expect(agentKeyId(key)).toBe('0123456789abcdef');
    expect(agentKeyId('0123456789abcdef')).toBeUndefined();
    expect(agentKeyId('csr_0123456789abcdef_x')).toBeUndefined();
    expect(agentKeyId('csk_0123456789ABCDEF_x')).toBeUndefined();
  });

  it('DELETEs /v1/agents/{id}/keys/{keyId}, by id or by the whole key, never sending its secret', async () => {
    const server = await api((request, response) => {
      if (request.path === '/v1/agents/etl/keys/0123456789abcdef')
        return json(response, 200, { id: 'etl', revoked: 1 });
      if (request.path === '/v1/agents/etl/keys/not-hex') {
        return problem(response, 400, 'validation_failed', 'a key id is 16 hex digits', {
          issues: [{ path: ['params', 'keyId'], message: 'a key id is 16 hex digits' }],
        });
      }
      problem(response, 404, 'not_found', 'agent etl has no live key fedcba9876543210');
    });
    const client = new CountersignClient({ url: server.url, token: 'admin' });
    expect(await client.revokeAgentKey('etl', '0123456789abcdef')).toEqual({ id: 'etl', revoked: 1 });
    expect(await client.revokeAgentKey('etl', key)).toEqual({ id: 'etl', revoked: 1 });
    expect(await client.revokeAgentKey('etl', 'fedcba9876543210').catch((e) => e)).toMatchObject({
      status: 404,
      code: 'not_found',
    });
    expect(await client.revokeAgentKey('etl', 'not-hex').catch((e) => e)).toMatchObject({
      status: 400,
      code: 'validation_failed',
    });
    const malformed = await client.revokeAgentKey('etl', 'csk_secret-looking-thing').catch((e) => e);
    expect(malformed).toBeInstanceOf(TypeError);
    expect(malformed.message).not.toContain('secret-looking-thing');
    expect(server.seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'DELETE /v1/agents/etl/keys/0123456789abcdef',
      'DELETE /v1/agents/etl/keys/0123456789abcdef',
      'DELETE /v1/agents/etl/keys/fedcba9876543210',
      'DELETE /v1/agents/etl/keys/not-hex',
    ]);
    expect(JSON.stringify(server.seen)).not.toContain('s'.repeat(43));
  });
});
