import { randomUUID } from 'node:crypto';
import { CountersignError, isCountersignError } from '@countersign/core';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { slackInteractions } from '../channels/slack/index.js';
import { teamsRoutes } from '../channels/teams/index.js';
import type { ApiContext } from './context.js';
import { problemFor } from './problem.js';
import { openApiDocument, type RouteSpec, registerRoute } from './route.js';
import { actionRoutes } from './routes/actions.js';
import { adminRoutes } from './routes/admin.js';
import { auditRoutes } from './routes/audit.js';
import { channelRoutes } from './routes/channels.js';
import { opsRoutes } from './routes/ops.js';

export interface AppOptions {
  logger: FastifyServerOptions['logger'];
  bodyLimit: number;
}

/** Every API route, in the order the OpenAPI document lists them. */
export function apiRoutes(context: ApiContext): RouteSpec[] {
  return [
    ...actionRoutes(context),
    ...opsRoutes(context),
    ...adminRoutes(context),
    ...channelRoutes(context),
    ...auditRoutes(context),
  ];
}

/** Builds the Fastify app: routes, authentication, RFC 9457 errors, metrics, `/openapi.json`. */
export function buildApp(context: ApiContext, options: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: options.logger,
    bodyLimit: options.bodyLimit,
    // Receiving a request may take at most 30 s; answering may take longer (long polls ≤ 60 s, event streams).
    requestTimeout: 30_000,
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
  });

  // An empty JSON body is no body (a POST without input, sent by clients that always set Content-Type); anything
  // else goes through Fastify's parser, which refuses __proto__ and constructor.prototype keys.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    parseJson(request, body as string, (error, value) => {
      if (error) return done(error, undefined);
      // PostgreSQL cannot store U+0000 in text or jsonb: refuse it here, by name, rather than fail in the store.
      if (holdsNul(value)) {
        return done(
          new CountersignError('validation_failed', 'strings and member names may not contain U+0000 (NUL)', {
            issues: [{ path: 'body', message: 'contains U+0000 (NUL)' }],
          }),
          undefined,
        );
      }
      done(null, value);
    });
  });

  const routes = apiRoutes(context);
  const bearer = /^Bearer\s+(\S+)\s*$/i;
  const authenticator = async (request: Parameters<Parameters<typeof registerRoute>[2]>[0]) => {
    const match = bearer.exec(request.headers.authorization ?? '');
    if (!match?.[1]) return undefined;
    return context.authenticator.authenticate(match[1]);
  };
  for (const route of routes) registerRoute(app, route, authenticator);
  app.register(slackInteractions(context));
  app.register(teamsRoutes(context));

  const document = openApiDocument(routes, { version: context.version });
  app.get('/openapi.json', async () => document);

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route };
    context.metrics.httpRequests.inc({ ...labels, status: String(reply.statusCode) });
    const waited = route.endsWith('/events') || (request.query as { wait?: string } | undefined)?.wait !== undefined;
    if (!waited) context.metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  app.setNotFoundHandler(async (request) => {
    throw new CountersignError(
      'not_found',
      `no route ${request.method} ${request.url.split('?')[0]}; see /openapi.json`,
    );
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const known = toCountersignError(error);
    if (known.code === 'internal' || known.code === 'unavailable') {
      request.log.error({ err: error }, 'request failed');
    }
    const problem = problemFor(known, request.url.split('?')[0]);
    if (known.code === 'unavailable') reply.header('retry-after', '1');
    reply.code(problem.status).type('application/problem+json');
    return problem;
  });

  return app;
}

function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(holdsNul);
  return Object.entries(value).some(([key, member]) => key.includes('\u0000') || holdsNul(member));
}

/** Errors from Fastify's body handling and the database, mapped onto the stable codes. */
function toCountersignError(error: FastifyError): CountersignError {
  if (isCountersignError(error)) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new CountersignError(
        'payload_too_large',
        'the request body is too large; move bulk data out of the request',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new CountersignError('validation_failed', 'send the body as JSON with Content-Type: application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new CountersignError('validation_failed', 'the body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new CountersignError('validation_failed', 'Content-Length does not match the body');
  }
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message))) {
    return new CountersignError('validation_failed', `the body is not valid JSON: ${error.message}`);
  }
  if (isStoreUnavailable(error)) {
    return new CountersignError('unavailable', 'the store is unreachable; nothing was changed, retry shortly');
  }
  return new CountersignError('internal', 'an unexpected error occurred; it was logged with this request’s id');
}

function isStoreUnavailable(error: unknown): boolean {
  const code =
    (error as { code?: unknown; cause?: { code?: unknown } }).code ??
    (error as { cause?: { code?: unknown } }).cause?.code;
  if (typeof code !== 'string') return false;
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code) || /^(08|57P0)/.test(code);
}
