import { reviewRefusal } from '@countersign/core';
import { Client, MessageActivityInput } from '@microsoft/teams.api';
import type { ServerConfig } from '../../config/index.js';
import { linkedUsers, normalizeReviewerId } from '../../identity/index.js';
import type { PolicyHolder } from '../../policy/index.js';
import {
  type Channel,
  type ChannelDeps,
  type Delivery,
  DeliveryError,
  type MaskedAction,
  type MessageRef,
  type Notification,
} from '../index.js';
import { BotFrameworkTokenClient, retryAfterMsOf } from './auth.js';
import { approvalCard, escalationNotice, maxRefreshUserIds, reminderNotice, summaryOf } from './card.js';

/** The `channels.teams` section of the server config. */
export type TeamsConfig = NonNullable<ServerConfig['channels']['teams']>;

/** Where a Teams approval card lives, as recorded for later updates and thread replies. */
export interface TeamsMessageRef extends MessageRef {
  serviceUrl: string;
  conversationId: string;
  activityId: string;
}

/** The default token endpoint: the app's tenant, or `botframework.com` for a multi-tenant bot. */
export function defaultTokenUrl(tenantId: string | undefined): string {
  return `https://login.microsoftonline.com/${tenantId ?? 'botframework.com'}/oauth2/v2.0/token`;
}

/**
 * Microsoft Teams delivery through the Bot Connector API, with the official Teams SDK client (`@microsoft/teams.api`)
 * pointed at each conversation's service URL. `teams:NAME` targets name conversations in `channels.teams.conversations`.
 *
 * - `action.pending` posts the approval card (no buttons; a `refresh` clause lists the eligible linked reviewers).
 * - Every later event updates that card in place (PUT), so it always shows the current state and who decided;
 *   escalations and reminders also post a notice in the card's thread.
 * - A card whose post was dead-lettered, or that was deleted in Teams, is posted afresh by the next event, showing
 *   the state at that time.
 * - An in-doubt post (`uncertain`) is simply posted again: bots cannot read a conversation's history, so the rare
 *   duplicate is accepted. Both copies stay truthful: any refresh or click answers from the current state.
 */
export class TeamsChannel implements Channel {
  readonly kind = 'teams' as const;
  readonly #config: TeamsConfig;
  readonly #deps: ChannelDeps;
  readonly #tokens: BotFrameworkTokenClient;
  readonly #members = new TeamsMemberDirectory();

  constructor(config: TeamsConfig, deps: ChannelDeps) {
    this.#config = config;
    this.#deps = deps;
    this.#tokens = new BotFrameworkTokenClient({
      appId: config.appId,
      appPassword: config.appPassword,
      tokenUrl: config.tokenUrl ?? defaultTokenUrl(config.tenantId),
      clock: deps.clock,
    });
  }

  check(address: string): string | undefined {
    if (Object.hasOwn(this.#config.conversations, address)) return undefined;
    const names = Object.keys(this.#config.conversations);
    return names.length === 0
      ? `no Teams conversation is configured yet: add ${address} under channels.teams.conversations (see docs/channels.md)`
      : `no Teams conversation named ${address} in channels.teams.conversations (configured: ${names.join(', ')})`;
  }

  async deliver(notification: Notification, signal: AbortSignal): Promise<Delivery> {
    const conversation = this.#config.conversations[notification.address];
    if (!conversation) throw new DeliveryError(this.check(notification.address) ?? 'unknown', { permanent: true });
    const action = notification.action;
    // First the app token: when the token endpoint fails, nothing else is worth trying.
    await this.#call('get an app token', () => this.#tokens.token());
    let ref = messageRefOf(notification.message);
    // The request itself, or a later event whose request never got posted (dead-lettered): post the current state.
    if (!ref) return { message: await this.#post(action, conversation, signal) };

    let reposted: TeamsMessageRef | undefined;
    if (notification.event !== 'action.reminder') {
      const api = this.#api(ref.serviceUrl, signal);
      const { conversationId, activityId } = ref;
      const card = approvalCard(action, { refreshUserIds: await this.#refreshUserIds(action, api, conversationId) });
      const updated = await this.#call('update the approval card', async () => {
        try {
          await api.conversations.updateActivity(
            pathSegment(conversationId),
            pathSegment(activityId),
            cardActivity(action, card),
          );
          return true;
        } catch (error) {
          // The card was deleted in Teams: post it again, showing the current state, rather than lose it.
          if (httpStatusOf(error) === 404) return false;
          throw error;
        }
      });
      if (!updated) {
        reposted = await this.#post(action, conversation, signal);
        ref = reposted;
      }
    }
    const notice =
      notification.event === 'action.escalated'
        ? escalationNotice(action)
        : notification.event === 'action.reminder'
          ? reminderNotice(action)
          : undefined;
    if (notice !== undefined) {
      const api = this.#api(ref.serviceUrl, signal);
      const { conversationId, activityId } = ref;
      await this.#call('reply in the card’s thread', () =>
        // The SDK puts the second argument in the body's replyToId, not in the path.
        api.conversations.replyToActivity(
          pathSegment(threadConversationId(conversationId, activityId)),
          activityId,
          new MessageActivityInput(notice),
        ),
      );
    }
    return reposted ? { message: reposted } : {};
  }

  /** Posts the card for `action` to a configured conversation and returns where it is. */
  async #post(
    action: MaskedAction,
    conversation: TeamsConfig['conversations'][string],
    signal: AbortSignal,
  ): Promise<TeamsMessageRef> {
    const api = this.#api(conversation.serviceUrl, signal);
    const card = approvalCard(action, {
      refreshUserIds: await this.#refreshUserIds(action, api, conversation.conversationId),
    });
    const sent = await this.#call('post the approval card', () =>
      api.conversations.createActivity(pathSegment(conversation.conversationId), cardActivity(action, card)),
    );
    return { serviceUrl: conversation.serviceUrl, conversationId: conversation.conversationId, activityId: sent.id };
  }

  /** A Bot Connector client for one service URL, authenticated with the app token, bound to the delivery's signal. */
  #api(serviceUrl: string, signal: AbortSignal): Client {
    return new Client(serviceUrl.replace(/\/+$/, ''), {
      token: () => this.#tokens.token(),
      // Only a request interceptor: the SDK turns a response interceptor without an error handler into a success.
      interceptors: [{ request: ({ config }) => Object.assign(config, { signal }) }],
    });
  }

  async #call<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const failure = deliveryErrorOf(`Teams: ${what}`, error, this.#deps.clock.now());
      if (httpStatusOf(error) === 401) this.#tokens.invalidate();
      throw failure;
    }
  }

  /**
   * The Teams user MRIs (`29:…`) of the linked reviewers who may review `action` now, for the card's `refresh`
   * clause (at most 60). Teams documents these ids as user MRIs; links hold Entra object ids, so each is looked up
   * in the conversation's roster (the Bot Connector accepts the object id there) and cached. A reviewer who is not
   * in the conversation is left out; a failed lookup only costs that reviewer the automatic refresh (the message
   * menu's Refresh card still works), so it never fails the delivery.
   */
  async #refreshUserIds(action: MaskedAction, api: Client, conversationId: string): Promise<string[]> {
    if (action.status !== 'pending') return [];
    const { db, policy, clock, log } = this.#deps;
    const now = clock.now();
    const reviewers = eligibleReviewers(action, policy, now);
    const links = (await linkedUsers(db, 'teams', reviewers)).slice(0, maxRefreshUserIds);
    const ids = await Promise.all(
      links.map((link) =>
        this.#members.mri(api, conversationId, link.externalId, now.getTime()).catch((error: unknown) => {
          log.warn(
            { err: error, reviewer: link.reviewer, conversationId },
            'cannot look up a reviewer in the Teams conversation; their card will not refresh by itself',
          );
          return undefined;
        }),
      ),
    );
    return [...new Set(ids.filter((id): id is string => id !== undefined))];
  }
}

/** The reviewers who may review `action` right now: members of the allowed groups whom no rule refuses. */
export function eligibleReviewers(action: MaskedAction, policy: PolicyHolder, now: Date): string[] {
  const groups = new Set(
    action.approval.requirements.flatMap((r) =>
      r.escalated && r.escalate ? [...r.groups, ...r.escalate.to] : r.groups,
    ),
  );
  const candidates = new Set<string>();
  for (const group of groups) {
    // Links are stored under normalised reviewer ids.
    for (const member of policy.current.groups.get(group) ?? []) candidates.add(normalizeReviewerId(member));
  }
  return [...candidates].filter((id) => reviewRefusal(action, { id, groups: policy.groupsOf(id) }, now) === undefined);
}

/**
 * Entra object id → Teams user MRI in a conversation, from the Bot Connector roster (`GET …/members/{objectId}`),
 * remembered for an hour (ten minutes for "not a member", so someone added to the team is found soon).
 */
class TeamsMemberDirectory {
  readonly #entries = new Map<string, { mri: string | undefined; until: number }>();

  async mri(api: Client, conversationId: string, aadObjectId: string, now: number): Promise<string | undefined> {
    const key = `${api.serviceUrl}\n${conversationId}\n${aadObjectId}`;
    const cached = this.#entries.get(key);
    if (cached && cached.until > now) return cached.mri;
    let mri: string | undefined;
    try {
      const member = await api.conversations.getMemberById(pathSegment(conversationId), pathSegment(aadObjectId));
      mri = typeof member.id === 'string' && member.id !== '' ? member.id : undefined;
    } catch (error) {
      if (httpStatusOf(error) !== 404) throw error;
    }
    if (this.#entries.size >= 10_000) this.#entries.clear();
    this.#entries.set(key, { mri, until: now + (mri === undefined ? 600_000 : 3_600_000) });
    return mri;
  }
}

/** The message activity carrying a card. */
function cardActivity(action: MaskedAction, card: ReturnType<typeof approvalCard>): MessageActivityInput {
  return new MessageActivityInput(undefined, { summary: summaryOf(action) }).addCard('adaptive', card);
}

/**
 * Where a reply to `activityId` goes: in a Teams channel a thread is its own conversation
 * (`19:…@thread.tacv2;messageid=<root>`), as the Teams SDKs' threaded conversation ids have it; chats are flat.
 */
export function threadConversationId(conversationId: string, activityId: string): string {
  return /@thread\.(tacv2|skype)$/.test(conversationId) ? `${conversationId};messageid=${activityId}` : conversationId;
}

/**
 * An id as a URL path segment. The SDK puts ids into paths as given; Teams ids hold `:`, `@` and `;`, so they are
 * encoded here, as the Bot Framework SDKs do.
 */
function pathSegment(id: string): string {
  return encodeURIComponent(id);
}

function messageRefOf(message: MessageRef | undefined): TeamsMessageRef | undefined {
  if (!message) return undefined;
  const { serviceUrl, conversationId, activityId } = message;
  return serviceUrl && conversationId && activityId ? { serviceUrl, conversationId, activityId } : undefined;
}

/** The HTTP status of a failed SDK call (its HTTP client is axios), if the service answered. */
function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { response?: { status?: unknown } } | undefined)?.response?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * How a failed Bot Connector call is retried. 401/403/404 (bad credentials, bot removed from the conversation,
 * conversation gone) and other refusals of a request that was understood are dead-lettered at once; 429 waits
 * `Retry-After`; 5xx answers, timeouts and dropped connections are retried and marked in doubt (Teams may have
 * acted); a connection that never opened is retried without doubt.
 */
export function deliveryErrorOf(what: string, error: unknown, now: Date): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const status = httpStatusOf(error);
  const response = (error as { response?: { headers?: Record<string, unknown>; data?: unknown } }).response;
  if (status !== undefined) {
    const detail = connectorErrorCode(response?.data);
    const message = `${what}: HTTP ${status}${detail ? ` ${detail}` : ''}`;
    if (status === 429) {
      const header = response?.headers?.['retry-after'];
      const retryAfterMs = retryAfterMsOf(typeof header === 'string' ? header : undefined, now);
      return new DeliveryError(message, { ...(retryAfterMs !== undefined && { retryAfterMs }), cause: error });
    }
    if (status >= 500) return new DeliveryError(message, { inDoubt: true, cause: error });
    if (status === 408 || status === 409 || status === 412) return new DeliveryError(message, { cause: error });
    return new DeliveryError(message, { permanent: true, cause: error });
  }
  const code = (error as { code?: unknown }).code;
  const notSent = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
  return new DeliveryError(`${what}: ${String(code ?? (error as Error)?.message ?? error)}`, {
    inDoubt: !notSent,
    cause: error,
  });
}

function connectorErrorCode(data: unknown): string | undefined {
  const code = (data as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof code === 'string' ? code : undefined;
}
