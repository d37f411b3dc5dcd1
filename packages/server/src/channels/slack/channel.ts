import type { WebClient } from '@slack/web-api';
import type { z } from 'zod';
import type { slackConfigSchema } from '../../config/index.js';
import {
  type Channel,
  type ChannelDeps,
  type Delivery,
  DeliveryError,
  type MessageRef,
  type Notification,
} from '../index.js';
import { approvalMessage, escalationNotice, reminderNotice, type SlackMessage, slackMetadataTypes } from './blocks.js';
import { slackClient, slackErrorCode, withSignal } from './web-api.js';

/** The `channels.slack` config section. */
export type SlackConfig = z.output<typeof slackConfigSchema>;

/** A posted Slack message: the channel id and the message's `ts`. */
export interface SlackMessageRef extends MessageRef {
  channel: string;
  ts: string;
}

/** How long one Web API call of a delivery may take (the outbox's lease bounds the whole delivery too). */
const deliveryTimeoutMs = 10_000;

/**
 * How far before the event a message may be stamped and still be found again. Slack's `ts` comes from Slack's
 * clock: a few minutes cover any skew between it and ours.
 */
const lookupMarginMs = 10 * 60_000;

/** Pages of history looked through for a message posted before a crash (200 messages each). */
const lookupPages = 10;

/** Slack says these when the bot may not read a channel's history: the look-up is skipped, not retried forever. */
const unreadable = new Set(['not_in_channel', 'channel_not_found', 'missing_scope', 'no_permission', 'access_denied']);

/**
 * Posts approval requests to Slack channels and keeps them true: `action.pending` posts a Block Kit message with
 * Approve / Reject buttons (found again instead of posted twice when an earlier attempt may have got through);
 * every later event updates it with `chat.update`; escalations and reminders are also posted in its thread.
 *
 * @example
 * const slack = new SlackChannel({ botToken, signingSecret, apiUrl: 'https://slack.com/api/', linkByEmail: false }, deps);
 * new ChannelRegistry([slack]);
 */
export class SlackChannel implements Channel {
  readonly kind = 'slack' as const;
  readonly #client: WebClient;
  readonly #deps: ChannelDeps;
  /** `#name` → channel id, learnt from posts and `conversations.list`. */
  readonly #channelIds = new Map<string, string>();

  constructor(config: SlackConfig, deps: ChannelDeps) {
    this.#client = slackClient(config, deliveryTimeoutMs);
    this.#deps = deps;
  }

  /** `#channel-name` (lower case, as Slack names channels) or a conversation id such as `C0123ABCD`. */
  check(address: string): string | undefined {
    if (/^#[\p{Ll}\p{Lo}\p{N}_.-]{1,80}$/u.test(address) || /^[CGD][A-Z0-9]{8,20}$/.test(address)) return undefined;
    return `${address} is neither a Slack channel name (#data-approvals, lower case) nor a channel id (C0123ABCD)`;
  }

  async deliver(notification: Notification, signal: AbortSignal): Promise<Delivery> {
    switch (notification.event) {
      case 'action.pending': {
        // An earlier attempt may have posted it already: that message is the one, not a second post.
        const earlier = notification.uncertain ? await this.#find(notification, signal) : undefined;
        return { message: earlier ?? (await this.#post(notification, signal)) };
      }
      case 'action.reminder': {
        const parent = notification.message ? asRef(notification.message) : await this.#refresh(notification, signal);
        await this.#notice(notification, parent, reminderNotice(notification.action, this.#deps.clock.now()), signal);
        return { message: parent };
      }
      case 'action.escalated': {
        const parent = await this.#refresh(notification, signal);
        await this.#notice(notification, parent, escalationNotice(notification.action), signal);
        return { message: parent };
      }
      default:
        return { message: await this.#refresh(notification, signal) };
    }
  }

  /** Posts the request message. */
  async #post(notification: Notification, signal: AbortSignal): Promise<SlackMessageRef> {
    const { action, address, target } = notification;
    const posted = await withSignal(
      'chat.postMessage',
      this.#client.chat.postMessage({
        channel: address,
        ...approvalMessage(action),
        metadata: { event_type: slackMetadataTypes.approval, event_payload: { action_id: action.id, target } },
        unfurl_links: false,
        unfurl_media: false,
      }),
      signal,
    );
    if (typeof posted.channel !== 'string' || typeof posted.ts !== 'string') {
      throw new DeliveryError('Slack chat.postMessage answered ok without the channel and ts', { inDoubt: true });
    }
    if (address.startsWith('#')) this.#channelIds.set(address, posted.channel);
    return { channel: posted.channel, ts: posted.ts };
  }

  /**
   * Updates the request message to the action's current state. Without a recorded message (its post was
   * dead-lettered, perhaps after reaching Slack) it is looked for first, then posted fresh; one deleted by a user
   * is posted again.
   */
  async #refresh(notification: Notification, signal: AbortSignal): Promise<SlackMessageRef> {
    const known = notification.message ? asRef(notification.message) : await this.#find(notification, signal);
    if (!known) return this.#post(notification, signal);
    try {
      await withSignal(
        'chat.update',
        this.#client.chat.update({ channel: known.channel, ts: known.ts, ...approvalMessage(notification.action) }),
        signal,
      );
      return known;
    } catch (error) {
      const code = slackErrorCode((error as DeliveryError).cause);
      if (code === 'message_not_found' || code === 'cant_update_message') {
        this.#deps.log.warn(
          { target: notification.target, action: notification.action.id, message: known },
          'the Slack message is gone; posting the request again',
        );
        return this.#post(notification, signal);
      }
      throw error;
    }
  }

  /** Posts a notice in the request's thread, once: an attempt in doubt looks for it in the thread first. */
  async #notice(
    notification: Notification,
    parent: SlackMessageRef,
    notice: SlackMessage,
    signal: AbortSignal,
  ): Promise<void> {
    const marker = { action_id: notification.action.id, notification: String(notification.id) };
    if (notification.uncertain && (await this.#findReply(notification, parent, marker.notification, signal))) return;
    await withSignal(
      'chat.postMessage',
      this.#client.chat.postMessage({
        channel: parent.channel,
        thread_ts: parent.ts,
        ...notice,
        metadata: { event_type: slackMetadataTypes.notice, event_payload: { ...marker, event: notification.event } },
      }),
      signal,
    );
  }

  /** The request message an earlier attempt posted for this action and target, if it can be found. */
  async #find(notification: Notification, signal: AbortSignal): Promise<SlackMessageRef | undefined> {
    const { action, target } = notification;
    const channel = await this.#channelId(notification.address, signal);
    if (channel === undefined) return undefined;
    const since = Math.min(Date.parse(action.createdAt), notification.occurredAt.getTime()) - lookupMarginMs;
    let cursor: string | undefined;
    for (let page = 0; page < lookupPages; page++) {
      const history = await this.#readable(notification, () =>
        withSignal(
          'conversations.history',
          this.#client.conversations.history({
            channel,
            oldest: (since / 1000).toFixed(6),
            include_all_metadata: true,
            limit: 200,
            ...(cursor !== undefined && { cursor }),
          }),
          signal,
        ),
      );
      if (!history) return undefined;
      const found = (history.messages as HistoryMessage[] | undefined)?.find(
        (message) =>
          message.metadata?.event_type === slackMetadataTypes.approval &&
          message.metadata.event_payload?.action_id === action.id &&
          message.metadata.event_payload?.target === target,
      );
      if (found?.ts) return { channel, ts: found.ts };
      cursor = history.response_metadata?.next_cursor || undefined;
      if (!history.has_more || cursor === undefined) return undefined;
    }
    return undefined;
  }

  /** Whether the thread of `parent` already holds the notice of notification `id`. */
  async #findReply(
    notification: Notification,
    parent: SlackMessageRef,
    id: string,
    signal: AbortSignal,
  ): Promise<boolean> {
    let cursor: string | undefined;
    for (let page = 0; page < lookupPages; page++) {
      const replies = await this.#readable(notification, () =>
        withSignal(
          'conversations.replies',
          this.#client.conversations.replies({
            channel: parent.channel,
            ts: parent.ts,
            include_all_metadata: true,
            limit: 200,
            ...(cursor !== undefined && { cursor }),
          }),
          signal,
        ),
      );
      if (!replies) return false;
      const found = (replies.messages as HistoryMessage[] | undefined)?.some(
        (message) =>
          message.metadata?.event_type === slackMetadataTypes.notice &&
          message.metadata.event_payload?.notification === id,
      );
      if (found) return true;
      cursor = replies.response_metadata?.next_cursor || undefined;
      if (!replies.has_more || cursor === undefined) return false;
    }
    return false;
  }

  /**
   * Runs a history read; when Slack will not let the bot read the channel, says so in the log and gives up the
   * look-up (posting again then risks a duplicate, where not posting would lose the request).
   */
  async #readable<T>(notification: Notification, read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      const code = slackErrorCode((error as DeliveryError).cause);
      if (code === undefined || !unreadable.has(code)) throw error;
      this.#deps.log.warn(
        { target: notification.target, action: notification.action.id, error: code },
        'cannot read the Slack channel to look for an earlier post (invite the bot, add channels:history); posting',
      );
      return undefined;
    }
  }

  /** The id of a channel given by id or `#name` (names are looked up with `conversations.list`, then cached). */
  async #channelId(address: string, signal: AbortSignal): Promise<string | undefined> {
    if (!address.startsWith('#')) return address;
    const cached = this.#channelIds.get(address);
    if (cached !== undefined) return cached;
    let cursor: string | undefined;
    do {
      const list = await this.#listChannels(cursor, signal);
      for (const conversation of list.channels ?? []) {
        if (conversation.id && conversation.name) this.#channelIds.set(`#${conversation.name}`, conversation.id);
      }
      cursor = list.response_metadata?.next_cursor || undefined;
    } while (cursor !== undefined && !this.#channelIds.has(address));
    return this.#channelIds.get(address);
  }

  async #listChannels(cursor: string | undefined, signal: AbortSignal) {
    try {
      return await withSignal(
        'conversations.list',
        this.#client.conversations.list({
          types: 'public_channel,private_channel',
          exclude_archived: true,
          limit: 1000,
          ...(cursor !== undefined && { cursor }),
        }),
        signal,
      );
    } catch (error) {
      if (error instanceof DeliveryError && error.permanent) {
        // Without channels:read the name cannot be resolved: post by name rather than never deliver.
        this.#deps.log.warn({ error: error.message }, 'cannot list Slack channels (add channels:read, groups:read)');
        return { channels: [], response_metadata: { next_cursor: '' } };
      }
      throw error;
    }
  }
}

/** The part of a history message the look-ups read. */
interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

function asRef(ref: MessageRef): SlackMessageRef {
  const { channel, ts } = ref;
  if (typeof channel !== 'string' || typeof ts !== 'string') {
    throw new DeliveryError(`the recorded Slack message ${JSON.stringify(ref)} has no channel and ts`, {
      permanent: true,
    });
  }
  return { channel, ts };
}
