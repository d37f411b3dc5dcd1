import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { botFrameworkIssuer, botFrameworkScope } from './auth.js';

/**
 * A local Bot Framework for tests, speaking the real protocol over HTTP:
 *
 * - OpenID metadata (`/v1/.well-known/openidconfiguration`) pointing at a JWKS (`/v1/.well-known/keys`) of RSA keys
 *   generated with jose, each endorsed for `msteams`, and {@link FakeBotFramework.signBotToken} to sign inbound
 *   tokens with them (or to make bad ones: another key, an unknown kid, `alg: none`, HS256);
 * - the OAuth 2.0 token endpoint (`/botframework.com/oauth2/v2.0/token`): client credentials, checking the app id,
 *   secret and scope, issuing opaque bearer tokens;
 * - the Bot Connector v3 API under {@link FakeBotFramework.serviceUrl}: create, reply to and update activities, and
 *   roster look-ups, each checking the bearer token; every answered call is recorded, and failures can be injected
 *   per endpoint (an injected failure is not recorded: the call did not happen).
 */

/** A recorded Bot Connector call. */
export interface ConnectorCall {
  kind: 'create' | 'reply' | 'update' | 'member';
  method: string;
  /** The conversation id as decoded from the path (with `;messageid=` for a channel thread). */
  conversationId: string;
  /** The activity updated or replied to, or the member looked up. */
  targetId?: string;
  /** The id the created or updated activity has. */
  activityId?: string;
  body: Record<string, unknown> | undefined;
}

/** A member of every conversation (roster look-ups find them by MRI or Entra object id). */
export interface FakeTeamsMember {
  /** The user's MRI for this bot (`29:…`). */
  id: string;
  aadObjectId: string;
  name: string;
}

/** An answer to send instead of the real one. */
export interface InjectedFailure {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Where failures can be injected: the token endpoint, the published signing keys, or one kind of connector call. */
export type FailingEndpoint = 'token' | 'keys' | ConnectorCall['kind'];

export interface SignOptions {
  /** The `kid` header (default: the current served key's). */
  kid?: string;
  /** `RS256` (default), `HS256` (with `key` as the secret) or `none` (an unsecured JWT). */
  alg?: 'RS256' | 'HS256' | 'none';
  /** Sign with this key instead of the served one. */
  key?: Parameters<SignJWT['sign']>[0];
}

export interface FakeBotFramework {
  readonly url: string;
  readonly appId: string;
  readonly appPassword: string;
  readonly openIdMetadataUrl: string;
  readonly tokenUrl: string;
  /** The Bot Connector service URL, with a trailing slash as Teams sends it. */
  readonly serviceUrl: string;
  /** Connector calls, in order. */
  readonly calls: ConnectorCall[];
  /** How many tokens the token endpoint issued. */
  readonly tokensIssued: number;
  /** How many times the JWKS was fetched. */
  readonly keyFetches: number;
  /** The current signing key's id. */
  readonly kid: string;
  addMember(member: FakeTeamsMember): void;
  /** The next `times` requests to `endpoint` (the token endpoint, or one kind of connector call) get `failure`. */
  failNext(endpoint: FailingEndpoint, failure: InjectedFailure, times?: number): void;
  /** The activity as last created or updated. */
  activity(conversationId: string, activityId: string): Record<string, unknown> | undefined;
  /** Deletes an activity, as a user deleting the message in Teams does (updates then answer 404). */
  deleteActivity(conversationId: string, activityId: string): boolean;
  /** Standard claims of an inbound token at `now` (valid for an hour), with `overrides` applied. */
  claims(now: Date, overrides?: JWTPayload): JWTPayload;
  signBotToken(claims: JWTPayload, options?: SignOptions): Promise<string>;
  /** Publishes a new signing key (an old one stays) and makes it the current one; returns its kid. */
  rotateKey(): Promise<string>;
  close(): Promise<void>;
}

interface SigningKey {
  kid: string;
  privateKey: Parameters<SignJWT['sign']>[0];
  jwk: Record<string, unknown>;
}

async function newSigningKey(endorsements: readonly string[]): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomBytes(12).toString('base64url');
  const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', endorsements: [...endorsements] };
  return { kid, privateKey, jwk };
}

/** Starts the fake on a random local port. */
export async function startFakeBotFramework(
  options: { appId?: string; appPassword?: string; endorsements?: readonly string[] } = {},
): Promise<FakeBotFramework> {
  const appId = options.appId ?? randomUUID();
  const appPassword = options.appPassword ?? `secret-${randomBytes(12).toString('hex')}`;
  const endorsements = options.endorsements ?? ['msteams'];
  const keys: SigningKey[] = [await newSigningKey(endorsements)];
  const issuedTokens = new Set<string>();
  const calls: ConnectorCall[] = [];
  const members: FakeTeamsMember[] = [];
  const activities = new Map<string, Record<string, unknown>>();
  const failures = new Map<FailingEndpoint, InjectedFailure[]>();
  let nextActivity = 1_732_266_000_000;
  let keyFetches = 0;
  let url = '';

  const send = (response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers });
    response.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const injected = (endpoint: FailingEndpoint, response: ServerResponse): boolean => {
    const failure = failures.get(endpoint)?.shift();
    if (!failure) return false;
    send(
      response,
      failure.status,
      failure.body ?? { error: { code: 'Injected', message: 'injected failure' } },
      failure.headers,
    );
    return true;
  };

  const handleToken = (response: ServerResponse, raw: string) => {
    if (injected('token', response)) return;
    const form = new URLSearchParams(raw);
    if (form.get('grant_type') !== 'client_credentials') {
      return send(response, 400, { error: 'unsupported_grant_type' });
    }
    if (form.get('client_id') !== appId || form.get('client_secret') !== appPassword) {
      return send(response, 401, {
        error: 'invalid_client',
        error_description: 'AADSTS7000215: Invalid client secret',
      });
    }
    if (form.get('scope') !== botFrameworkScope) return send(response, 400, { error: 'invalid_scope' });
    const token = randomBytes(24).toString('base64url');
    issuedTokens.add(token);
    send(response, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
  };

  const handleConnector = (request: IncomingMessage, response: ServerResponse, path: string, raw: string) => {
    const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!bearer || !issuedTokens.has(bearer)) {
      return send(response, 401, { error: { code: 'Unauthorized', message: 'Authorization has been denied' } });
    }
    const match = /^\/v3\/conversations\/([^/]+)\/(activities|members)(?:\/([^/]+))?$/.exec(path);
    if (!match) return send(response, 404, { error: { code: 'NotFound', message: path } });
    const conversationId = decodeURIComponent(match[1] as string);
    const collection = match[2];
    const target = match[3] === undefined ? undefined : decodeURIComponent(match[3]);
    const body = raw === '' ? undefined : (JSON.parse(raw) as Record<string, unknown>);
    const root = conversationId.split(';')[0] as string;
    if (collection === 'members' && request.method === 'GET' && target !== undefined) {
      if (injected('member', response)) return;
      calls.push({ kind: 'member', method: 'GET', conversationId, targetId: target, body });
      const member = members.find((m) => m.id === target || m.aadObjectId.toLowerCase() === target.toLowerCase());
      if (!member) return send(response, 404, { error: { code: 'MemberNotFoundInConversation', message: target } });
      return send(response, 200, {
        id: member.id,
        name: member.name,
        objectId: member.aadObjectId,
        userPrincipalName: `${member.name.toLowerCase()}@example.com`,
        tenantId: 'tenant',
        userRole: 'user',
      });
    }
    if (collection === 'activities' && request.method === 'POST') {
      const replyToId = target ?? (typeof body?.replyToId === 'string' ? body.replyToId : undefined);
      if (injected(replyToId === undefined ? 'create' : 'reply', response)) return;
      const activityId = String(nextActivity++);
      calls.push({
        kind: replyToId === undefined ? 'create' : 'reply',
        method: 'POST',
        conversationId,
        ...(replyToId !== undefined && { targetId: replyToId }),
        activityId,
        body,
      });
      activities.set(`${root}\n${activityId}`, { ...body, id: activityId });
      return send(response, 201, { id: activityId });
    }
    if (collection === 'activities' && request.method === 'PUT' && target !== undefined) {
      if (injected('update', response)) return;
      calls.push({ kind: 'update', method: 'PUT', conversationId, targetId: target, activityId: target, body });
      const key = `${root}\n${target}`;
      if (!activities.has(key)) {
        return send(response, 404, { error: { code: 'ActivityNotFoundInConversation', message: target } });
      }
      activities.set(key, { ...body, id: target });
      return send(response, 200, { id: target });
    }
    send(response, 405, { error: { code: 'MethodNotAllowed', message: `${request.method} ${path}` } });
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (request.url ?? '/').split('?')[0] as string;
      try {
        if (request.method === 'GET' && path === '/v1/.well-known/openidconfiguration') {
          return send(response, 200, {
            issuer: botFrameworkIssuer,
            authorization_endpoint: `${url}/v1/.well-known/authorize`,
            jwks_uri: `${url}/v1/.well-known/keys`,
            id_token_signing_alg_values_supported: ['RS256'],
            token_endpoint_auth_methods_supported: ['private_key_jwt'],
          });
        }
        if (request.method === 'GET' && path === '/v1/.well-known/keys') {
          keyFetches++;
          if (injected('keys', response)) return;
          return send(response, 200, { keys: keys.map((key) => key.jwk) });
        }
        if (request.method === 'POST' && path === '/botframework.com/oauth2/v2.0/token') {
          return handleToken(response, raw);
        }
        if (path.startsWith('/teams/')) return handleConnector(request, response, path.slice('/teams'.length), raw);
        send(response, 404, { error: 'not found' });
      } catch (error) {
        send(response, 500, { error: { code: 'ServiceError', message: (error as Error).message } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const current = () => keys[keys.length - 1] as SigningKey;

  return {
    url,
    appId,
    appPassword,
    openIdMetadataUrl: `${url}/v1/.well-known/openidconfiguration`,
    tokenUrl: `${url}/botframework.com/oauth2/v2.0/token`,
    serviceUrl: `${url}/teams/`,
    calls,
    get tokensIssued() {
      return issuedTokens.size;
    },
    get keyFetches() {
      return keyFetches;
    },
    get kid() {
      return current().kid;
    },
    addMember(member) {
      members.push(member);
    },
    failNext(endpoint, failure, times = 1) {
      const queue = failures.get(endpoint) ?? [];
      for (let i = 0; i < times; i++) queue.push(failure);
      failures.set(endpoint, queue);
    },
    activity(conversationId, activityId) {
      return activities.get(`${conversationId.split(';')[0]}\n${activityId}`);
    },
    deleteActivity(conversationId, activityId) {
      return activities.delete(`${conversationId.split(';')[0]}\n${activityId}`);
    },
    claims(now, overrides = {}) {
      const seconds = Math.floor(now.getTime() / 1000);
      return {
        iss: botFrameworkIssuer,
        aud: appId,
        serviceurl: `${url}/teams/`,
        nbf: seconds - 60,
        iat: seconds - 60,
        exp: seconds + 3600,
        ...overrides,
      };
    },
    async signBotToken(claims, signOptions = {}) {
      const alg = signOptions.alg ?? 'RS256';
      if (alg === 'none') return new UnsecuredJWT(claims).encode();
      const jwt = new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', kid: signOptions.kid ?? current().kid });
      if (alg === 'HS256') {
        return jwt.sign(signOptions.key ?? new TextEncoder().encode(`shared-${randomBytes(16).toString('hex')}`));
      }
      return jwt.sign(signOptions.key ?? current().privateKey);
    },
    async rotateKey() {
      keys.push(await newSigningKey(endorsements));
      return current().kid;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
