import { z } from 'zod';
import { publishedJwks, redeemGrant, verifyGrant } from '../../grants/index.js';
import type { ApiContext } from '../context.js';
import { defineRoute, type RouteSpec, viaOf } from '../route.js';
import { actionResponseSchema } from './actions.js';

/** Grant redemption, the JWKS, and the operational endpoints. `/openapi.json` is added by the app. */
export function opsRoutes(context: ApiContext): RouteSpec[] {
  const { database, keys, clock, grants, sequencer } = context;
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/grants/redeem',
      tag: 'grants',
      summary: 'Redeem a grant once, getting the action it authorises',
      description:
        'For executors that check online. The grant is the credential: its signature, type, issuer, audience and expiry are verified, then it is marked used; a second redeem is refused with grant_used. Compare action.digest with what you are about to run.',
      auth: 'public',
      body: z.strictObject({ token: z.string().min(1).max(8192) }),
      responses: { 200: z.object({ action: actionResponseSchema, redeemedAt: z.iso.datetime() }) },
      errors: ['grant_invalid', 'grant_expired', 'grant_used', 'validation_failed'],
      async handler({ body, request }) {
        const now = clock.now();
        const claims = await verifyGrant(keys, body.token, grants, now);
        const actionId = await database.db.transaction((tx) => redeemGrant(tx, claims, now, viaOf(request)));
        sequencer.poke();
        const action = await context.service.get(actionId);
        return { action, redeemedAt: now.toISOString() };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/.well-known/jwks.json',
      tag: 'grants',
      summary: 'The public keys that sign grants',
      auth: 'public',
      responses: {
        200: z.object({
          keys: z.array(z.object({ kty: z.string(), crv: z.string(), x: z.string(), kid: z.string() })),
        }),
      },
      handler: async ({ reply }) => {
        reply.header('cache-control', 'public, max-age=60');
        return publishedJwks(context.database.db, keys, context.clock.now());
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/healthz',
      tag: 'ops',
      summary: 'Liveness: the process is up',
      auth: 'public',
      responses: { 200: z.object({ status: z.literal('ok') }) },
      handler: async () => ({ status: 'ok' as const }),
    }),
    defineRoute({
      method: 'GET',
      url: '/readyz',
      tag: 'ops',
      summary: 'Readiness: the store answers and the server is not shutting down',
      auth: 'public',
      responses: { 200: z.object({ status: z.literal('ready'), store: z.string(), policyVersion: z.string() }) },
      errors: ['unavailable'],
      async handler({ reply }) {
        if (context.shutdown.aborted) {
          reply.code(503);
          return { status: 'shutting_down' };
        }
        await database.ping();
        return { status: 'ready' as const, store: database.kind, policyVersion: context.policy.current.version };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/metrics',
      tag: 'ops',
      summary: 'Prometheus metrics',
      auth: 'public',
      responses: { 200: { contentType: 'text/plain; version=0.0.4', description: 'Prometheus text format' } },
      async handler({ reply }) {
        reply.header('content-type', context.metrics.registry.contentType);
        return context.metrics.registry.metrics();
      },
    }),
  ];
}
