import type { Action, SubmittedActionInput } from '@countersign/core';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../http/problem.js';
import {
  call,
  createAgent,
  reviewerToken,
  startTestServer,
  storeKinds,
  TestClock,
  type TestServer,
} from '../test-support/index.js';
import type { GrantClaims } from './index.js';

/**
 * Grants over real HTTP, against both stores: what an executor checks offline (signature against the JWKS, type,
 * algorithm, claims bound to the action) and the online single-use redemption.
 */

type ActionBody = Action & { grant?: { token: string; expiresAt: string } };

const piiExport = (id: string): SubmittedActionInput => ({
  action: 'data.export',
  resource: { type: 'dataset', id, labels: ['pii'] },
  environment: 'production',
  params: { rows: 250_000 },
});

const read = (id: string): SubmittedActionInput => ({
  action: 'data.read',
  resource: { type: 'dataset', id },
  environment: 'staging',
});

describe.each(storeKinds)('grants on %s', (store) => {
  let test: TestServer;
  let clock: TestClock;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    clock = new TestClock();
    test = await startTestServer(store, { clock });
    alice = await reviewerToken(test, 'alice@example.com');
    bob = await reviewerToken(test, 'bob@example.com');
  }, 60_000);

  afterAll(async () => {
    await test?.cleanup();
  }, 60_000);

  const submit = async (key: string, body: SubmittedActionInput): Promise<ActionBody> => {
    const response = await call<ActionBody>(test.url, 'POST', '/v1/actions', key, body);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  };

  /** Submits a PII export and has alice and bob approve it; returns the action as its agent sees it. */
  const approvedExport = async (key: string, dataset: string): Promise<ActionBody & { grant: { token: string } }> => {
    const pending = await submit(key, piiExport(dataset));
    for (const reviewer of [alice, bob]) {
      const response = await call(test.url, 'POST', `/v1/actions/${pending.id}/reviews`, reviewer, {
        verdict: 'approve',
      });
      expect(response.status).toBe(200);
    }
    const action = await call<ActionBody>(test.url, 'GET', `/v1/actions/${pending.id}`, key);
    expect(action.body.status).toBe('approved');
    const grant = action.body.grant;
    if (!grant) throw new Error('the approved action carries no grant for its agent');
    return { ...action.body, grant };
  };

  const redeem = (token: string) =>
    call<{ action: ActionBody; redeemedAt: string } | Problem>(test.url, 'POST', '/v1/grants/redeem', undefined, {
      token,
    });

  const verifyOffline = (token: string) =>
    jwtVerify<JWTPayload & GrantClaims>(token, createRemoteJWKSet(new URL(`${test.url}/.well-known/jwks.json`)), {
      algorithms: ['EdDSA'],
      typ: 'countersign-grant+jwt',
      issuer: 'countersign',
      audience: 'countersign',
      currentDate: clock.now(),
    });

  it('verifies offline against the JWKS, bound to the approved action and its approvers', async () => {
    const key = await createAgent(test, 'grant-offline');
    const action = await approvedExport(key, 'customers');
    const { payload, protectedHeader } = await verifyOffline(action.grant.token);

    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'countersign-grant+jwt' });
    const jwks = await call<{ keys: { kid: string }[] }>(test.url, 'GET', '/.well-known/jwks.json');
    expect(jwks.body.keys.map((k) => k.kid)).toContain(protectedHeader.kid);

    expect(payload.sub).toBe('grant-offline');
    expect(payload.act).toEqual({
      id: action.id,
      action: 'data.export',
      resource: { type: 'dataset', id: 'customers' },
      environment: 'production',
      digest: action.digest,
    });
    expect(payload.apr).toEqual(['alice@example.com', 'bob@example.com']);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.iat).toBe(Math.floor(clock.now().getTime() / 1000));
    // pii-export's grantTtl is 10m.
    expect(payload.exp - payload.iat).toBeGreaterThan(0);
    expect(payload.exp - payload.iat).toBeLessThanOrEqual(600);
    expect(Date.parse(action.grant.expiresAt as string)).toBe(payload.exp * 1000);
  });

  it('mints a grant for an allowed action with the allow rule’s grantTtl and no approvers', async () => {
    const key = await createAgent(test, 'grant-allowed');
    const action = await submit(key, read('sales'));
    const token = action.grant?.token as string;
    const { payload } = await verifyOffline(token);
    expect(payload).toMatchObject({ sub: 'grant-allowed', apr: [], act: { id: action.id, digest: action.digest } });
    // reads' grantTtl is 2m.
    expect(payload.exp - payload.iat).toBeLessThanOrEqual(120);
    expect(payload.exp - payload.iat).toBeGreaterThan(60);
  });

  it('hands out the same token on every read, and the same one the submission returned', async () => {
    const key = await createAgent(test, 'grant-stable');
    const submitted = await submit(key, read('stable'));
    const first = await call<ActionBody>(test.url, 'GET', `/v1/actions/${submitted.id}`, key);
    const second = await call<ActionBody>(test.url, 'GET', `/v1/actions/${submitted.id}`, key);
    expect(first.body.grant?.token).toMatch(/^ey/);
    expect(second.body.grant).toEqual(first.body.grant);
    expect(submitted.grant).toEqual(first.body.grant);

    const approved = await approvedExport(key, 'stable-export');
    const again = await call<ActionBody>(test.url, 'GET', `/v1/actions/${approved.id}`, key);
    expect(again.body.grant).toEqual(approved.grant);
  });

  it('redeems once: the first redeem returns the bound action, the second is refused with grant_used', async () => {
    const key = await createAgent(test, 'grant-redeem');
    const action = await approvedExport(key, 'redeem-data');
    const first = await redeem(action.grant.token);
    expect(first.status).toBe(200);
    const body = first.body as { action: ActionBody; redeemedAt: string };
    expect(body.action).toMatchObject({ id: action.id, status: 'approved', digest: action.digest });
    expect(body.action.grant).toBeUndefined();
    expect(body.redeemedAt).toBe(clock.now().toISOString());

    const second = await redeem(action.grant.token);
    expect({ status: second.status, code: (second.body as Problem).code }).toEqual({ status: 409, code: 'grant_used' });
    expect(second.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('refuses a tampered token with grant_invalid, and the genuine one still redeems', async () => {
    const key = await createAgent(test, 'grant-tamper');
    const action = await approvedExport(key, 'tamper-data');
    const [header, payload, signature] = action.grant.token.split('.') as [string, string, string];

    const claims = decodeJwt(action.grant.token);
    const forgedPayload = Buffer.from(
      JSON.stringify({
        ...claims,
        act: { ...(claims.act as object), resource: { type: 'dataset', id: 'everything' } },
      }),
    ).toString('base64url');
    const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    for (const token of [
      `${header}.${forgedPayload}.${signature}`,
      `${header}.${payload}.${flipped}`,
      `${header}.${payload}.`,
      'not-a-jwt',
    ]) {
      const response = await redeem(token);
      expect({ status: response.status, code: (response.body as Problem).code }, token).toEqual({
        status: 400,
        code: 'grant_invalid',
      });
    }
    await expect(verifyOffline(`${header}.${forgedPayload}.${signature}`)).rejects.toThrow();
    expect((await redeem(action.grant.token)).status).toBe(200);
  });

  it('refuses a token signed by a key the server does not hold', async () => {
    const { SignJWT, generateKeyPair } = await import('jose');
    const key = await createAgent(test, 'grant-foreign');
    const action = await approvedExport(key, 'foreign-data');
    const { protectedHeader } = await verifyOffline(action.grant.token);
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT(decodeJwt(action.grant.token))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'countersign-grant+jwt', kid: protectedHeader.kid as string })
      .sign(privateKey);
    const response = await redeem(forged);
    expect({ status: response.status, code: (response.body as Problem).code }).toEqual({
      status: 400,
      code: 'grant_invalid',
    });
  });

  it('refuses an expired grant with 410 grant_expired', async () => {
    const key = await createAgent(test, 'grant-expired');
    const action = await submit(key, read('expiring'));
    const token = action.grant?.token as string;
    const { exp } = decodeJwt(token);
    clock.advance((exp as number) * 1000 - clock.now().getTime() + 1_000);
    const response = await redeem(token);
    expect({ status: response.status, code: (response.body as Problem).code }).toEqual({
      status: 410,
      code: 'grant_expired',
    });
    await expect(verifyOffline(token)).rejects.toThrow();
  });

  it('refuses a redeem body that is not {token}', async () => {
    for (const body of [{}, { token: '' }, { token: 'x', extra: 1 }]) {
      const response = await call<Problem>(test.url, 'POST', '/v1/grants/redeem', undefined, body);
      expect({ status: response.status, code: response.body.code }).toEqual({ status: 400, code: 'validation_failed' });
    }
  });

  it('serves Ed25519 public keys only', async () => {
    const response = await call<{ keys: Record<string, unknown>[] }>(test.url, 'GET', '/.well-known/jwks.json');
    expect(response.status).toBe(200);
    expect(response.body.keys.length).toBeGreaterThan(0);
    for (const jwk of response.body.keys) {
      expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(jwk.kid).toEqual(expect.any(String));
      expect(jwk.x).toEqual(expect.any(String));
      expect(jwk).not.toHaveProperty('d');
    }
    const header = decodeProtectedHeader(
      (await submit(await createAgent(test, 'grant-kid'), read('kid'))).grant?.token as string,
    );
    expect(response.body.keys.map((k) => k.kid)).toContain(header.kid);
  });
});
