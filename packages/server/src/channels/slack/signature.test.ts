import { describe, expect, it } from 'vitest';
import { slackSignature, slackSignatureProblem } from './signature.js';

/**
 * The published example of Slack's "Verifying requests from Slack" guide (a slash command request), copied from
 * the shared test vectors: the signing secret, timestamp, raw body and the signature Slack sent.
 */
const published = {
  signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: '1531420618',
  body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};

/** The example's own time: its timestamp is from 2018, so a real clock must (and does) find it stale. */
const sentAt = new Date(Number(published.timestamp) * 1000);

const check = (overrides: Partial<Parameters<typeof slackSignatureProblem>[0]> = {}) =>
  slackSignatureProblem({
    signingSecret: published.signingSecret,
    timestamp: published.timestamp,
    signature: published.signature,
    body: published.body,
    now: sentAt,
    ...overrides,
  });

describe('Slack request signatures', () => {
  it('computes the signature of Slack’s published example', () => {
    expect(slackSignature(published.signingSecret, published.timestamp, published.body)).toBe(published.signature);
    expect(slackSignature(published.signingSecret, published.timestamp, Buffer.from(published.body))).toBe(
      published.signature,
    );
  });

  it('accepts the published example at its own time, and up to 300 s either side', () => {
    expect(check()).toBeUndefined();
    expect(check({ now: new Date(sentAt.getTime() + 300_000) })).toBeUndefined();
    expect(check({ now: new Date(sentAt.getTime() - 300_000) })).toBeUndefined();
  });

  it('refuses the published example with today’s clock, and 301 s either side of its time', () => {
    expect(check({ now: new Date() })).toMatch(/away from the server's clock/);
    expect(check({ now: new Date(sentAt.getTime() + 301_000) })).toMatch(/301 s away/);
    expect(check({ now: new Date(sentAt.getTime() - 301_000) })).toMatch(/301 s away/);
  });

  it('refuses a changed body, another secret, a changed or truncated signature', () => {
    expect(check({ body: published.body.replace('roadrunner', 'coyote') })).toMatch(/does not match/);
    expect(check({ signingSecret: 'another-signing-secret' })).toMatch(/does not match/);
    const flipped = published.signature.slice(0, -1) + (published.signature.endsWith('3') ? '4' : '3');
    expect(check({ signature: flipped })).toMatch(/does not match/);
    expect(check({ signature: published.signature.slice(0, -2) })).toMatch(/does not match/);
    expect(check({ signature: published.signature.replace('v0=', 'v1=') })).toMatch(/does not match/);
  });

  it('refuses missing or malformed headers before computing anything', () => {
    expect(check({ signature: undefined })).toMatch(/required/);
    expect(check({ timestamp: undefined })).toMatch(/required/);
    expect(check({ timestamp: '1531420618.5' })).toMatch(/not a Unix time/);
    expect(check({ timestamp: '' })).toMatch(/not a Unix time/);
  });
});
