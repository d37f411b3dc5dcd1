import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type StoreTarget } from '../../store/database.js';
import { agents } from '../../store/schema.js';
import {
  call,
  createAgent,
  startTestServer,
  storeKinds,
  TestClock,
  type TestServer,
} from '../../test-support/index.js';
import type { Problem } from '../problem.js';

/**
 * The operational side over real HTTP, against both stores: health, readiness, metrics, OpenAPI, 404s, and who
 * else may open the store while a server runs.
 */

interface OpenApiOperation {
  requestBody?: { required?: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, unknown>;
  parameters?: { name: string; in: string }[];
}

interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, unknown> };
}

/** Every route of HTTP API v1 (DESIGN.md), as the OpenAPI document must list it. */
const v1Routes = [
  'post /v1/actions',
  'get /v1/actions',
  'get /v1/actions/{id}',
  'get /v1/actions/{id}/events',
  'post /v1/actions/{id}/reviews',
  'post /v1/actions/{id}/cancel',
  'post /v1/actions/{id}/outcome',
  'post /v1/grants/redeem',
  'get /v1/audit',
  'post /v1/agents',
  'get /v1/agents',
  'post /v1/agents/{id}/keys',
  'delete /v1/agents/{id}/keys',
  'post /v1/reviewers/{reviewerId}/tokens',
  'delete /v1/reviewers/{reviewerId}/tokens',
  'get /v1/policy',
  'post /v1/policy/reload',
  'post /v1/policy/validate',
];

describe.each(storeKinds)('ops endpoints on %s', (store) => {
  let test: TestServer;

  beforeAll(async () => {
    test = await startTestServer(store, { clock: new TestClock() });
  }, 60_000);

  afterAll(async () => {
    await test?.cleanup();
  }, 60_000);

  it('answers /healthz', async () => {
    const response = await call(test.url, 'GET', '/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz with the store kind and the policy version', async () => {
    const response = await call<{ status: string; store: string; policyVersion: string }>(test.url, 'GET', '/readyz');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ready', store });
    const policy = await call<{ version: string }>(test.url, 'GET', '/v1/policy', test.adminToken);
    expect(response.body.policyVersion).toBe(policy.body.version);
  });

  it('exposes Prometheus metrics that count requests and submissions', async () => {
    const key = await createAgent(test, 'metrics-agent');
    const submitted = await call(test.url, 'POST', '/v1/actions', key, {
      action: 'data.read',
      resource: { type: 'dataset', id: 'metrics' },
      environment: 'dev',
    });
    expect(submitted.status).toBe(201);
    const response = await fetch(`${test.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^# TYPE countersign_http_requests_total counter$/m);
    expect(text).toMatch(
      /^countersign_http_requests_total\{method="POST",route="\/v1\/actions",status="201"\} [1-9]\d*$/m,
    );
    expect(text).toMatch(/^countersign_actions_submitted_total\{effect="allow",replay="false"\} [1-9]\d*$/m);
    expect(text).toMatch(/^countersign_waiters \d+$/m);
    expect(text).toMatch(/^countersign_audit_unchained \d+$/m);
  });

  it('serves an OpenAPI 3.1 document listing every v1 route', async () => {
    const response = await call<OpenApiDocument>(test.url, 'GET', '/openapi.json');
    expect(response.status).toBe(200);
    const document = response.body;
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(document.info.title).toEqual(expect.any(String));
    const listed = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method} ${path}`),
    );
    expect(listed).toEqual(expect.arrayContaining(v1Routes));
    for (const path of ['/healthz', '/readyz', '/metrics', '/.well-known/jwks.json']) {
      expect(document.paths[path]?.get, path).toBeDefined();
    }
    // Every route the server answers is documented, under its OpenAPI path.
    for (const route of listed) {
      const [method, path] = route.split(' ') as [string, string];
      expect(
        test.server.app.hasRoute({ method: method.toUpperCase() as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }),
        route,
      ).toBe(true);
    }
  });

  it('documents the submit body, the Idempotency-Key header and the problem responses', async () => {
    const document = (await call<OpenApiDocument>(test.url, 'GET', '/openapi.json')).body;
    const submit = document.paths['/v1/actions']?.post;
    const schema = submit?.requestBody?.content['application/json']?.schema as {
      type: string;
      properties: Record<string, unknown>;
      required: string[];
      additionalProperties: unknown;
    };
    expect(submit?.requestBody?.required).toBe(true);
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['action', 'resource', 'environment', 'params', 'justification', 'context', 'onBehalfOf']),
    );
    expect(schema.required).toEqual(expect.arrayContaining(['action', 'resource', 'environment']));
    expect(schema.additionalProperties).toBe(false);
    expect(submit?.parameters?.map((p) => `${p.in}:${p.name}`)).toContain('header:Idempotency-Key');
    expect(Object.keys(submit?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '201', '400', '401', '413', '422']),
    );
    expect(document.components.schemas.Problem).toBeDefined();
    const review = document.paths['/v1/actions/{id}/reviews']?.post;
    expect(review?.requestBody?.content['application/json']?.schema).toBeDefined();
    expect(review?.parameters?.map((p) => `${p.in}:${p.name}`)).toContain('path:id');
  });

  it('answers an unknown route with a 404 problem document', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nothing-here'],
      ['POST', '/v1/actions/x/unknown'],
      ['DELETE', '/v1/actions'],
    ] as const) {
      const response = await call<Problem>(test.url, method, path);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 404, code: 'not_found', type: expect.any(String) });
    }
  });

  it('serves the JWKS with Ed25519 public keys and no private part', async () => {
    const response = await call<{ keys: Record<string, unknown>[] }>(test.url, 'GET', '/.well-known/jwks.json');
    expect(response.status).toBe(200);
    expect(response.body.keys.length).toBeGreaterThan(0);
    for (const jwk of response.body.keys) {
      expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: expect.any(String), x: expect.any(String) });
      expect(jwk).not.toHaveProperty('d');
    }
  });

  // Runs last: it closes the server.
  it('keeps a PGlite directory to itself while running and lets go of it on close; PostgreSQL is shared', async () => {
    await createAgent(test, 'store-owner-check');
    const target: StoreTarget =
      store === 'pglite'
        ? { kind: 'pglite', dataDir: test.dataDir }
        : { kind: 'postgres', url: test.databaseUrl as string };
    if (store === 'pglite') {
      await expect(openDatabase(target)).rejects.toThrow(/data directory .* is in use by another Countersign process/);
      // The refused opener left the running server alone.
      expect((await call(test.url, 'GET', '/readyz')).status).toBe(200);
    } else {
      // Replicas share one PostgreSQL: a second opener is welcome while the server runs.
      const replica = await openDatabase(target);
      await replica.close();
    }

    await test.server.close();
    await expect(fetch(`${test.url}/healthz`)).rejects.toThrow();
    const reopened = await openDatabase(target);
    try {
      const rows = await reopened.db.select({ id: agents.id }).from(agents).where(eq(agents.id, 'store-owner-check'));
      expect(rows).toEqual([{ id: 'store-owner-check' }]);
      if (store === 'pglite') {
        // Whoever holds the directory now keeps out the next opener in turn.
        await expect(openDatabase(target)).rejects.toThrow(/in use/);
      }
    } finally {
      await reopened.close();
    }
  }, 30_000);
});
