import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack request signing (https://api.slack.com/authentication/verifying-requests-from-slack): Slack sends
 * `X-Slack-Request-Timestamp` and `X-Slack-Signature: v0=` + hex HMAC-SHA256, keyed with the app's signing secret,
 * of `v0:{timestamp}:{raw body}`. Checked on the raw bytes before anything in the body is parsed.
 */

/** How far, in seconds and in either direction, a request's timestamp may be from our clock (Slack's own bound). */
export const slackSignatureToleranceSeconds = 300;

/** The `v0=` signature of `body` sent at `timestamp` (seconds, as the header carries it). */
export function slackSignature(signingSecret: string, timestamp: string, body: Buffer | string): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(body);
  return `v0=${hmac.digest('hex')}`;
}

/** Why a request is not from Slack, or undefined when its signature and timestamp check out. */
export function slackSignatureProblem(input: {
  signingSecret: string;
  /** The `X-Slack-Request-Timestamp` header. */
  timestamp: string | undefined;
  /** The `X-Slack-Signature` header. */
  signature: string | undefined;
  body: Buffer | string;
  now: Date;
}): string | undefined {
  const { timestamp, signature } = input;
  if (timestamp === undefined || signature === undefined) {
    return 'X-Slack-Request-Timestamp and X-Slack-Signature are required';
  }
  if (!/^\d{1,12}$/.test(timestamp)) return 'X-Slack-Request-Timestamp is not a Unix time in seconds';
  // A captured request replayed later (or one stamped ahead) is refused whatever its signature.
  const skew = Math.abs(input.now.getTime() / 1000 - Number(timestamp));
  if (skew > slackSignatureToleranceSeconds) {
    return `X-Slack-Request-Timestamp is ${Math.round(skew)} s away from the server's clock (at most ${slackSignatureToleranceSeconds} s)`;
  }
  const expected = Buffer.from(slackSignature(input.signingSecret, timestamp, input.body));
  const given = Buffer.from(signature);
  // timingSafeEqual throws on different lengths; the length of a well-formed signature is no secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return 'X-Slack-Signature does not match the request (check channels.slack.signingSecret)';
  }
  return undefined;
}
