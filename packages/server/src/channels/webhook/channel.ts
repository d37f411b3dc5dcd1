import { Webhook } from 'standardwebhooks';
import { type Clock, systemClock } from '../../clock.js';
import type { ServerConfig } from '../../config/index.js';
import {
  type Channel,
  type Delivery,
  DeliveryError,
  type MaskedAction,
  type Notification,
  type NotificationEvent,
} from '../index.js';

/**
 * Signed webhooks: `webhook:NAME` targets POST JSON events to the URL configured under `channels.webhooks.NAME`,
 * signed per the Standard Webhooks convention with its maintained library, so any receiver can verify them with
 * the same library in its own language (`docs/channels.md`).
 */

/** The `channels.webhooks` section: endpoint by name. */
export type WebhookEndpoints = ServerConfig['channels']['webhooks'];

/** The JSON body of every event. */
export interface WebhookEvent {
  /** What happened: `action.pending`, `action.approved`, … */
  type: Exclude<NotificationEvent, 'action.reminder'>;
  /** When it happened (ISO 8601, UTC). */
  timestamp: string;
  /**
   * The action as it was at that moment, masked like everything sent to a channel (its digest only when masking
   * changed nothing the digest covers).
   */
  data: { action: MaskedAction };
}

export interface WebhookChannelOptions {
  /** Sent as `User-Agent`. */
  userAgent?: string;
  /**
   * The clock for the `webhook-timestamp` header. Receivers judge its freshness against their own wall clock, so
   * it is the host's clock even when the service runs on a test clock.
   */
  signingClock?: Clock;
}

/** Longest wait a receiver's `Retry-After` is honoured for; later attempts can be told to wait again. */
const maxRetryAfterMs = 24 * 60 * 60_000;
/** How much of an error response's body is quoted in the dead letter's message. */
const quotedBodyChars = 200;
/** Connection failures before anything was sent: the receiver cannot have seen the event. */
const notSentCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The `webhook-id` of a notification: the same on every attempt, and distinct across deployments (action ids are). */
export function webhookMessageId(notification: Pick<Notification, 'id' | 'snapshot'>): string {
  return `msg_${notification.snapshot.id}_${notification.id}`;
}

/** The event a notification becomes: its type, when it happened, and the (masked) action at that moment. */
export function webhookEvent(notification: Notification): WebhookEvent {
  return {
    type: notification.event as WebhookEvent['type'],
    timestamp: notification.occurredAt.toISOString(),
    data: { action: notification.snapshot },
  };
}

interface Endpoint {
  url: string;
  origin: string;
  signer: Webhook;
}

/**
 * Delivers notifications to configured webhooks. 2xx is delivered; 408, 425, 429 and 5xx are retried (429 and 503
 * no sooner than their `Retry-After`); redirects and other 4xx are dead-lettered at once, as retrying cannot help.
 *
 * @example
 * const channel = new WebhookChannel({ siem: { url: 'https://siem.example.com/hooks', secret: 'whsec_…' } });
 * channel.check('siem'); // undefined: deliverable
 */
export class WebhookChannel implements Channel {
  readonly kind = 'webhook' as const;
  readonly #endpoints = new Map<string, Endpoint>();
  readonly #userAgent: string;
  readonly #signingClock: Clock;

  constructor(endpoints: WebhookEndpoints, options: WebhookChannelOptions = {}) {
    for (const [name, { url, secret }] of Object.entries(endpoints)) {
      this.#endpoints.set(name, { url, origin: new URL(url).origin, signer: new Webhook(secret) });
    }
    this.#userAgent = options.userAgent ?? 'Countersign';
    this.#signingClock = options.signingClock ?? systemClock;
  }

  check(address: string): string | undefined {
    if (this.#endpoints.has(address)) return undefined;
    const names = [...this.#endpoints.keys()];
    return `no webhook named "${address}" is configured (channels.webhooks has ${names.length > 0 ? names.join(', ') : 'none'})`;
  }

  async deliver(notification: Notification, signal: AbortSignal): Promise<Delivery> {
    // Reminders nudge people in chat; a webhook receiver has nothing to do with one.
    if (notification.event === 'action.reminder') return {};
    const name = notification.address;
    const endpoint = this.#endpoints.get(name);
    if (!endpoint) throw new DeliveryError(this.check(name) ?? name, { permanent: true });

    const payload = JSON.stringify(webhookEvent(notification));
    const id = webhookMessageId(notification);
    const sentAt = this.#signingClock.now();
    let response: Response;
    try {
      response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': this.#userAgent,
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': endpoint.signer.sign(id, sentAt, payload),
        },
        body: payload,
        // A signed event goes to the configured URL only, never wherever a response points.
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      throw requestFailure(`webhook ${name} (${endpoint.origin})`, error, signal);
    }
    if (response.ok) {
      await response.body?.cancel().catch(() => {});
      return {};
    }
    throw await responseFailure(`webhook ${name} (${endpoint.origin})`, response);
  }
}

/** How a request that got no response failed: before sending (not seen) or after (in doubt). */
function requestFailure(receiver: string, error: unknown, signal: AbortSignal): DeliveryError {
  if (signal.aborted) {
    return new DeliveryError(`${receiver} did not answer in time`, { inDoubt: true, cause: error });
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const detail = code ?? (typeof cause?.message === 'string' ? cause.message : (error as Error).message);
  // fetch refuses some ports outright (the Fetch standard's "bad ports"): no retry changes that.
  if (cause?.message === 'bad port') {
    return new DeliveryError(`${receiver} is on a port fetch refuses to use; configure another`, {
      permanent: true,
      cause: error,
    });
  }
  const sent = code === undefined || !notSentCodes.has(code);
  return new DeliveryError(`${receiver} could not be reached: ${detail}`, { inDoubt: sent, cause: error });
}

/** What a non-2xx response means: retry (when, in doubt or not) or give up. */
async function responseFailure(receiver: string, response: Response): Promise<DeliveryError> {
  const { status } = response;
  const answered = `${receiver} answered ${status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (status >= 300 && status < 400) {
    await response.body?.cancel().catch(() => {});
    return new DeliveryError(
      `${answered}: redirects are not followed (a signed event is only sent to the configured URL); configure the URL it points to`,
      { permanent: true },
    );
  }
  const body = await quotedBody(response);
  const message = body === '' ? answered : `${answered}: ${body}`;
  if (status === 429 || status === 503) {
    const retryAfterMs = retryAfter(response);
    return new DeliveryError(message, {
      inDoubt: status === 503,
      ...(retryAfterMs !== undefined && { retryAfterMs }),
    });
  }
  if (status === 408 || status === 425) return new DeliveryError(message);
  if (status >= 500) return new DeliveryError(message, { inDoubt: true });
  // 410 Gone and every other 4xx: the receiver refuses this event as it is, and will again.
  return new DeliveryError(message, { permanent: true });
}

/** The first characters of an error response's body, on one line, without reading more than that from the wire. */
async function quotedBody(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length <= quotedBodyChars) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body cut short still says something; what was read is enough.
  } finally {
    await reader.cancel().catch(() => {});
  }
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > quotedBodyChars ? `${line.slice(0, quotedBodyChars)}…` : line;
}

/**
 * `Retry-After` in milliseconds: delay-seconds, or an HTTP date measured against the response's own `Date` (so a
 * receiver's clock skew does not matter), capped at a day.
 */
export function retryAfter(response: Pick<Response, 'headers'>, now: Date = new Date()): number | undefined {
  const value = response.headers.get('retry-after')?.trim();
  if (!value) return undefined;
  let ms: number;
  if (/^\d+$/.test(value)) {
    ms = Number(value) * 1000;
  } else {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    const date = Date.parse(response.headers.get('date') ?? '');
    ms = at - (Number.isNaN(date) ? now.getTime() : date);
  }
  return Math.min(Math.max(ms, 0), maxRetryAfterMs);
}
