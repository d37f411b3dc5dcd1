import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Action, actionSchema } from '@countersign/core';
import type { ActionWithGrant } from '@countersign/sdk';
import type { CliIO, WaitTiming } from '../io.js';
import { main } from '../main.js';

/**
 * Test support (not part of the build): a real HTTP server that implements just the routes a test gives it, by
 * the API contract, and records every request; fixtures; and a way to run the CLI in-process.
 */

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Answer with a Server-Sent Events stream instead of a body, as `GET /v1/actions/{id}/events` does: `events`
   * writes to it, and the stream ends when it resolves (one that never resolves leaves the stream open).
   */
  events?: (stream: EventStream) => void | Promise<void>;
}

/** The writing end of a fake event stream. */
export interface EventStream {
  /** `id: <updatedAt>`, `event: action`, `data: <the action as JSON>`, as the server sends after each change. */
  action(action: ActionWithGrant): void;
  /** A comment line, like the server's `: keep-alive`. */
  comment(text: string): void;
  /** Cuts the connection without ending the stream properly (a crash, a proxy timing out). */
  drop(): void;
}

/** Answers a request; `undefined` leaves it hanging (a long-poll nobody ends). */
export type Route = (
  request: SeenRequest,
  params: Record<string, string>,
) => Reply | undefined | Promise<Reply | undefined>;

export interface FakeApi {
  readonly url: string;
  readonly seen: SeenRequest[];
  /** The requests to one route pattern, e.g. `POST /v1/actions/:id/cancel`. */
  to(route: string): SeenRequest[];
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 for `routes` keyed `METHOD /path/:param`; anything else is 404 `not_found`. */
export async function fakeApi(routes: Record<string, Route>): Promise<FakeApi> {
  const seen: SeenRequest[] = [];
  const byRoute = new Map<string, SeenRequest[]>();
  const compiled = Object.entries(routes).map(([key, route]) => {
    const [method, pattern = ''] = key.split(' ');
    const names: string[] = [];
    const regex = new RegExp(
      `^${pattern.replace(/:(\w+)/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      })}$`,
    );
    return { key, method, regex, names, route };
  });
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://localhost');
    const entry: SeenRequest = {
      method: request.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body: text === '' ? undefined : JSON.parse(text),
    };
    seen.push(entry);
    for (const candidate of compiled) {
      const match = candidate.method === entry.method ? candidate.regex.exec(entry.path) : null;
      if (!match) continue;
      byRoute.set(candidate.key, [...(byRoute.get(candidate.key) ?? []), entry]);
      const params = Object.fromEntries(
        candidate.names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]),
      );
      const reply = await candidate.route(entry, params);
      if (reply?.events) await stream(response, reply.events);
      else if (reply) send(response, reply);
      return;
    }
    send(response, problem(404, 'not_found', `no route ${entry.method} ${entry.path}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    to: (route) => byRoute.get(route) ?? [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(response: ServerResponse, reply: Reply): void {
  const status = reply.status ?? 200;
  const isProblem = status >= 400;
  response
    .writeHead(status, {
      'content-type': isProblem ? 'application/problem+json' : 'application/json',
      ...reply.headers,
    })
    .end(reply.body === undefined ? '' : JSON.stringify(reply.body));
}

async function stream(response: ServerResponse, events: NonNullable<Reply['events']>): Promise<void> {
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  response.flushHeaders();
  await events({
    action: (action) => response.write(`id: ${action.updatedAt}\nevent: action\ndata: ${JSON.stringify(action)}\n\n`),
    comment: (text) => response.write(`: ${text}\n\n`),
    drop: () => response.socket?.destroy(),
  });
  response.end();
}

/** An RFC 9457 problem reply with Countersign's `code`. */
export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Reply {
  return {
    status,
    body: { type: `urn:countersign:error:${code}`, title: code, status, detail, code, ...extra },
  };
}

const at = '2026-01-31T09:00:00.000Z';
/** Half an hour after the tests started: fixtures compare equal within a run, and read "expires in 30m". */
const expiresAt = new Date(Date.now() + 1_800_000).toISOString();

/** A valid action (checked against core's schema): pending on a two-steward PII export. */
export function actionFixture(overrides: Partial<ActionWithGrant> = {}): ActionWithGrant {
  const { grant, ...rest } = overrides;
  const action: Action = actionSchema.parse({
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
      expiresAt,
    },
    reviews: [],
    createdAt: at,
    updatedAt: at,
    ...rest,
  });
  return grant ? { ...action, grant } : action;
}

/** The same action after two stewards approved it, with the grant the requesting agent gets. */
export function approvedFixture(overrides: Partial<ActionWithGrant> = {}): ActionWithGrant {
  const pending = actionFixture();
  return actionFixture({
    status: 'approved',
    approval: {
      ...pending.approval,
      requirements: pending.approval.requirements.map((requirement) => ({
        ...requirement,
        approvals: ['alice@example.com', 'bob@example.com'],
      })),
    },
    reviews: ['alice@example.com', 'bob@example.com'].map((reviewer) => ({
      reviewer,
      verdict: 'approve' as const,
      countedFor: ['pii-export'],
      via: 'slack',
      at,
    })),
    decidedAt: at,
    grant: { token: 'grant.jwt.token', expiresAt: '2026-01-31T09:10:00.000Z' },
    ...overrides,
  });
}

/** A URL nothing listens on. */
export async function deadUrl(): Promise<string> {
  const api = await fakeApi({});
  await api.close();
  return api.url;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `countersign ARGV` in-process and collects what it printed; `onStderr` sees stderr as it is written. */
export async function cli(
  argv: string[],
  options: {
    env?: Record<string, string | undefined>;
    isTTY?: boolean;
    stderrIsTTY?: boolean;
    timing?: Partial<WaitTiming>;
    onStderr?: (text: string) => void;
  } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
      options.onStderr?.(text);
    },
    isTTY: options.isTTY ?? false,
    stderrIsTTY: options.stderrIsTTY ?? false,
  };
  const code = await main(argv, io, {
    env: options.env ?? { PATH: process.env.PATH },
    timing: { pollSeconds: 60, redrawMs: 10, heartbeatMs: 30_000, ...options.timing },
  });
  return { code, stdout, stderr };
}
