import { base64url, decodeJwt, decodeProtectedHeader, generateKeyPair, type JSONWebKeySet, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createAgent,
  startTestServer,
  TestClock,
  type TestServer,
} from '../../../server/src/test-support/index.js';
import { CountersignClient } from '../client/index.js';
import { CountersignApiError } from '../errors/index.js';
import {
  type ExecutedAction,
  GrantError,
  redeemAndCheck,
  type VerifyGrantOptions,
  verifyGrantOffline,
} from './index.js';

/**
 * The executor side of grants against a real server (PGlite, with a test clock): offline verification against the
 * JWKS and the recomputed digest, and online single-use redemption.
 */

let test: TestServer;
let clock: TestClock;
let agent: CountersignClient;
let executor: CountersignClient;

beforeAll(async () => {
  clock = new TestClock();
  test = await startTestServer('pglite', { clock });
  agent = new CountersignClient({ url: test.url, token: await createAgent(test, 'executor-tests') });
  executor = new CountersignClient({ url: test.url });
}, 60_000);

afterAll(async () => {
  await test?.cleanup();
}, 60_000);

let datasets = 0;

/** A read the test policy allows at once (rule `reads`, grantTtl 2m): returns the action and its grant. */
async function allowedRead(): Promise<{ action: ExecutedAction; token: string; digest: string }> {
  const action: ExecutedAction = {
    action: 'data.read',
    resource: { type: 'dataset', id: `sales-${++datasets}`, labels: ['finance'] },
    environment: 'staging',
    params: { columns: ['region', 'total'], limit: 500, ratio: 0.25 },
  };
  const { action: submitted } = await agent.submit({
    ...action,
    resource: { ...action.resource, labels: ['finance'] },
  });
  expect(submitted.status).toBe('approved');
  if (!submitted.grant) throw new Error('the allowed action carries no grant');
  return { action, token: submitted.grant.token, digest: submitted.digest };
}

const options = (action: ExecutedAction, extra: Partial<VerifyGrantOptions> = {}): VerifyGrantOptions => ({
  jwksUrl: `${test.url}/.well-known/jwks.json`,
  issuer: 'countersign',
  audience: 'countersign',
  action,
  now: clock.now(),
  ...extra,
});

async function refusal(promise: Promise<unknown>): Promise<GrantError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(GrantError);
  return error as GrantError;
}

const encode = (value: unknown) => base64url.encode(JSON.stringify(value));

describe('verifyGrantOffline', () => {
  it('verifies a grant against the JWKS URL and the digest of the action about to run', async () => {
    const { action, token, digest } = await allowedRead();
    const claims = await verifyGrantOffline(token, options(action));
    expect(claims).toMatchObject({
      iss: 'countersign',
      aud: 'countersign',
      sub: 'executor-tests',
      apr: [],
      act: {
        action: 'data.read',
        resource: { type: 'dataset', id: action.resource.id },
        environment: 'staging',
        digest,
      },
    });
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(120);
  });

  it('verifies against a pinned JWKS object too, with params in any key order', async () => {
    const { action, token } = await allowedRead();
    const jwks = (await call<JSONWebKeySet>(test.url, 'GET', '/.well-known/jwks.json')).body;
    const reordered: ExecutedAction = {
      environment: action.environment,
      params: { ratio: 0.25, limit: 500, columns: ['region', 'total'] },
      resource: { labels: ['finance'], id: action.resource.id, type: 'dataset' },
      action: action.action,
    };
    const claims = await verifyGrantOffline(token, { ...options(reordered), jwksUrl: undefined, jwks });
    expect(claims.act.resource.id).toBe(action.resource.id);
  });

  it('refuses an expired grant with grant_expired', async () => {
    const { action, token } = await allowedRead();
    clock.advance(121_000);
    const error = await refusal(verifyGrantOffline(token, options(action)));
    expect(error.code).toBe('grant_expired');
    // Within the allowed clock skew it still verifies.
    await expect(verifyGrantOffline(token, options(action, { clockToleranceSeconds: 60 }))).resolves.toBeTruthy();
  });

  it('refuses with digest_mismatch when the params differ from what was approved', async () => {
    const { action, token } = await allowedRead();
    const error = await refusal(verifyGrantOffline(token, options({ ...action, params: { limit: 5_000_000 } })));
    expect(error.code).toBe('digest_mismatch');
    expect(error.message).toMatch(/params/);
  });

  it('refuses with digest_mismatch, naming the field, when the resource, action or environment differ', async () => {
    const { action, token } = await allowedRead();
    const otherResource = await refusal(
      verifyGrantOffline(token, options({ ...action, resource: { ...action.resource, id: 'customers' } })),
    );
    expect(otherResource.code).toBe('digest_mismatch');
    expect(otherResource.message).toContain('not dataset/customers');
    const otherEnvironment = await refusal(
      verifyGrantOffline(token, options({ ...action, environment: 'production' })),
    );
    expect(otherEnvironment.message).toContain('environment staging, not production');
    const otherLabels = await refusal(
      verifyGrantOffline(token, options({ ...action, resource: { ...action.resource, labels: [] } })),
    );
    expect(otherLabels.code).toBe('digest_mismatch');
  });

  it('refuses a grant for another audience or issuer with grant_invalid', async () => {
    const { action, token } = await allowedRead();
    const audience = await refusal(verifyGrantOffline(token, options(action, { audience: 'billing-executor' })));
    expect(audience.code).toBe('grant_invalid');
    const issuer = await refusal(verifyGrantOffline(token, options(action, { issuer: 'someone-else' })));
    expect(issuer.code).toBe('grant_invalid');
  });

  it('refuses the same claims re-signed with another Ed25519 key under the same kid', async () => {
    const { action, token } = await allowedRead();
    const header = decodeProtectedHeader(token);
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT(decodeJwt(token))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'countersign-grant+jwt', kid: header.kid as string })
      .sign(privateKey);
    const error = await refusal(verifyGrantOffline(forged, options(action)));
    expect(error.code).toBe('grant_invalid');
  });

  it('refuses a tampered payload', async () => {
    const { action, token } = await allowedRead();
    const [header, , signature] = token.split('.');
    const payload = decodeJwt(token);
    const tampered = `${header}.${encode({ ...payload, exp: (payload.exp as number) + 86_400 })}.${signature}`;
    const error = await refusal(verifyGrantOffline(tampered, options(action)));
    expect(error.code).toBe('grant_invalid');
  });

  it('refuses an unsigned grant (alg none) and a wrong typ', async () => {
    const { action, token } = await allowedRead();
    const [, payload] = token.split('.');
    const kid = decodeProtectedHeader(token).kid;
    const unsigned = `${encode({ alg: 'none', typ: 'countersign-grant+jwt', kid })}.${payload}.`;
    expect((await refusal(verifyGrantOffline(unsigned, options(action)))).code).toBe('grant_invalid');
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const wrongType = await new SignJWT(decodeJwt(token))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: kid as string })
      .sign(privateKey);
    expect((await refusal(verifyGrantOffline(wrongType, options(action)))).code).toBe('grant_invalid');
  });

  it('refuses what is not a JWT at all', async () => {
    const { action } = await allowedRead();
    expect((await refusal(verifyGrantOffline('not-a-token', options(action)))).code).toBe('grant_invalid');
  });
});

describe('redeemAndCheck', () => {
  it('redeems once; the second redeem is refused with grant_used', async () => {
    const { action, token, digest } = await allowedRead();
    const redeemed = await redeemAndCheck(executor, token, action);
    expect(redeemed.action.digest).toBe(digest);
    const second = await redeemAndCheck(executor, token, action).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(CountersignApiError);
    expect(second).toMatchObject({ code: 'grant_used', status: 409 });
  });

  it('refuses a grant for another action with digest_mismatch, without using it up', async () => {
    const { action, token } = await allowedRead();
    const error = await refusal(redeemAndCheck(executor, token, { ...action, params: { limit: 1 } }));
    expect(error.code).toBe('digest_mismatch');
    await expect(redeemAndCheck(executor, token, action)).resolves.toMatchObject({ action: { status: 'approved' } });
  });

  it('checks the digest the server returns, not only the one the token announces', async () => {
    const { action, token } = await allowedRead();
    // A server (or proxy) answering with another action than the grant names is refused after redeeming.
    const lying = {
      redeemGrant: async (t: string) => {
        const redeemed = await executor.redeemGrant(t);
        return { ...redeemed, action: { ...redeemed.action, digest: `sha256:${'0'.repeat(64)}` } };
      },
    };
    expect((await refusal(redeemAndCheck(lying, token, action))).code).toBe('digest_mismatch');
  });

  it('refuses an expired grant with grant_expired', async () => {
    const { action, token } = await allowedRead();
    clock.advance(121_000);
    const error = await redeemAndCheck(executor, token, action).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'grant_expired', status: 410 });
  });

  it('maps a forged grant to grant_invalid', async () => {
    const { action, token } = await allowedRead();
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT(decodeJwt(token))
      .setProtectedHeader({
        alg: 'EdDSA',
        typ: 'countersign-grant+jwt',
        kid: decodeProtectedHeader(token).kid as string,
      })
      .sign(privateKey);
    const error = await redeemAndCheck(executor, forged, action).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'grant_invalid', status: 400 });
  });
});
