import { CountersignError, loadPolicy, type Policy } from '@countersign/core';
import { z } from 'zod';
import { readAuditEntries } from '../../audit/index.js';
import {
  addAgentKey,
  createAgent,
  issueReviewerToken,
  listAgents,
  normalizeReviewerId,
  revokeAgentKeys,
  revokeReviewerTokens,
} from '../../identity/index.js';
import { reloadPolicy } from '../../policy/index.js';
import type { ApiContext } from '../context.js';
import { defineRoute, type RouteSpec } from '../route.js';

const agentIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'an agent id is letters, digits and . _ : - (e.g. etl-nightly)');

const createAgentSchema = z.strictObject({
  id: agentIdSchema,
  owner: z.string().min(3).max(320).describe('The human accountable for the agent; never a reviewer of its actions'),
  labels: z.array(z.string().min(1).max(128)).max(64).default([]),
});

const agentKeySchema = z
  .object({ id: z.string(), owner: z.string(), labels: z.array(z.string()), key: z.string().describe('Shown once') })
  .meta({ id: 'AgentKey' });

const policySummarySchema = z.object({
  version: z.string(),
  file: z.string(),
  rules: z.number().int(),
  groups: z.record(z.string(), z.array(z.string())),
  warnings: z.array(z.string()),
});

const auditEntrySchema = z
  .object({
    seq: z.number().int(),
    ts: z.string(),
    type: z.string(),
    actionId: z.string().optional(),
    actor: z.object({ kind: z.enum(['agent', 'human', 'system']), id: z.string(), via: z.string() }),
    data: z.record(z.string(), z.unknown()),
    prev: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEntry' });

function summarise(policy: Policy): z.infer<typeof policySummarySchema> {
  return {
    version: policy.version,
    file: policy.file,
    rules: policy.rules.length,
    groups: Object.fromEntries([...policy.groups].map(([group, members]) => [group, [...members]])),
    warnings: policy.warnings.map((w) => `${w.file}:${w.line}:${w.column}: ${w.message}`),
  };
}

export function adminRoutes(context: ApiContext): RouteSpec[] {
  const { database, clock, policy, sequencer } = context;
  const transaction = <T>(work: Parameters<typeof database.db.transaction<T>>[0]) =>
    database.db.transaction(work).then((result) => {
      sequencer.poke();
      return result;
    });
  /** A revocation: besides the NOTIFY every replica hears, this process forgets what it remembers right away. */
  const revocation = <T>(work: Parameters<typeof database.db.transaction<T>>[0]) =>
    transaction(work).finally(() => context.authenticator.forget());
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/agents',
      tag: 'admin',
      summary: 'Register an agent and create its first API key (shown once)',
      auth: ['admin'],
      body: createAgentSchema,
      responses: { 201: agentKeySchema },
      errors: ['conflict', 'validation_failed', 'forbidden'],
      handler: ({ body }) => transaction((tx) => createAgent(tx, body, clock.now())),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/agents',
      tag: 'admin',
      summary: 'List agents and how many live keys each has',
      auth: ['admin'],
      responses: {
        200: z.object({
          items: z.array(
            z.object({
              id: z.string(),
              owner: z.string(),
              labels: z.array(z.string()),
              createdAt: z.string(),
              keys: z.number(),
            }),
          ),
        }),
      },
      handler: async () => ({ items: await listAgents(database.db) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/agents/:id/keys',
      tag: 'admin',
      summary: 'Add a key to an agent (rotation: add, switch over, revoke the old)',
      auth: ['admin'],
      params: z.object({ id: agentIdSchema }),
      responses: { 201: agentKeySchema },
      errors: ['not_found', 'forbidden'],
      handler: ({ params }) => transaction((tx) => addAgentKey(tx, params.id, clock.now())),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/agents/:id/keys',
      tag: 'admin',
      summary: 'Revoke every key of an agent',
      auth: ['admin'],
      params: z.object({ id: agentIdSchema }),
      responses: { 200: z.object({ id: z.string(), revoked: z.number().int() }) },
      errors: ['not_found', 'forbidden'],
      handler: async ({ params }) => ({
        id: params.id,
        revoked: await revocation((tx) => revokeAgentKeys(tx, params.id, clock.now())),
      }),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/agents/:id/keys/:keyId',
      tag: 'admin',
      summary: 'Revoke one key of an agent (the 16 hex digits after csk_), e.g. the old key after a rotation',
      auth: ['admin'],
      params: z.object({ id: agentIdSchema, keyId: z.string().regex(/^[0-9a-f]{16}$/, 'a key id is 16 hex digits') }),
      responses: { 200: z.object({ id: z.string(), revoked: z.number().int() }) },
      errors: ['not_found', 'forbidden', 'validation_failed'],
      handler: async ({ params }) => ({
        id: params.id,
        revoked: await revocation((tx) => revokeAgentKeys(tx, params.id, clock.now(), params.keyId)),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/reviewers/:reviewerId/tokens',
      tag: 'admin',
      summary: 'Issue a reviewer token (shown once) for a reviewer named in the policy’s groups',
      auth: ['admin'],
      params: z.object({ reviewerId: z.string().min(1).max(320) }),
      responses: { 201: z.object({ reviewer: z.string(), groups: z.array(z.string()), token: z.string() }) },
      errors: ['not_found', 'forbidden'],
      async handler({ params }) {
        const groups = policy.groupsOf(params.reviewerId);
        if (groups.length === 0) {
          throw new CountersignError(
            'not_found',
            `${params.reviewerId} is in none of the policy's groups (${[...policy.current.groups.keys()].join(', ')}); add them to a group in ${policy.path} and reload`,
          );
        }
        const token = await transaction((tx) => issueReviewerToken(tx, params.reviewerId, clock.now()));
        return { reviewer: normalizeReviewerId(params.reviewerId), groups, token };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/reviewers/:reviewerId/tokens',
      tag: 'admin',
      summary: 'Revoke every token of a reviewer',
      auth: ['admin'],
      params: z.object({ reviewerId: z.string().min(1).max(320) }),
      responses: { 200: z.object({ reviewer: z.string(), revoked: z.number().int() }) },
      handler: async ({ params }) => ({
        reviewer: normalizeReviewerId(params.reviewerId),
        revoked: await revocation((tx) => revokeReviewerTokens(tx, params.reviewerId, clock.now())),
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/policy',
      tag: 'admin',
      summary: 'The policy in force: version, file, rule count, groups, warnings',
      auth: ['admin'],
      responses: { 200: policySummarySchema },
      handler: async () => summarise(policy.current),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/policy/reload',
      tag: 'admin',
      summary: 'Re-read the policy file; on any error the policy in force stays',
      auth: ['admin'],
      responses: { 200: policySummarySchema },
      errors: ['policy_invalid', 'forbidden'],
      async handler() {
        const loaded = await reloadPolicy(policy, database.db, clock, { kind: 'system', id: 'admin', via: 'api' });
        sequencer.poke();
        return summarise(loaded);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/policy/validate',
      tag: 'admin',
      summary: 'Check a policy text without loading it',
      auth: ['admin'],
      body: z.strictObject({ text: z.string().max(1_000_000), file: z.string().max(256).default('policy.yaml') }),
      responses: { 200: policySummarySchema },
      errors: ['policy_invalid', 'validation_failed'],
      handler: async ({ body }) => summarise(loadPolicy(body.text, { file: body.file })),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/audit',
      tag: 'audit',
      summary: 'A page of the chained audit log, oldest first, optionally filtered',
      description:
        'Entries are chained in batches right after they commit. `after` is the last seq already read (pass nextAfter to page); type (comma-separated), actionId, actor (id), since (inclusive) and until (exclusive) narrow the result.',
      auth: ['admin'],
      query: z.object({
        after: z.coerce.number().int().min(0).default(0),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        type: z
          .string()
          .max(1000)
          .transform((types) => types.split(',').filter((type) => type !== ''))
          .optional()
          .describe('Entry types, comma-separated: action.approved,action.rejected'),
        actionId: z.string().max(64).optional(),
        actor: z.string().max(320).optional().describe('The actor id: an agent, a reviewer, sweeper, admin, …'),
        since: z.iso
          .datetime()
          .transform((value) => new Date(value))
          .optional(),
        until: z.iso
          .datetime()
          .transform((value) => new Date(value))
          .optional(),
      }),
      responses: { 200: z.object({ items: z.array(auditEntrySchema), nextAfter: z.number().int().optional() }) },
      async handler({ query }) {
        const items = await readAuditEntries(database.db, query.after, query.limit, {
          ...(query.type && { types: query.type }),
          ...(query.actionId !== undefined && { actionId: query.actionId }),
          ...(query.actor !== undefined && { actor: query.actor }),
          ...(query.since && { since: query.since }),
          ...(query.until && { until: query.until }),
        });
        const last = items[items.length - 1];
        return { items, ...(items.length === query.limit && last && { nextAfter: last.seq }) };
      },
    }),
  ];
}
