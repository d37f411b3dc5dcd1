import { CountersignError } from '@countersign/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../identity/index.js';
import { problemSchema, statusOf, validationError } from './problem.js';

export type PrincipalKind = Principal['kind'];

/** What a handler receives: parsed, validated input and the authenticated caller. */
export interface RouteInput<P, Q, B, K extends PrincipalKind> {
  params: P;
  query: Q;
  body: B;
  principal: Extract<Principal, { kind: K }>;
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * One API route: its zod schemas (which validate input and produce `/openapi.json`), who may call it, and the
 * handler. A handler returns the body of its success status, or `undefined` after writing the reply itself.
 */
export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  K extends PrincipalKind = PrincipalKind,
> {
  method: 'GET' | 'POST' | 'DELETE';
  /** Fastify syntax: `/v1/actions/:id`. */
  url: string;
  summary: string;
  description?: string;
  tag: string;
  /** Who may call it; `public` needs no credential. */
  auth: readonly K[] | 'public';
  params?: P;
  query?: Q;
  body?: B;
  /** Success responses by status, for the OpenAPI document (`null`: no JSON body). */
  responses: Record<number, z.ZodType | null | { contentType: string; description: string }>;
  /** Error codes the route may answer with (documented in OpenAPI). */
  errors?: readonly (keyof typeof statusOf)[];
  handler(input: RouteInput<z.output<P>, z.output<Q>, z.output<B>, K>): Promise<unknown>;
}

/** Identity helper that keeps each route's types. */
export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, K extends PrincipalKind>(
  spec: RouteSpec<P, Q, B, K>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}

const viaSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/);

/** Where a call came from, for the audit trail: the `X-Countersign-Via` header (`cli`, `console`, …) or `api`. */
export function viaOf(request: FastifyRequest): string {
  const parsed = viaSchema.safeParse(request.headers['x-countersign-via']);
  return parsed.success ? parsed.data : 'api';
}

export type RequestAuthenticator = (request: FastifyRequest) => Promise<Principal | undefined>;

const authHints: Record<PrincipalKind, string> = {
  agent: 'an agent key (countersign keys create)',
  reviewer: 'a reviewer token (countersign reviewers token)',
  admin: 'the admin token',
};

export function registerRoute(app: FastifyInstance, spec: RouteSpec, authenticate: RequestAuthenticator): void {
  app.route({
    method: spec.method,
    url: spec.url,
    handler: async (request, reply) => {
      let principal: Principal | undefined;
      if (spec.auth !== 'public') {
        principal = await authenticate(request);
        if (!principal) {
          reply.header('www-authenticate', 'Bearer realm="countersign"');
          throw new CountersignError(
            'unauthenticated',
            `send Authorization: Bearer with ${spec.auth.map((kind) => authHints[kind]).join(' or ')}`,
          );
        }
        if (!spec.auth.includes(principal.kind)) {
          throw new CountersignError(
            'forbidden',
            `${spec.method} ${spec.url} needs ${spec.auth.map((kind) => authHints[kind]).join(' or ')}; ${authHints[principal.kind]} may not call it`,
          );
        }
      }
      const input = {
        params: parse('path', spec.params, request.params),
        query: parse('query', spec.query, request.query),
        body: parse('body', spec.body, request.body),
        principal,
        request,
        reply,
      } as RouteInput<unknown, unknown, unknown, PrincipalKind>;
      const result = await spec.handler(input);
      if (result === undefined) return reply;
      if (!reply.sent && reply.statusCode === 200) {
        const success = Object.keys(spec.responses).map(Number);
        if (success.length === 1 && success[0] !== undefined) reply.code(success[0]);
      }
      return result;
    },
  });
}

function parse(where: string, schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) throw validationError(where, result.error);
  return result.data;
}

/** The OpenAPI 3.1 document for `routes`, generated from the same zod schemas that validate requests. */
export function openApiDocument(routes: readonly RouteSpec[], info: { version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const registry = z.registry<{ id?: string }>();
  const json = (schema: z.ZodType, io: 'input' | 'output') =>
    z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12', metadata: registry });
  for (const spec of routes) {
    const path = spec.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters = [
      ...objectParameters(spec.params, 'path', json),
      ...objectParameters(spec.query, 'query', json),
      ...(spec.method === 'POST' && spec.url === '/v1/actions'
        ? [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: 'The same agent and key return the same action (200) instead of a new one.',
              schema: { type: 'string', maxLength: 255 },
            },
          ]
        : []),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(spec.responses)) {
      if (schema === null) responses[status] = { description: 'No content' };
      else if (schema instanceof z.ZodType) {
        responses[status] = {
          description: 'Success',
          content: { 'application/json': { schema: json(schema, 'output') } },
        };
      } else responses[status] = { description: schema.description, content: { [schema.contentType]: {} } };
    }
    for (const code of new Set(spec.errors ?? [])) {
      const status = String(statusOf[code]);
      const existing = responses[status] as { description: string } | undefined;
      responses[status] = {
        description: existing ? `${existing.description}, ${code}` : code,
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    paths[path] = {
      ...paths[path],
      [spec.method.toLowerCase()]: {
        summary: spec.summary,
        ...(spec.description && { description: spec.description }),
        tags: [spec.tag],
        ...(spec.auth !== 'public' && { security: [{ bearer: [] }], 'x-countersign-callers': spec.auth }),
        ...(parameters.length > 0 && { parameters }),
        ...(spec.body && {
          requestBody: { required: true, content: { 'application/json': { schema: json(spec.body, 'input') } } },
        }),
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Countersign API',
      version: info.version,
      description:
        'Human countersignatures for the risky things AI agents and data pipelines do. Errors are RFC 9457 problem documents with a stable `code`.',
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'Agent key (csk_…), reviewer token (csr_…) or admin token',
        },
      },
      schemas: { Problem: json(problemSchema, 'output') },
    },
    paths,
  };
}

function objectParameters(
  schema: z.ZodType | undefined,
  location: 'path' | 'query',
  json: (schema: z.ZodType, io: 'input' | 'output') => Record<string, unknown>,
): Record<string, unknown>[] {
  if (!schema) return [];
  const document = json(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(document.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (document.required ?? []).includes(name),
    schema: property,
  }));
}
