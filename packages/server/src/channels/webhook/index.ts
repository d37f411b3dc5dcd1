/**
 * Signed webhooks: `webhook:NAME` targets receive JSON events signed per the Standard Webhooks convention.
 * `testing.ts` holds a local receiver that verifies them as a real one would (for tests and local trials).
 */
export {
  retryAfter,
  WebhookChannel,
  type WebhookChannelOptions,
  type WebhookEndpoints,
  type WebhookEvent,
  webhookEvent,
  webhookMessageId,
} from './channel.js';
