import { type Action, CountersignError, isCountersignError, reviewRefusal, type Verdict } from '@countersign/core';
import type { AdaptiveCardActionResponse } from '@microsoft/teams.api';
import type { FastifyBaseLogger, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from '../../http/context.js';
import { validationError } from '../../http/problem.js';
import { reviewerFor } from '../../identity/index.js';
import { firstReceipt, forgetReceipts, maskAction } from '../index.js';
import { BotTokenVerifier, checkActivityOrigin, type VerifiedBotToken } from './auth.js';
import {
  approvalCard,
  type CardNotice,
  type CardVerb,
  cardVerbs,
  rejectReasonInput,
  rejectReasonMaxLength,
} from './card.js';
import type { TeamsConfig } from './channel.js';

/** Where Teams (the Bot Connector service) sends the bot's activities: the bot's messaging endpoint. */
export const teamsMessagesPath = '/v1/channels/teams/messages';

/** The parts of an inbound activity this endpoint reads (https://learn.microsoft.com/azure/bot-service/rest-api). */
const activitySchema = z.looseObject({
  type: z.string().min(1),
  id: z.string().min(1).max(512).optional(),
  name: z.string().optional(),
  channelId: z.string().optional(),
  serviceUrl: z.string().optional(),
  from: z.looseObject({ id: z.string(), aadObjectId: z.string().optional(), name: z.string().optional() }).optional(),
  conversation: z
    .looseObject({ id: z.string(), conversationType: z.string().optional(), tenantId: z.string().optional() })
    .optional(),
  channelData: z
    .looseObject({
      tenant: z.looseObject({ id: z.string() }).optional(),
      team: z.looseObject({ id: z.string().optional(), name: z.string().optional() }).optional(),
      channel: z.looseObject({ id: z.string().optional(), name: z.string().optional() }).optional(),
    })
    .optional(),
  value: z.unknown().optional(),
});
type Activity = z.infer<typeof activitySchema>;

/** The `value` of an `adaptiveCard/action` invoke from one of our cards. */
const cardActionSchema = z.looseObject({
  action: z.looseObject({
    type: z.literal('Action.Execute'),
    verb: z.string(),
    data: z
      .looseObject({ actionId: z.string().min(1).max(128), [rejectReasonInput]: z.string().optional() })
      .optional(),
  }),
  trigger: z.string().optional(),
});

/**
 * `POST /v1/channels/teams/messages`, the bot's messaging endpoint. The Bot Framework JWT is verified in `onRequest`,
 * before the body is even read; then the activity must match its token (`serviceUrl`, endorsed channel, and the
 * tenant when `channels.teams.tenantId` is set). `adaptiveCard/action` invokes from our cards are answered with
 * the card as that user should see it: `refresh` shows Approve / Reject only to a linked reviewer who may review
 * now; `approve` / `reject` review through the same service call as the API (same eligibility, quorum, audit) and
 * tell the user the outcome privately (an invoke response is seen by the invoking user only). Other activities are
 * acknowledged; installs and messages log their conversation id, which is how operators find what to configure.
 *
 * An encapsulated Fastify plugin: registered only when `channels.teams` is configured.
 */
export function teamsRoutes(context: ApiContext): FastifyPluginAsync {
  return async (app) => {
    const config = context.channels.config.teams;
    if (!config) return;
    const verifier = new BotTokenVerifier({
      appId: config.appId,
      openIdMetadataUrl: config.openIdMetadataUrl,
      clock: context.clock,
    });
    const verified = new WeakMap<FastifyRequest, VerifiedBotToken>();
    app.post(
      teamsMessagesPath,
      {
        onRequest: async (request, reply) => {
          try {
            verified.set(request, await verifier.verify(request.headers.authorization));
          } catch (error) {
            if (isCountersignError(error) && error.code === 'unauthenticated') {
              reply.header('www-authenticate', 'Bearer realm="countersign", error="invalid_token"');
            }
            throw error;
          }
        },
      },
      async (request, reply) => {
        const token = verified.get(request);
        if (!token) throw new CountersignError('unauthenticated', 'the Bot Framework token was not verified');
        const parsed = activitySchema.safeParse(request.body);
        if (!parsed.success) throw validationError('activity', parsed.error);
        const activity = parsed.data;
        checkActivityOrigin(token, activity);
        checkTenant(config, activity);
        if (activity.type === 'invoke' && activity.name === 'adaptiveCard/action') {
          return reply.code(200).send(await answerCardAction(context, activity, request.log));
        }
        if (['conversationUpdate', 'installationUpdate', 'message'].includes(activity.type)) {
          logConversation(request.log, activity);
        }
        return reply.code(200).send();
      },
    );
  };
}

/** With `channels.teams.tenantId` set (a single-tenant bot), activities from other tenants are refused. */
function checkTenant(config: TeamsConfig, activity: Activity): void {
  if (config.tenantId === undefined) return;
  const tenant = activity.channelData?.tenant?.id ?? activity.conversation?.tenantId;
  if (tenant?.toLowerCase() !== config.tenantId.toLowerCase()) {
    throw new CountersignError(
      'forbidden',
      `the activity comes from tenant ${tenant ?? '(none)'}, not channels.teams.tenantId`,
    );
  }
}

/** The ids an operator needs to send approval requests to the conversation an activity came from. */
function logConversation(log: FastifyBaseLogger, activity: Activity): void {
  const conversationId = activity.conversation?.id.split(';')[0];
  if (conversationId === undefined) return;
  log.info(
    {
      teams: {
        activity: activity.type,
        serviceUrl: activity.serviceUrl,
        conversationId,
        conversationType: activity.conversation?.conversationType,
        tenantId: activity.channelData?.tenant?.id ?? activity.conversation?.tenantId,
        team: activity.channelData?.team?.name,
        channel: activity.channelData?.channel?.name,
      },
    },
    'Teams activity received: to send approval requests to this conversation, add its serviceUrl and conversationId under channels.teams.conversations',
  );
}

/** Answers an `adaptiveCard/action` invoke: the card this user should see now, or why nothing happened. */
async function answerCardAction(
  context: ApiContext,
  activity: Activity,
  log: FastifyBaseLogger,
): Promise<AdaptiveCardActionResponse> {
  const value = cardActionSchema.safeParse(activity.value);
  const verb = value.success ? value.data.action.verb : undefined;
  const actionId = value.success ? value.data.action.data?.actionId : undefined;
  if (!value.success || actionId === undefined || !cardVerbs.includes(verb as CardVerb)) {
    return invokeError('BadRequest', 'this card action is not one Countersign sent');
  }
  const { service, database, clock } = context;
  const aadObjectId = activity.from?.aadObjectId?.toLowerCase();
  const reviewerId = aadObjectId !== undefined ? await reviewerFor(database.db, 'teams', aadObjectId) : undefined;
  const viewer: Viewer = { reviewerId, mri: activity.from?.id };
  const current = await service.get(actionId);
  if (!current) return invokeMessage(`Countersign has no request ${actionId}.`);
  if (verb === 'refresh') return invokeCard(context, current, viewer);

  const verdict: Verdict = verb === 'approve' ? 'approve' : 'reject';
  if (activity.id === undefined) return invokeError('BadRequest', 'the activity has no id');
  // A retried or replayed click is answered with the current card and reviews nothing.
  const receipt = `teams:${activity.id}`;
  if (!(await firstReceipt(database.db, receipt, clock.now()))) return invokeCard(context, current, viewer);
  if (reviewerId === undefined) {
    return invokeCard(context, current, viewer, {
      tone: 'attention',
      text: `Not recorded: your Teams account is not linked to a Countersign reviewer. An administrator can link it with: countersign reviewers link YOUR-REVIEWER-ID --teams ${aadObjectId ?? '(your Entra object id)'}`,
    });
  }
  const reason = value.data.action.data?.[rejectReasonInput]?.trim();
  if (verdict === 'reject' && (reason === undefined || reason === '')) {
    return invokeCard(context, current, viewer, { tone: 'attention', text: 'Give a reason to reject this request.' });
  }
  if (reason !== undefined && reason.length > rejectReasonMaxLength) {
    return invokeCard(context, current, viewer, {
      tone: 'attention',
      text: `The reason is too long (at most ${rejectReasonMaxLength} characters).`,
    });
  }
  try {
    const reviewed = await service.review(
      actionId,
      service.reviewer(reviewerId),
      verdict,
      verdict === 'reject' ? reason : undefined,
      'teams',
    );
    return invokeCard(context, reviewed, viewer, {
      tone: 'good',
      text:
        verdict === 'approve'
          ? `You approved this request as ${reviewerId}.`
          : `You rejected this request as ${reviewerId}.`,
    });
  } catch (error) {
    // Failed unexpectedly: Teams' retry of this activity must be handled, not answered as a duplicate.
    if (!isCountersignError(error)) await forgetReceipts(database.db, [receipt]).catch(() => {});
    if (!isCountersignError(error) || !refusalCodes.has(error.code)) throw error;
    log.info({ action: actionId, reviewer: reviewerId, code: error.code }, 'Teams review refused');
    const now = (await service.get(actionId)) ?? current;
    return invokeCard(context, now, viewer, { tone: 'attention', text: `Not recorded: ${error.message}` });
  }
}

/** Refusals a reviewer is told about privately (they are audited by the service as `action.review_refused`). */
const refusalCodes = new Set(['self_approval', 'not_eligible', 'already_reviewed', 'not_pending', 'not_found']);

/** The user an invoke comes from: their reviewer, if linked, and their Teams user MRI. */
interface Viewer {
  reviewerId: string | undefined;
  mri: string | undefined;
}

/**
 * The card as this viewer should see it: masked, current, with Approve / Reject only when they are a linked
 * reviewer no rule refuses now. An eligible reviewer's card keeps refreshing by itself for them.
 */
function invokeCard(
  context: ApiContext,
  action: Action,
  viewer: Viewer,
  notice?: CardNotice,
): AdaptiveCardActionResponse {
  const canReview =
    viewer.reviewerId !== undefined &&
    reviewRefusal(action, context.service.reviewer(viewer.reviewerId), context.clock.now()) === undefined;
  const card = approvalCard(maskAction(action, context.channels.redaction), {
    buttons: canReview,
    refreshUserIds: canReview && viewer.mri !== undefined ? [viewer.mri] : [],
    ...(notice && { notice }),
  });
  return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card };
}

function invokeMessage(text: string): AdaptiveCardActionResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text };
}

function invokeError(code: string, message: string): AdaptiveCardActionResponse {
  return {
    statusCode: 400,
    type: 'application/vnd.microsoft.error',
    value: { code, message, innerHttpError: { statusCode: 400, body: { message } } },
  };
}
