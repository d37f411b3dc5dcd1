import { isCountersignError } from '@countersign/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../test-support/index.js';
import { DeliveryError } from '../index.js';
import { BotFrameworkTokenClient, BotTokenVerifier, checkActivityOrigin, retryAfterMsOf } from './auth.js';
import { type FakeBotFramework, startFakeBotFramework } from './testing.js';

/**
 * Bot Framework authentication against the local Bot Framework: inbound keys fetched from OpenID metadata and
 * refreshed on an unknown key id no more than once a minute; the activity checked against its token; outbound app
 * tokens from the client-credentials grant, cached, renewed, and failing the way the outbox needs.
 */

let fake: FakeBotFramework;

beforeAll(async () => {
  fake = await startFakeBotFramework();
});

afterAll(async () => {
  await fake?.close();
});

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: unknown) => (isCountersignError(error) ? error.code : `unexpected: ${String(error)}`),
  );

describe('BotTokenVerifier', () => {
  it('picks up a rotated key when a token names it, at most once a minute', async () => {
    const clock = new TestClock();
    const verifier = new BotTokenVerifier({ appId: fake.appId, openIdMetadataUrl: fake.openIdMetadataUrl, clock });
    const bearer = async () => `Bearer ${await fake.signBotToken(fake.claims(clock.now()))}`;
    expect(await codeOf(verifier.verify(await bearer()))).toBe('accepted');
    const fetches = fake.keyFetches;

    await fake.rotateKey();
    clock.advance(30_000);
    // Within the cooldown the unknown kid is refused without asking the key endpoint again.
    expect(await codeOf(verifier.verify(await bearer()))).toBe('unauthenticated');
    expect(fake.keyFetches).toBe(fetches);

    clock.advance(31_000);
    expect(await codeOf(verifier.verify(await bearer()))).toBe('accepted');
    expect(fake.keyFetches).toBe(fetches + 1);
  });

  it('returns the serviceurl claim and the key’s endorsements', async () => {
    const clock = new TestClock();
    const verifier = new BotTokenVerifier({ appId: fake.appId, openIdMetadataUrl: fake.openIdMetadataUrl, clock });
    const token = await verifier.verify(`Bearer ${await fake.signBotToken(fake.claims(clock.now()))}`);
    expect(token.serviceUrl).toBe(fake.serviceUrl);
    expect(token.endorsements).toEqual(['msteams']);
  });

  it('keeps verifying with the keys it has while the key endpoint is down, refreshing in the background', async () => {
    const clock = new TestClock();
    const verifier = new BotTokenVerifier({ appId: fake.appId, openIdMetadataUrl: fake.openIdMetadataUrl, clock });
    const bearer = async () => `Bearer ${await fake.signBotToken(fake.claims(clock.now()))}`;
    expect(await codeOf(verifier.verify(await bearer()))).toBe('accepted');
    const fetches = fake.keyFetches;

    fake.failNext('keys', { status: 503 });
    clock.advance(25 * 3_600_000);
    // The keys are a day old: a refresh starts, fails, and the old keys still verify meanwhile.
    expect(await codeOf(verifier.verify(await bearer()))).toBe('accepted');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.keyFetches).toBe(fetches + 1);
    // Within the cooldown nobody asks again.
    expect(await codeOf(verifier.verify(await bearer()))).toBe('accepted');
    expect(fake.keyFetches).toBe(fetches + 1);
  });

  it('with no keys at all, fails at once during an outage and asks the endpoint at most once per cooldown', async () => {
    const clock = new TestClock();
    const verifier = new BotTokenVerifier({ appId: fake.appId, openIdMetadataUrl: fake.openIdMetadataUrl, clock });
    const bearer = async () => `Bearer ${await fake.signBotToken(fake.claims(clock.now()))}`;
    const fetches = fake.keyFetches;
    fake.failNext('keys', { status: 503 });
    expect(await codeOf(verifier.verify(await bearer()))).toBe('unavailable');
    expect(await codeOf(verifier.verify(await bearer()))).toBe('unavailable');
    expect(fake.keyFetches).toBe(fetches + 1);
    clock.advance(61_000);
    expect(await codeOf(verifier.verify(await bearer()))).toBe('accepted');
    expect(fake.keyFetches).toBe(fetches + 2);
  });

  it('answers unavailable when no keys can be fetched at all', async () => {
    const clock = new TestClock();
    const verifier = new BotTokenVerifier({
      appId: fake.appId,
      openIdMetadataUrl: `${fake.url}/missing/openidconfiguration`,
      clock,
    });
    expect(await codeOf(verifier.verify(`Bearer ${await fake.signBotToken(fake.claims(clock.now()))}`))).toBe(
      'unavailable',
    );
  });
});

describe('checkActivityOrigin', () => {
  const token = { claims: {}, serviceUrl: 'https://smba.example/amer/', endorsements: ['msteams'] };
  const refusal = (run: () => void) => {
    try {
      run();
      return 'accepted';
    } catch (error) {
      return isCountersignError(error) ? error.code : 'unexpected';
    }
  };

  it('accepts an activity from the token’s service URL on an endorsed channel', () => {
    expect(refusal(() => checkActivityOrigin(token, { serviceUrl: token.serviceUrl, channelId: 'msteams' }))).toBe(
      'accepted',
    );
  });

  it('forbids another service URL, even one differing only by its trailing slash', () => {
    expect(
      refusal(() => checkActivityOrigin(token, { serviceUrl: 'https://evil.example/', channelId: 'msteams' })),
    ).toBe('forbidden');
    expect(
      refusal(() => checkActivityOrigin(token, { serviceUrl: 'https://smba.example/amer', channelId: 'msteams' })),
    ).toBe('forbidden');
  });

  it('forbids channels other than Teams even when the key is endorsed for them (their clients write from)', () => {
    for (const channelId of ['webchat', 'directline']) {
      const endorsed = { ...token, endorsements: ['msteams', 'webchat', 'directline'] };
      expect(refusal(() => checkActivityOrigin(endorsed, { serviceUrl: token.serviceUrl, channelId }))).toBe(
        'forbidden',
      );
    }
  });

  it('refuses a channel the key is not endorsed for, and a token without serviceurl', () => {
    expect(refusal(() => checkActivityOrigin(token, { serviceUrl: token.serviceUrl, channelId: 'webchat' }))).toBe(
      'unauthenticated',
    );
    expect(
      refusal(() =>
        checkActivityOrigin(
          { ...token, serviceUrl: undefined },
          { serviceUrl: token.serviceUrl, channelId: 'msteams' },
        ),
      ),
    ).toBe('unauthenticated');
  });
});

describe('BotFrameworkTokenClient', () => {
  it('asks once for concurrent callers, caches the token, and renews it 5 minutes before it expires', async () => {
    const clock = new TestClock();
    const client = new BotFrameworkTokenClient({
      appId: fake.appId,
      appPassword: fake.appPassword,
      tokenUrl: fake.tokenUrl,
      clock,
    });
    const issued = fake.tokensIssued;
    const [first, second] = await Promise.all([client.token(), client.token()]);
    expect(first).toBe(second);
    expect(fake.tokensIssued).toBe(issued + 1);
    clock.advance(3599_000 - 300_000 - 1_000);
    expect(await client.token()).toBe(first);
    clock.advance(2_000);
    expect(await client.token()).not.toBe(first);
    expect(fake.tokensIssued).toBe(issued + 2);
  });

  it('fails permanently on bad credentials, and retryably (after Retry-After) when the endpoint is down', async () => {
    const clock = new TestClock();
    const wrong = new BotFrameworkTokenClient({
      appId: fake.appId,
      appPassword: 'not-the-secret',
      tokenUrl: fake.tokenUrl,
      clock,
    });
    const refused = await wrong.token().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DeliveryError);
    expect(refused).toMatchObject({ permanent: true, inDoubt: false });
    expect((refused as Error).message).toContain('invalid_client');

    const client = new BotFrameworkTokenClient({
      appId: fake.appId,
      appPassword: fake.appPassword,
      tokenUrl: fake.tokenUrl,
      clock,
    });
    fake.failNext('token', {
      status: 503,
      headers: { 'retry-after': '7' },
      body: { error: 'temporarily_unavailable' },
    });
    const down = await client.token().catch((error: unknown) => error);
    expect(down).toMatchObject({ permanent: false, inDoubt: false, retryAfterMs: 7000 });
    expect(typeof (await client.token())).toBe('string');
  });

  it('reads Retry-After in seconds or as an HTTP date', () => {
    const now = new Date('2026-11-22T09:00:00.000Z');
    expect(retryAfterMsOf('12', now)).toBe(12_000);
    expect(retryAfterMsOf('Sun, 22 Nov 2026 09:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMsOf('soon', now)).toBeUndefined();
    expect(retryAfterMsOf(undefined, now)).toBeUndefined();
  });
});
