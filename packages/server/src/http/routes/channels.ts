import { CountersignError } from '@countersign/core';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { appendAuditRecords } from '../../audit/index.js';
import {
  type LinkChannel,
  linkChannels,
  linkReviewer,
  linksOf,
  normalizeReviewerId,
  unlinkReviewer,
} from '../../identity/index.js';
import { listOutbox } from '../../outbox/index.js';
import { outbox, outboxStatuses } from '../../store/schema.js';
import type { ApiContext } from '../context.js';
import { defineRoute, type RouteSpec } from '../route.js';

const reviewerLinkSchema = z
  .object({
    channel: z.enum(linkChannels as [LinkChannel, ...LinkChannel[]]),
    externalId: z.string(),
    reviewer: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'ReviewerLink' });

const outboxItemSchema = z
  .object({
    id: z.number().int(),
    actionId: z.string(),
    target: z.string(),
    event: z.string(),
    status: z.enum(outboxStatuses),
    attempts: z.number().int(),
    nextAttemptAt: z.string(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'OutboxNotification' });

const reviewerParams = z.object({ reviewerId: z.string().min(1).max(320) });

/** Linking chat users to reviewers, and the notification outbox (dead letters and their retry). */
export function channelRoutes(context: ApiContext): RouteSpec[] {
  const { database, clock, policy, sequencer, channels } = context;
  const admin = { kind: 'system', id: 'admin', via: 'api' } as const;
  const transaction = <T>(work: Parameters<typeof database.db.transaction<T>>[0]) =>
    database.db.transaction(work).then((result) => {
      sequencer.poke();
      return result;
    });
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/reviewers/:reviewerId/links',
      tag: 'admin',
      summary: 'Link a Slack or Teams user to a reviewer, so their clicks count as that reviewer’s reviews',
      description:
        'A click in chat is a review only from a linked user (or, when channels.slack.linkByEmail is on, a Slack user whose profile email is a reviewer’s id). Linking a user already linked moves the link.',
      auth: ['admin'],
      params: reviewerParams,
      body: z
        .strictObject({
          slack: z.string().max(32).optional().describe('Slack member id (U024BE7LH)'),
          teams: z.string().max(64).optional().describe('Microsoft Entra ID object id of the Teams user'),
        })
        .refine((body) => body.slack !== undefined || body.teams !== undefined, 'give slack, teams or both'),
      responses: { 201: z.object({ reviewer: z.string(), links: z.array(reviewerLinkSchema) }) },
      errors: ['not_found', 'validation_failed', 'forbidden'],
      async handler({ params, body, reply }) {
        const reviewer = normalizeReviewerId(params.reviewerId);
        if (policy.groupsOf(reviewer).length === 0) {
          throw new CountersignError(
            'not_found',
            `${params.reviewerId} is in none of the policy's groups; add them to a group in ${policy.path} and reload before linking`,
          );
        }
        const links = await transaction(async (tx) => {
          const made = [];
          for (const channel of linkChannels) {
            const externalId = body[channel];
            if (externalId !== undefined) {
              made.push(await linkReviewer(tx, { channel, externalId, reviewer }, admin, clock.now()));
            }
          }
          return made;
        });
        reply.code(201);
        return { reviewer, links };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/reviewers/:reviewerId/links',
      tag: 'admin',
      summary: 'The Slack and Teams users linked to a reviewer',
      auth: ['admin'],
      params: reviewerParams,
      responses: { 200: z.object({ reviewer: z.string(), links: z.array(reviewerLinkSchema) }) },
      async handler({ params }) {
        const reviewer = normalizeReviewerId(params.reviewerId);
        return { reviewer, links: await linksOf(database.db, reviewer) };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/reviewers/:reviewerId/links/:channel/:externalId',
      tag: 'admin',
      summary: 'Unlink a Slack or Teams user from a reviewer',
      auth: ['admin'],
      params: reviewerParams.extend({
        channel: z.enum(linkChannels as [LinkChannel, ...LinkChannel[]]),
        externalId: z.string().min(1).max(64),
      }),
      responses: { 200: z.object({ reviewer: z.string(), removed: z.boolean() }) },
      errors: ['not_found'],
      async handler({ params }) {
        const reviewer = normalizeReviewerId(params.reviewerId);
        const removed = await transaction((tx) =>
          unlinkReviewer(tx, { channel: params.channel, externalId: params.externalId, reviewer }, admin, clock.now()),
        );
        if (!removed) {
          throw new CountersignError(
            'not_found',
            `${params.channel} user ${params.externalId} is not linked to ${reviewer}`,
          );
        }
        return { reviewer, removed };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/outbox',
      tag: 'admin',
      summary: 'Notifications to channels: pending, delivered, or dead-lettered after their last attempt',
      auth: ['admin'],
      query: z.object({
        status: z.enum(outboxStatuses).optional(),
        actionId: z.string().max(64).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
        cursor: z.coerce.number().int().min(1).optional().describe('nextCursor of the previous page'),
      }),
      responses: {
        200: z.object({ items: z.array(outboxItemSchema), nextCursor: z.number().int().optional() }),
      },
      handler: ({ query }) =>
        listOutbox(database.db, {
          limit: query.limit,
          ...(query.status && { status: query.status }),
          ...(query.actionId !== undefined && { actionId: query.actionId }),
          ...(query.cursor !== undefined && { cursor: query.cursor }),
        }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/outbox/:id/retry',
      tag: 'admin',
      summary: 'Send a dead-lettered notification again (after fixing what made it fail)',
      auth: ['admin'],
      params: z.object({ id: z.coerce.number().int().min(1) }),
      responses: { 200: outboxItemSchema },
      errors: ['not_found', 'conflict'],
      async handler({ params }) {
        const now = clock.now();
        const revived = await transaction(async (tx) => {
          const rows = await tx
            .update(outbox)
            .set({ status: 'pending', attempts: 0, nextAttemptAt: now, leaseUntil: null })
            .where(and(eq(outbox.id, params.id), eq(outbox.status, 'dead')))
            .returning({ id: outbox.id, actionId: outbox.actionId, target: outbox.target, event: outbox.event });
          const [row] = rows;
          if (row) {
            await appendAuditRecords(tx, [
              {
                ts: now,
                type: 'outbox.retried',
                actionId: row.actionId,
                actor: admin,
                data: { notification: row.id, target: row.target, event: row.event },
              },
            ]);
          }
          return row;
        });
        if (!revived) {
          const [exists] = await database.db
            .select({ status: outbox.status })
            .from(outbox)
            .where(eq(outbox.id, params.id));
          if (!exists) throw new CountersignError('not_found', `no notification ${params.id}`);
          throw new CountersignError(
            'conflict',
            `notification ${params.id} is ${exists.status}; only dead ones are retried`,
          );
        }
        channels.outbox.poke();
        const [item] = (await listOutbox(database.db, { limit: 1, cursor: params.id + 1 })).items;
        return item;
      },
    }),
  ];
}
