import {
  actionSchema,
  actionStatusSchema,
  CountersignError,
  isTerminal,
  outcomeSchema,
  reviewInputSchema,
  submittedActionSchema,
} from '@countersign/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { StoredAction } from '../../actions/service.js';
import type { Principal } from '../../identity/index.js';
import type { ApiContext } from '../context.js';
import { defineRoute, type RouteSpec, viaOf } from '../route.js';

export const grantSchema = z.object({
  token: z.string().describe('The grant JWT (EdDSA); give it to the executor, which verifies or redeems it'),
  expiresAt: z.iso.datetime(),
});

export const actionResponseSchema = actionSchema
  .extend({ grant: grantSchema.optional().describe('Only for the requesting agent, once approved') })
  .meta({ id: 'Action' });

const idParams = z.object({ id: z.string().min(1).max(64) });

const waitQuery = z.object({
  wait: z.coerce
    .number()
    .int()
    .min(0)
    .max(60, 'wait is at most 60 seconds; ask again to wait longer')
    .optional()
    .describe('Seconds to long-poll while the action is pending (≤ 60)'),
});

const listQuery = z.object({
  status: actionStatusSchema.optional(),
  reviewable: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('Reviewers: only actions you may review now'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional().describe('nextCursor of the previous page'),
});

const idempotencyKeySchema = z.string().min(1).max(255);

/** Agents see only their own actions; reviewers and the admin see all. Unknown and hidden look the same. */
async function visibleAction(context: ApiContext, principal: Principal, id: string): Promise<StoredAction> {
  const stored = await context.service.read(id);
  if (!stored || (principal.kind === 'agent' && stored.action.requester.agent !== principal.agent.id)) {
    throw new CountersignError('not_found', `no action ${id}`);
  }
  return stored;
}

/** The action as `principal` may see it: the grant goes to the requesting agent only. */
async function present(
  context: ApiContext,
  principal: Principal,
  { action, grant }: StoredAction,
): Promise<Record<string, unknown>> {
  if (principal.kind !== 'agent' || principal.agent.id !== action.requester.agent) return action;
  const token = await context.service.grantToken(action, grant);
  return token ? { ...action, grant: token } : action;
}

export function actionRoutes(context: ApiContext): RouteSpec[] {
  const { service, events } = context;
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/actions',
      tag: 'actions',
      summary: 'Submit an action',
      description:
        'The policy decides at once: allow (approved, with a grant), deny, or require approval (pending). Send an Idempotency-Key to make retries safe.',
      auth: ['agent'],
      body: submittedActionSchema,
      responses: { 201: actionResponseSchema, 200: actionResponseSchema },
      errors: [
        'validation_failed',
        'justification_required',
        'conflict',
        'unauthenticated',
        'forbidden',
        'payload_too_large',
      ],
      async handler({ body, principal, request, reply }) {
        const header = request.headers['idempotency-key'];
        let idempotencyKey: string | undefined;
        if (header !== undefined) {
          const parsed = idempotencyKeySchema.safeParse(header);
          if (!parsed.success) {
            throw new CountersignError('validation_failed', 'Idempotency-Key must be 1 to 255 characters', {
              issues: [{ path: 'header.Idempotency-Key', message: 'must be 1 to 255 characters' }],
            });
          }
          idempotencyKey = parsed.data;
        }
        const { action, created, grant } = await service.submit(principal.agent, body, {
          via: viaOf(request),
          ...(idempotencyKey !== undefined && { idempotencyKey }),
        });
        context.metrics.submissions.inc({ effect: action.decision.effect, replay: String(!created) });
        reply.code(created ? 201 : 200);
        reply.header('location', `/v1/actions/${action.id}`);
        const token = await service.grantToken(action, grant);
        return token ? { ...action, grant: token } : action;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/actions/:id',
      tag: 'actions',
      summary: 'Get an action, optionally long-polling until it is decided',
      description:
        'With wait=N the response is held until the action leaves pending or N seconds pass (then it is returned still pending). Woken by LISTEN/NOTIFY, so a decision on any replica answers at once.',
      auth: ['agent', 'reviewer', 'admin'],
      params: idParams,
      query: waitQuery,
      responses: { 200: actionResponseSchema },
      errors: ['not_found', 'validation_failed', 'unauthenticated'],
      async handler({ params, query, principal, request }) {
        let stored = await visibleAction(context, principal, params.id);
        const wait = query.wait ?? 0;
        if (wait > 0 && stored.action.status === 'pending') {
          const deadline = Date.now() + wait * 1000;
          const abort = new AbortController();
          const stop = () => abort.abort();
          request.raw.once('close', stop);
          context.shutdown.addEventListener('abort', stop, { once: true });
          try {
            while (stored.action.status === 'pending' && !abort.signal.aborted) {
              const left = deadline - Date.now();
              if (left <= 0) break;
              // Subscribe, then re-read: a change committed in between is never missed.
              const next = events.next(params.id, left, abort.signal);
              stored = await visibleAction(context, principal, params.id);
              if (stored.action.status !== 'pending') break;
              if ((await next) !== 'changed') break;
              stored = await visibleAction(context, principal, params.id);
            }
          } finally {
            request.raw.off('close', stop);
            context.shutdown.removeEventListener('abort', stop);
            abort.abort();
          }
        }
        return present(context, principal, stored);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/actions/:id/events',
      tag: 'actions',
      summary: 'Stream an action’s changes as Server-Sent Events',
      description:
        'Sends `event: action` with the action as JSON now and after every change; the stream ends once the action is terminal. A comment line every 15 s keeps proxies from closing it.',
      auth: ['agent', 'reviewer', 'admin'],
      params: idParams,
      responses: { 200: { contentType: 'text/event-stream', description: 'The action now and after each change' } },
      errors: ['not_found', 'unauthenticated'],
      async handler({ params, principal, request, reply }) {
        const first = await visibleAction(context, principal, params.id);
        await streamAction(context, principal, first, request, reply);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/actions',
      tag: 'actions',
      summary: 'List actions, newest first',
      description:
        'Agents see their own actions; reviewers and the admin see all. reviewable=true: what the calling reviewer may review now.',
      auth: ['agent', 'reviewer', 'admin'],
      query: listQuery,
      responses: { 200: z.object({ items: z.array(actionResponseSchema), nextCursor: z.string().optional() }) },
      errors: ['validation_failed', 'unauthenticated', 'forbidden'],
      async handler({ query, principal }) {
        if (query.reviewable && principal.kind !== 'reviewer') {
          throw new CountersignError(
            'forbidden',
            'reviewable=true lists what the calling reviewer may review; use a reviewer token',
          );
        }
        const page = await service.list({
          limit: query.limit,
          ...(query.status && { status: query.status }),
          ...(query.cursor && { cursor: query.cursor }),
          ...(principal.kind === 'agent' && { agentId: principal.agent.id }),
          ...(query.reviewable && principal.kind === 'reviewer' && { reviewableBy: service.reviewer(principal.id) }),
        });
        return page;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/actions/:id/reviews',
      tag: 'actions',
      summary: 'Approve or reject a pending action',
      description:
        'The reviewer must be in one of the requirement’s groups (or its escalation groups once escalated), must not be the agent, its owner or onBehalfOf, and counts once.',
      auth: ['reviewer'],
      params: idParams,
      body: reviewInputSchema,
      responses: { 200: actionResponseSchema },
      errors: [
        'self_approval',
        'not_eligible',
        'already_reviewed',
        'not_pending',
        'not_found',
        'validation_failed',
        'forbidden',
      ],
      async handler({ params, body, principal, request }) {
        const action = await service.review(
          params.id,
          service.reviewer(principal.id),
          body.verdict,
          body.comment,
          viaOf(request),
        );
        return action;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/actions/:id/cancel',
      tag: 'actions',
      summary: 'Withdraw a pending action (requesting agent only)',
      auth: ['agent'],
      params: idParams,
      responses: { 200: actionResponseSchema },
      errors: ['not_pending', 'not_found', 'forbidden'],
      async handler({ params, principal, request }) {
        await visibleAction(context, principal, params.id);
        return service.cancel(params.id, principal.agent.id, viaOf(request));
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/actions/:id/outcome',
      tag: 'actions',
      summary: 'Report how an approved action went (requesting agent only)',
      auth: ['agent'],
      params: idParams,
      body: outcomeSchema,
      responses: { 200: actionResponseSchema },
      errors: ['not_approved', 'not_found', 'forbidden', 'validation_failed'],
      async handler({ params, body, principal, request }) {
        await visibleAction(context, principal, params.id);
        return service.reportOutcome(params.id, principal.agent.id, body, viaOf(request));
      },
    }),
  ];
}

/** Writes the action as an SSE event now and after every change, until it is terminal or the client leaves. */
async function streamAction(
  context: ApiContext,
  principal: Principal,
  first: StoredAction,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const closed = new AbortController();
  const close = () => closed.abort();
  request.raw.once('close', close);
  context.shutdown.addEventListener('abort', close, { once: true });
  const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), 15_000);
  const send = async (stored: StoredAction) => {
    const body = await present(context, principal, stored);
    out.write(`id: ${stored.action.updatedAt}\nevent: action\ndata: ${JSON.stringify(body)}\n\n`);
  };
  const { id } = first.action;
  try {
    let { action } = first;
    // Subscribe before the first send, so nothing between the read and the subscription is missed.
    let next = context.events.next(id, 2 ** 31 - 1, closed.signal);
    await send(first);
    while (!isTerminal(action.status) && !closed.signal.aborted) {
      if ((await next) !== 'changed') break;
      next = context.events.next(id, 2 ** 31 - 1, closed.signal);
      const current = await context.service.read(id);
      if (!current) break;
      if (current.action.updatedAt !== action.updatedAt || current.action.status !== action.status) {
        action = current.action;
        await send(current);
      }
    }
  } finally {
    clearInterval(heartbeat);
    closed.abort();
    request.raw.off('close', close);
    context.shutdown.removeEventListener('abort', close);
    out.end();
  }
}
