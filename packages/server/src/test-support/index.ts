import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Action, actionSchema } from '@countersign/core';
import pg from 'pg';
import type { Clock } from '../clock.js';
import { resolveServerConfig, type ServerConfigInput } from '../config/index.js';
import { type RunningServer, type StartOptions, startServer } from '../server.js';
import { openDatabase } from '../store/database.js';

/**
 * Test support (not part of the package build): a controllable clock, throw-away PostgreSQL databases, servers on
 * either store, and a small HTTP client. Used by the integration tests and the benchmarks.
 */

/** The PostgreSQL server tests use; its `test` database is only used to create and drop per-suite databases. */
export const postgresUrl = process.env.COUNTERSIGN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type StoreKind = 'pglite' | 'postgres';
export const storeKinds: readonly StoreKind[] = ['pglite', 'postgres'];

/** A clock that only moves when told to. */
export class TestClock implements Clock {
  #now: number;
  constructor(start: Date | string = '2026-11-22T09:00:00.000Z') {
    this.#now = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#now);
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

/**
 * Creates an empty database on the local PostgreSQL and returns its URL. Fails loudly when the server cannot be
 * reached: the PostgreSQL tests must run, never skip.
 */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cs_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `the PostgreSQL tests need a server at ${postgresUrl} (${(error as Error).message}). Start it with ` +
        '`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, or point COUNTERSIGN_TEST_DATABASE_URL at one.',
      { cause: error },
    );
  }
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A policy for tests: small, with every feature the lifecycle tests need. */
export const testPolicy = `version: 1
defaults:
  decision: require_approval
  approval: { approvers: [security], quorum: 1, timeout: 1h, grantTtl: 5m }
groups:
  stewards: [alice@example.com, bob@example.com, erin@example.com]
  security: [carol@example.com, frank@example.com]
  oncall: [grace@example.com, heidi@example.com, dave@example.com]
rules:
  - id: reads
    match: { action: data.read }
    decision: allow
    approval: { grantTtl: 2m }
  - id: pii-export
    match: { action: data.export }
    when: '"pii" in resource.labels'
    decision: require_approval
    approval:
      approvers: [stewards]
      quorum: 2
      timeout: 30m
      escalate: { after: 10m, to: [security] }
      grantTtl: 10m
      notify: ["webhook:siem"]
  - id: export
    match: { action: data.export }
    when: '!("pii" in resource.labels)'
    decision: require_approval
    approval: { approvers: [stewards], quorum: 1, timeout: 30m, grantTtl: 10m, requireJustification: true }
  - id: restart
    match: { action: service.restart }
    decision: require_approval
    approval: { approvers: [oncall], quorum: 1, timeout: 15m, escalate: { after: 5m, to: [security] } }
  - id: no-admin
    match: { action: "iam.*" }
    when: 'params.role == "admin"'
    decision: deny
    reason: Admin roles are never granted by automation
`;

export interface TestServer {
  server: RunningServer;
  url: string;
  adminToken: string;
  clock: TestClock | undefined;
  /** The PostgreSQL URL, for a second server process on the same data. */
  databaseUrl: string | undefined;
  dataDir: string;
  policyPath: string;
  /** Closes the server and removes its data. */
  cleanup(): Promise<void>;
}

export interface TestServerOptions extends Omit<StartOptions, 'clock'> {
  policy?: string;
  /** Use a {@link TestClock} (background timers are then off unless asked for). */
  clock?: TestClock;
  /** Share an existing PostgreSQL database instead of creating one. */
  databaseUrl?: string;
  /** More settings, as `serve` flags give them (witnesses, say). */
  settings?: Partial<Record<keyof ServerConfigInput, string | number>>;
  /** Settings as a config file gives them (nested: channels, outbox, masking), written to a file in the data dir. */
  config?: Partial<ServerConfigInput>;
}

/** Starts a server on a fresh store of the given kind, on a random port, with logs off. */
export async function startTestServer(store: StoreKind, options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'countersign-test-'));
  if (store === 'pglite') await seedPgliteDataDir(dataDir);
  const policyPath = join(dataDir, 'policy.yaml');
  await writeFile(policyPath, options.policy ?? testPolicy);
  const database = store === 'postgres' && !options.databaseUrl ? await createPostgresDatabase() : undefined;
  const databaseUrl = store === 'postgres' ? (options.databaseUrl ?? database?.url) : undefined;
  const configFile = options.config ? join(dataDir, 'countersign.json') : undefined;
  if (configFile) await writeFile(configFile, JSON.stringify(options.config));
  const config = await resolveServerConfig({
    file: configFile,
    flags: {
      policy: policyPath,
      dataDir,
      port: 0,
      adminToken: `admin-${randomBytes(16).toString('hex')}`,
      ...(databaseUrl && { databaseUrl }),
      ...options.settings,
    },
    env: {},
  });
  const server = await startServer(config, {
    logger: options.logger ?? false,
    background: options.background ?? options.clock === undefined,
    ...(options.clock && { clock: options.clock }),
  });
  return {
    server,
    url: server.url,
    adminToken: server.adminToken,
    clock: options.clock,
    databaseUrl,
    dataDir,
    policyPath,
    async cleanup() {
      await server.close();
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Gives a new PGlite data directory an initialised, migrated cluster copied from a template, so the server opens it
 * in about a second instead of running initdb (5–7 s). The template is built once and kept in the temp directory,
 * keyed by the migrations and the PGlite version, so every test file and every run after the first reuses it.
 */
export async function seedPgliteDataDir(dataDir: string): Promise<void> {
  await cp(await pgliteTemplate(), join(dataDir, 'pglite'), { recursive: true });
}

let template: Promise<string> | undefined;

function pgliteTemplate(): Promise<string> {
  template ??= (async () => {
    const migrations = fileURLToPath(new URL('../../drizzle', import.meta.url));
    const hash = createHash('sha256');
    const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    hash.update(await readFile(join(dirname(pglite), '..', 'package.json')));
    for (const file of (await readdir(migrations, { recursive: true })).sort()) {
      const path = join(migrations, file);
      if ((await stat(path)).isFile()) hash.update(file).update(await readFile(path));
    }
    const ready = join(tmpdir(), `countersign-pglite-template-${hash.digest('hex').slice(0, 16)}`);
    if (await stat(join(ready, 'pglite', 'PG_VERSION')).catch(() => undefined)) return join(ready, 'pglite');
    // Build it aside and rename it into place: test files starting at once race, and the first rename wins.
    const building = await mkdtemp(join(tmpdir(), 'countersign-pglite-building-'));
    const database = await openDatabase({ kind: 'pglite', dataDir: building });
    await database.close();
    await rename(building, ready).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      await rm(building, { recursive: true, force: true });
    });
    return join(ready, 'pglite');
  })();
  return template;
}

/** A parsed HTTP response. */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** A minimal JSON client for tests: `call('POST', '/v1/actions', token, body, headers)`. */
export async function call<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token && { authorization: `Bearer ${token}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON (metrics, event streams): the text itself.
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

/** Registers an agent and returns its key. */
export async function createAgent(
  test: Pick<TestServer, 'url' | 'adminToken'>,
  id: string,
  owner = `${id}-owner@example.com`,
): Promise<string> {
  const response = await call<{ key: string }>(test.url, 'POST', '/v1/agents', test.adminToken, { id, owner });
  if (response.status !== 201) throw new Error(`creating agent ${id} failed: ${JSON.stringify(response.body)}`);
  return response.body.key;
}

/** Issues a reviewer token. */
export async function reviewerToken(test: Pick<TestServer, 'url' | 'adminToken'>, reviewer: string): Promise<string> {
  const response = await call<{ token: string }>(
    test.url,
    'POST',
    `/v1/reviewers/${encodeURIComponent(reviewer)}/tokens`,
    test.adminToken,
  );
  if (response.status !== 201) throw new Error(`token for ${reviewer} failed: ${JSON.stringify(response.body)}`);
  return response.body.token;
}

/**
 * A stored action as unit tests of channels and masking start from: a PII export pending `quorum` stewards'
 * approvals under rule `pii-export`, notifying `webhook:siem`, with `fields` applied on top.
 */
export function pendingExportAction(fields: Partial<Action> = {}, quorum = 1): Action {
  return actionSchema.parse({
    id: 'act_01JDX0000000000000000000AB',
    status: 'pending',
    action: 'data.export',
    resource: { type: 'dataset', id: 'customers', labels: ['pii'] },
    environment: 'production',
    params: {},
    context: {},
    requester: { agent: 'etl', owner: 'dave@example.com' },
    digest: `sha256:${'ab'.repeat(32)}`,
    decision: {
      effect: 'require_approval',
      rules: ['pii-export'],
      reason: 'pii-export requires approval',
      policyVersion: `sha256:${'cd'.repeat(32)}`,
      requirements: [{ rule: 'pii-export', groups: ['stewards'], quorum }],
      timeoutMs: 1_800_000,
      grantTtlMs: 600_000,
      requireJustification: false,
      notify: ['webhook:siem'],
    },
    approval: {
      requirements: [{ rule: 'pii-export', groups: ['stewards'], quorum, approvals: [], escalated: false }],
      expiresAt: '2026-11-22T09:30:00.000Z',
    },
    reviews: [],
    createdAt: '2026-11-22T09:00:00.000Z',
    updatedAt: '2026-11-22T09:00:00.000Z',
    ...fields,
  });
}
