import { createHash } from 'node:crypto';
import { CountersignError, isCountersignError, reviewRefusal } from '@countersign/core';
import type { WebClient } from '@slack/web-api';
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../../http/context.js';
import { normalizeReviewerId, reviewerFor } from '../../identity/index.js';
import { firstReceipt, forgetReceipts, maskAction } from '../index.js';
import { escapeMrkdwn, rejectModal, rejectModalIds, slackButtons } from './blocks.js';
import type { SlackConfig } from './channel.js';
import { slackSignatureProblem } from './signature.js';
import { slackClient } from './web-api.js';

/** Where Slack sends button clicks and modal submissions (the app's interactivity Request URL). */
export const slackInteractionsPath = '/v1/channels/slack/interactions';

/**
 * Slack waits 3 s for an answer. Everything the handler does before answering is local database work, except
 * `views.open` (its `trigger_id` dies with those 3 s) and the profile look-up of `linkByEmail`: these get this long.
 */
const interactiveTimeoutMs = 1_500;

/**
 * `POST /v1/channels/slack/interactions`: Approve clicks, Reject clicks (which open a modal for the reason) and the
 * modal's submission. Each request is verified with the signing secret on its raw bytes before anything in it is
 * parsed (401 `unauthenticated` otherwise), recorded so a retry or replay does nothing, and mapped to a reviewer by
 * an explicit link (or the Slack profile's email when `linkByEmail` is on). Reviews go through the same service,
 * eligibility and quorum as the API; a refused click changes nothing and the user is told why, privately. The
 * message itself is updated by the outbox, from the notifications the review's transaction wrote.
 *
 * An encapsulated plugin: its raw-body parser applies to this route only. Registers nothing without Slack config.
 */
export function slackInteractions(context: ApiContext): FastifyPluginAsync {
  return async (app) => {
    const config = context.channels.config.slack;
    if (!config) return;
    const interactions = new SlackInteractions(context, config, app.log);
    // Every content type arrives as raw bytes: the signature is over them, and nothing is parsed before it checks.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    app.post(slackInteractionsPath, async (request, reply) => {
      const answer = await interactions.handle({
        body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        timestamp: header(request.headers['x-slack-request-timestamp']),
        signature: header(request.headers['x-slack-signature']),
      });
      reply.code(200);
      if (answer.body === undefined) reply.send();
      else reply.type('application/json; charset=utf-8').send(answer.body);
      // Private notices go out after the answer: Slack is not kept waiting for them.
      answer.afterwards?.().catch((error: unknown) => {
        request.log.warn({ err: error }, 'a private Slack notice could not be sent');
      });
      return reply;
    });
  };
}

/** What the route answers: a JSON body (or none), and work to do once the answer is on its way. */
interface InteractionAnswer {
  body?: Record<string, unknown>;
  afterwards?: () => Promise<void>;
}

const userSchema = z.looseObject({ id: z.string().min(1).max(32) });

const blockActionsSchema = z.looseObject({
  type: z.literal('block_actions'),
  user: userSchema,
  trigger_id: z.string().optional(),
  channel: z.looseObject({ id: z.string() }).optional(),
  container: z.looseObject({ channel_id: z.string().optional(), message_ts: z.string().optional() }).optional(),
  message: z.looseObject({ ts: z.string() }).optional(),
  actions: z.array(
    z.looseObject({ action_id: z.string(), value: z.string().optional(), action_ts: z.string().optional() }),
  ),
});

const viewSubmissionSchema = z.looseObject({
  type: z.literal('view_submission'),
  user: userSchema,
  view: z.looseObject({
    id: z.string(),
    callback_id: z.string().optional(),
    private_metadata: z.string().optional(),
    state: z
      .looseObject({
        values: z.record(z.string(), z.record(z.string(), z.looseObject({ value: z.string().nullish() }))),
      })
      .optional(),
  }),
});

const modalOriginSchema = z.object({ actionId: z.string().min(1), channel: z.string(), ts: z.string() });

type BlockActions = z.infer<typeof blockActionsSchema>;
type ViewSubmission = z.infer<typeof viewSubmissionSchema>;

class SlackInteractions {
  readonly #context: ApiContext;
  readonly #config: SlackConfig;
  readonly #client: WebClient;
  #team: Promise<string | undefined> | undefined;
  readonly #log: Pick<FastifyBaseLogger, 'warn'>;

  constructor(context: ApiContext, config: SlackConfig, log: Pick<FastifyBaseLogger, 'warn'>) {
    this.#context = context;
    this.#config = config;
    this.#client = slackClient(config, interactiveTimeoutMs);
    this.#log = log;
  }

  async handle(request: {
    body: Buffer;
    timestamp: string | undefined;
    signature: string | undefined;
  }): Promise<InteractionAnswer> {
    const { db } = this.#context.database;
    const now = this.#context.clock.now();
    const problem = slackSignatureProblem({
      signingSecret: this.#config.signingSecret,
      timestamp: request.timestamp,
      signature: request.signature,
      body: request.body,
      now,
    });
    if (problem !== undefined) throw new CountersignError('unauthenticated', `not a request from Slack: ${problem}`);
    // The same signed request again (a replay within the 5 minutes, or a retry of this exact request): done already.
    const claimed: string[] = [];
    const first = async (key: string) => {
      if (!(await firstReceipt(db, key, now))) return false;
      claimed.push(key);
      return true;
    };
    try {
      if (!(await first(`slack:${request.signature}`))) return {};
      return await this.#dispatch(request, first);
    } catch (error) {
      // Handling failed unexpectedly (a 500): Slack will retry, and the retry must be handled, not taken for a
      // duplicate. Refusals (CountersignError) were answered and stay received.
      if (!isCountersignError(error)) await forgetReceipts(db, claimed).catch(() => {});
      throw error;
    }
  }

  async #dispatch(
    request: { body: Buffer; signature: string | undefined },
    first: (key: string) => Promise<boolean>,
  ): Promise<InteractionAnswer> {
    const payload = parsePayload(request.body);
    const kind = z.looseObject({ type: z.string() }).safeParse(payload);
    if (!kind.success) throw new CountersignError('validation_failed', 'the Slack payload has no type');
    // A retry from Slack (X-Slack-Retry-Num) carries a new timestamp, so a new signature: the click or submission
    // itself is keyed too, so that a retry of one already handled does nothing and one never handled counts once.
    switch (kind.data.type) {
      case 'block_actions': {
        const clicks = parse(blockActionsSchema, payload);
        const click = clicks.actions.find((action) => Object.values<string>(slackButtons).includes(action.action_id));
        if (!click) return {};
        if (!(await first(`slack:click:${clicks.user.id}:${click.action_ts ?? request.signature}`))) return {};
        return click.action_id === slackButtons.approve ? this.#approve(clicks, click) : this.#reject(clicks, click);
      }
      case 'view_submission': {
        const submission = parse(viewSubmissionSchema, payload);
        if (submission.view.callback_id !== rejectModalIds.callbackId) return {};
        if (!(await first(`slack:view:${submission.view.id}:${digest(submission.view.state?.values ?? {})}`))) {
          return {};
        }
        return this.#submitRejection(submission);
      }
      default:
        // Shortcuts, message actions, view_closed…: not ours to handle.
        return {};
    }
  }

  /** An Approve click: a review by the linked reviewer, or a private word on why it changed nothing. */
  async #approve(clicks: BlockActions, click: BlockActions['actions'][number]): Promise<InteractionAnswer> {
    const where = origin(clicks);
    const actionId = click.value ?? '';
    const reviewer = await this.#reviewerOf(clicks.user.id);
    if (!reviewer) return { afterwards: () => this.#tell(where, clicks.user.id, this.#unlinkedText(clicks.user.id)) };
    const { service } = this.#context;
    try {
      await service.review(actionId, service.reviewer(reviewer), 'approve', undefined, 'slack');
      return {};
    } catch (error) {
      if (!isCountersignError(error)) throw error;
      return { afterwards: () => this.#tell(where, clicks.user.id, refusalText(error.code, error.message)) };
    }
  }

  /** A Reject click: the modal asking for the reason, for a reviewer who may reject; a private word otherwise. */
  async #reject(clicks: BlockActions, click: BlockActions['actions'][number]): Promise<InteractionAnswer> {
    const where = origin(clicks);
    const userId = clicks.user.id;
    const reviewer = await this.#reviewerOf(userId);
    if (!reviewer) return { afterwards: () => this.#tell(where, userId, this.#unlinkedText(userId)) };
    const { service, clock, channels } = this.#context;
    const action = await service.get(click.value ?? '');
    if (!action) return { afterwards: () => this.#tell(where, userId, refusalText('not_found', 'no such action')) };
    const refusal = reviewRefusal(action, service.reviewer(reviewer), clock.now());
    if (refusal) return { afterwards: () => this.#tell(where, userId, refusalText(refusal.code, refusal.message)) };
    if (!clicks.trigger_id) return {};
    try {
      await this.#client.views.open({
        trigger_id: clicks.trigger_id,
        view: rejectModal(maskAction(action, channels.redaction), {
          channel: where.channel ?? '',
          ts: where.ts ?? '',
        }),
      });
    } catch (error) {
      this.#log.warn({ err: error, action: action.id }, 'Slack views.open failed: the reject modal did not open');
    }
    return {};
  }

  /** The reject modal submitted: a rejection with its reason, or the modal shows why not. */
  async #submitRejection(submission: ViewSubmission): Promise<InteractionAnswer> {
    const fieldError = (text: string): InteractionAnswer => ({
      body: { response_action: 'errors', errors: { [rejectModalIds.reasonBlock]: text.slice(0, 2000) } },
    });
    const origin = modalOriginSchema.safeParse(safeJson(submission.view.private_metadata ?? ''));
    if (!origin.success) return fieldError('This form is not from Countersign; reject from the message again.');
    const reason = submission.view.state?.values[rejectModalIds.reasonBlock]?.[rejectModalIds.reasonInput]?.value;
    if (!reason?.trim()) return fieldError('Say why you reject it.');
    const reviewer = await this.#reviewerOf(submission.user.id);
    if (!reviewer) return fieldError(plainText(this.#unlinkedText(submission.user.id)));
    const { service } = this.#context;
    try {
      await service.review(origin.data.actionId, service.reviewer(reviewer), 'reject', reason.trim(), 'slack');
      return {};
    } catch (error) {
      if (!isCountersignError(error)) throw error;
      return fieldError(plainText(refusalText(error.code, error.message)));
    }
  }

  /**
   * The reviewer a Slack user acts as: their explicit link, else (when enabled) their profile's email — but only for
   * a full member of our own workspace with a confirmed email. A guest, or a Slack Connect member of a shared
   * channel, can click our buttons too, and their own organisation decides what email their profile shows.
   */
  async #reviewerOf(userId: string): Promise<string | undefined> {
    const linked = await reviewerFor(this.#context.database.db, 'slack', userId);
    if (linked !== undefined || !this.#config.linkByEmail) return linked;
    try {
      const [{ user }, team] = await Promise.all([this.#client.users.info({ user: userId }), this.#ownTeam()]);
      const email = user?.profile?.email;
      if (!user || !email || team === undefined) return undefined;
      const member =
        user.team_id === team &&
        user.is_email_confirmed === true &&
        !user.is_stranger &&
        !user.is_restricted &&
        !user.is_ultra_restricted &&
        !user.deleted &&
        !user.is_bot;
      if (!member) return undefined;
      const reviewer = normalizeReviewerId(email);
      // Only an email that is a reviewer in the policy counts: any other is just a Slack user.
      return this.#context.policy.groupsOf(reviewer).length > 0 ? reviewer : undefined;
    } catch (error) {
      this.#log.warn({ err: error, user: userId }, 'Slack users.info failed: the user could not be mapped by email');
      return undefined;
    }
  }

  /** Our workspace's id (`auth.test` of the bot token), asked once; a failed call is asked again next time. */
  #ownTeam(): Promise<string | undefined> {
    this.#team ??= this.#client.auth.test().then(
      (answer) => answer.team_id,
      (error: unknown) => {
        this.#team = undefined;
        throw error;
      },
    );
    return this.#team;
  }

  #unlinkedText(userId: string): string {
    return (
      `:link: Your Slack account is not linked to a Countersign reviewer, so your click changed nothing. ` +
      `An admin can link it with \`countersign reviewers link REVIEWER --slack ${escapeMrkdwn(userId)}\`` +
      (this.#config.linkByEmail
        ? ' (your Slack profile email does not count either: it is no reviewer’s in the policy, or you are a guest or from outside this workspace).'
        : '.')
    );
  }

  /** A message only `userId` sees, in the channel the click came from. */
  async #tell(where: { channel: string | undefined }, userId: string, text: string): Promise<void> {
    if (!where.channel) return;
    await this.#client.chat.postEphemeral({ channel: where.channel, user: userId, text });
  }
}

/** Why a review from Slack changed nothing, for the person who clicked. */
function refusalText(code: string, detail: string): string {
  const lead: Record<string, string> = {
    self_approval:
      ':no_entry: You are on the requesting side of this action (its agent, owner or the person it acts for), so you can never review it.',
    not_eligible: ':no_entry: You are not in a group that may review this action.',
    already_reviewed: ':information_source: You have already reviewed this action; each reviewer counts once.',
    not_pending: ':information_source: This action is no longer pending.',
    not_found: ':grey_question: This action does not exist.',
  };
  return `${lead[code] ?? ':warning: Your review was refused.'} Nothing changed. _${escapeMrkdwn(detail)}_`;
}

/** mrkdwn without its markup, for modal field errors (plain text). */
function plainText(mrkdwn: string): string {
  return mrkdwn
    .replace(/:[a-z_]+: /g, '')
    .replace(/[_`]/g, '')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

function origin(clicks: BlockActions): { channel: string | undefined; ts: string | undefined } {
  return {
    channel: clicks.channel?.id ?? clicks.container?.channel_id,
    ts: clicks.message?.ts ?? clicks.container?.message_ts,
  };
}

/** The `payload` field of Slack's form body, parsed (after the signature was checked). */
function parsePayload(body: Buffer): unknown {
  const payload = new URLSearchParams(body.toString('utf8')).get('payload');
  const parsed = payload === null ? undefined : safeJson(payload);
  if (parsed === undefined) {
    throw new CountersignError('validation_failed', 'expected a form body with a JSON payload field, as Slack sends');
  }
  return parsed;
}

function parse<T>(schema: z.ZodType<T>, payload: unknown): T {
  const result = schema.safeParse(payload);
  if (!result.success) {
    throw new CountersignError('validation_failed', `unexpected Slack payload: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
