import type { Clock } from '../clock.js';
import type { MaskedAction } from '../masking/index.js';
import type { PolicyHolder } from '../policy/index.js';
import type { Db } from '../store/database.js';

/**
 * Channels: where approval requests and their outcomes are sent (Slack, Microsoft Teams, signed webhooks). The
 * outbox (`outbox/`) claims each notification row and hands it to the channel its target names; a channel turns it
 * into the receiver's protocol. Every action a channel sees has already passed through `maskAction`.
 */

export type ChannelKind = 'slack' | 'teams' | 'webhook';
export const channelKinds: readonly ChannelKind[] = ['slack', 'teams', 'webhook'];

/**
 * What a notification announces. `action.pending` is the request itself (the message later ones update);
 * `action.reminder` is scheduled ahead of expiry and skipped once the action is no longer pending.
 */
export const notificationEvents = [
  'action.pending',
  'action.approval_recorded',
  'action.approved',
  'action.rejected',
  'action.escalated',
  'action.expired',
  'action.cancelled',
  'action.succeeded',
  'action.failed',
  'action.reminder',
] as const;
export type NotificationEvent = (typeof notificationEvents)[number];

/** A channel's handle on the message it posted for an action (Slack `{channel, ts}`, Teams `{activityId, …}`). */
export type MessageRef = Record<string, string>;

/** One notification to deliver, as a channel receives it. */
export interface Notification {
  /** The outbox row id: the same on every attempt, so it is this send's idempotency key. */
  id: number;
  event: NotificationEvent;
  /** The whole target (`slack:#data-approvals`), its kind and what follows the colon (`#data-approvals`). */
  target: string;
  kind: ChannelKind;
  address: string;
  /** The action as it is now (masked): chat messages render this, so they show the latest truth. */
  action: MaskedAction;
  /** The action as it was when the event happened (masked): what a webhook event carries. */
  snapshot: MaskedAction;
  /** When the event happened. */
  occurredAt: Date;
  /** 1 on the first attempt. */
  attempt: number;
  /**
   * An earlier attempt may have reached the receiver without its result being recorded (the worker died or the
   * call timed out): look for that message before posting again, so the receiver sees it once.
   */
  uncertain: boolean;
  /** The message an earlier notification of this action posted to this target, if any. */
  message: MessageRef | undefined;
}

/** What a delivery leaves behind: the message posted (recorded for later updates and replies). */
export interface Delivery {
  message?: MessageRef;
}

/** A destination kind. `deliver` either resolves (delivered) or throws (a {@link DeliveryError} says how). */
export interface Channel {
  readonly kind: ChannelKind;
  /** Why notifications to `address` cannot be delivered (unknown conversation, bad channel name), if so. */
  check(address: string): string | undefined;
  deliver(notification: Notification, signal: AbortSignal): Promise<Delivery>;
}

/**
 * A failed delivery. `permanent` failures are dead-lettered at once (bad token, channel not found); others are
 * retried with backoff, no sooner than `retryAfterMs` when the receiver said so. `inDoubt` marks a failure after
 * which the receiver may still have acted (timeouts, connection resets after sending, 5xx).
 */
export class DeliveryError extends Error {
  readonly permanent: boolean;
  readonly retryAfterMs: number | undefined;
  readonly inDoubt: boolean;

  constructor(
    message: string,
    options: { permanent?: boolean; retryAfterMs?: number; inDoubt?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeliveryError';
    this.permanent = options.permanent ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.inDoubt = options.inDoubt ?? false;
  }
}

/** What channel implementations are built with, besides their own config section. */
export interface ChannelDeps {
  db: Db;
  policy: PolicyHolder;
  clock: Clock;
  /** Structured logging (pino) for what is worth an operator's attention. */
  log: { warn(object: object, message: string): void; error(object: object, message: string): void };
}

/** Splits `slack:#x` into its kind and address; undefined for a target no channel kind serves. */
export function parseTarget(target: string): { kind: ChannelKind; address: string } | undefined {
  const colon = target.indexOf(':');
  if (colon <= 0) return undefined;
  const kind = target.slice(0, colon) as ChannelKind;
  const address = target.slice(colon + 1);
  return channelKinds.includes(kind) && address !== '' ? { kind, address } : undefined;
}

/** The channels configured, by kind. */
export class ChannelRegistry {
  readonly #channels = new Map<ChannelKind, Channel>();

  constructor(channels: readonly Channel[]) {
    for (const channel of channels) this.#channels.set(channel.kind, channel);
  }

  get(kind: ChannelKind): Channel | undefined {
    return this.#channels.get(kind);
  }

  /** Why `target` cannot be delivered to, or undefined when a configured channel serves it. */
  check(target: string): string | undefined {
    const parsed = parseTarget(target);
    if (!parsed) return `${target} is not a channel target (slack:#channel, teams:NAME or webhook:NAME)`;
    const channel = this.#channels.get(parsed.kind);
    if (!channel) return `${target}: no ${parsed.kind} channel is configured (see docs/channels.md)`;
    const problem = channel.check(parsed.address);
    return problem === undefined ? undefined : `${target}: ${problem}`;
  }
}

export { type MaskedAction, type MaskingRules, maskAction, maskText } from '../masking/index.js';
export { firstReceipt, forgetReceipts, purgeReceipts } from './receipts.js';
