import { CountersignError } from '@countersign/core';
import { type CryptoKey, importJWK, type JWK, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import type { Clock } from '../../clock.js';
import { DeliveryError } from '../index.js';

/**
 * Bot Framework authentication, both ways.
 *
 * Inbound: every request Teams sends to the messaging endpoint carries `Authorization: Bearer <JWT>` signed by the
 * Bot Connector service (RS256, keys published behind the OpenID metadata document), issued by
 * `https://api.botframework.com`, for our app id, with a `serviceurl` claim naming the service the activity came
 * through. {@link BotTokenVerifier} checks all of it; there is deliberately no way to turn it off.
 *
 * Outbound: calls to the Bot Connector API carry an app token from the OAuth 2.0 client-credentials grant
 * ({@link BotFrameworkTokenClient}), cached until shortly before it expires.
 */

/** The issuer of every token the Bot Connector service sends to bots. */
export const botFrameworkIssuer = 'https://api.botframework.com';
/** The scope outbound app tokens are requested for. */
export const botFrameworkScope = 'https://api.botframework.com/.default';
/** Clock skew accepted on `exp` and `nbf`, in seconds (the Bot Framework SDKs allow 5 minutes too). */
export const botTokenClockToleranceSeconds = 300;

/** What a valid inbound token says about its sender. */
export interface VerifiedBotToken {
  claims: JWTPayload;
  /** The `serviceurl` claim: the activity's `serviceUrl` must be exactly this. */
  serviceUrl: string | undefined;
  /** The channels the signing key is endorsed for (`msteams`, …), when the key lists any. */
  endorsements: readonly string[] | undefined;
}

export interface BotTokenVerifierOptions {
  /** The bot's Microsoft app id: the only audience accepted. */
  appId: string;
  /** The OpenID metadata document whose `jwks_uri` publishes the signing keys. */
  openIdMetadataUrl: string;
  clock: Clock;
  /** How long fetched keys are used before they are fetched again (default 24 h). */
  keysMaxAgeMs?: number;
  /** The least time between two fetches caused by a token signed with a key we do not know (default 60 s). */
  unknownKeyCooldownMs?: number;
}

/** A published signing key, with the Bot Framework's non-standard `endorsements` member. */
type BotFrameworkJwk = JWK & { endorsements?: unknown };

/**
 * The Bot Framework's signing keys: fetched from the OpenID metadata's `jwks_uri`, kept for a day, and fetched
 * again early when a token names a key id we have not seen (keys rotate) — at most once a minute, so a stream of
 * tokens with made-up key ids cannot make us hammer the key endpoint.
 */
class BotFrameworkKeys {
  readonly #options: BotTokenVerifierOptions;
  #keys = new Map<string, BotFrameworkJwk>();
  #imported = new Map<string, Promise<CryptoKey | Uint8Array>>();
  #fetchedAt: number | undefined;
  #attemptedAt: number | undefined;
  #fetching: Promise<void> | undefined;

  constructor(options: BotTokenVerifierOptions) {
    this.#options = options;
  }

  async key(kid: string): Promise<{ key: CryptoKey | Uint8Array; endorsements: readonly string[] | undefined }> {
    const now = this.#options.clock.now().getTime();
    const maxAge = this.#options.keysMaxAgeMs ?? 86_400_000;
    const cooldown = this.#options.unknownKeyCooldownMs ?? 60_000;
    const mayFetch = () => this.#attemptedAt === undefined || now - this.#attemptedAt >= cooldown;
    if (this.#keys.size === 0) {
      // Nothing to verify with: wait for the keys, but ask the endpoint at most once per cooldown (or join a fetch
      // under way), so during an outage requests fail at once instead of each waiting out the fetch timeouts.
      if (this.#fetching || mayFetch()) await this.#refresh();
    } else if ((this.#fetchedAt === undefined || now - this.#fetchedAt > maxAge) && mayFetch()) {
      // Keys fetched earlier stay usable while new ones are fetched in the background (or the endpoint is down).
      this.#refresh().catch(() => {});
    }
    if (!this.#keys.has(kid)) {
      // A key we have not seen may be newly published: wait for a fetch under way, or start one (once per cooldown).
      if (this.#fetching) await this.#fetching.catch(() => {});
      else if (mayFetch()) await this.#refresh().catch(() => {});
    }
    if (this.#keys.size === 0) {
      throw new CountersignError(
        'unavailable',
        `the Bot Framework signing keys could not be fetched from ${this.#options.openIdMetadataUrl} (asked again at most every ${cooldown / 1000} s)`,
      );
    }
    const jwk = this.#keys.get(kid);
    if (!jwk) {
      throw new CountersignError(
        'unauthenticated',
        `the token is signed with key ${kid}, which is not among the Bot Framework's published keys`,
      );
    }
    let imported = this.#imported.get(kid);
    if (!imported) {
      imported = importJWK(jwk, 'RS256');
      this.#imported.set(kid, imported);
    }
    const endorsements = Array.isArray(jwk.endorsements)
      ? jwk.endorsements.filter((item): item is string => typeof item === 'string')
      : undefined;
    return { key: await imported, endorsements };
  }

  #refresh(): Promise<void> {
    this.#fetching ??= this.#fetch().finally(() => {
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  async #fetch(): Promise<void> {
    this.#attemptedAt = this.#options.clock.now().getTime();
    const metadataUrl = this.#options.openIdMetadataUrl;
    try {
      const metadata = (await fetchJson(metadataUrl)) as { jwks_uri?: unknown };
      if (typeof metadata.jwks_uri !== 'string' || !/^https?:\/\//.test(metadata.jwks_uri)) {
        throw new Error(`${metadataUrl} has no jwks_uri`);
      }
      const jwks = (await fetchJson(metadata.jwks_uri)) as { keys?: unknown };
      if (!Array.isArray(jwks.keys)) throw new Error(`${metadata.jwks_uri} is not a JWK set`);
      const keys = new Map<string, BotFrameworkJwk>();
      for (const key of jwks.keys as BotFrameworkJwk[]) {
        // Only RSA signing keys can verify an RS256 token; anything else published there is ignored.
        if (key?.kty === 'RSA' && typeof key.kid === 'string' && (key.use === undefined || key.use === 'sig')) {
          keys.set(key.kid, key);
        }
      }
      this.#keys = keys;
      this.#imported = new Map();
      this.#fetchedAt = this.#attemptedAt;
    } catch (error) {
      throw new CountersignError(
        'unavailable',
        `cannot fetch the Bot Framework signing keys from ${metadataUrl}: ${(error as Error).message}`,
      );
    }
  }
}

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000), headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

/**
 * Checks the Bot Framework JWT of an inbound request: RS256 only (so `alg: none` and HMAC tokens are refused before
 * any key is looked at), signed by a published key, issuer `https://api.botframework.com`, audience the app id,
 * `exp` present and, like `nbf`, within 5 minutes of our clock.
 *
 * @example
 * const verifier = new BotTokenVerifier({ appId, openIdMetadataUrl, clock });
 * const token = await verifier.verify(request.headers.authorization); // throws `unauthenticated`
 * checkActivityOrigin(token, activity); // the activity's serviceUrl and channel must match the token
 */
export class BotTokenVerifier {
  readonly #options: BotTokenVerifierOptions;
  readonly #keys: BotFrameworkKeys;

  constructor(options: BotTokenVerifierOptions) {
    this.#options = options;
    this.#keys = new BotFrameworkKeys(options);
  }

  /** The verified token of an `Authorization` header; throws `unauthenticated` (or `unavailable`: no keys). */
  async verify(authorization: string | undefined): Promise<VerifiedBotToken> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) {
      throw new CountersignError('unauthenticated', 'a Bot Framework token is required (Authorization: Bearer …)');
    }
    let endorsements: readonly string[] | undefined;
    try {
      const { payload } = await jwtVerify(
        match[1],
        async (header) => {
          if (header.kid === undefined) {
            throw new CountersignError('unauthenticated', 'the token names no signing key (kid)');
          }
          const found = await this.#keys.key(header.kid);
          endorsements = found.endorsements;
          return found.key;
        },
        {
          algorithms: ['RS256'],
          issuer: botFrameworkIssuer,
          audience: this.#options.appId,
          clockTolerance: botTokenClockToleranceSeconds,
          currentDate: this.#options.clock.now(),
          requiredClaims: ['exp'],
        },
      );
      const serviceUrl = typeof payload.serviceurl === 'string' ? payload.serviceurl : undefined;
      return { claims: payload, serviceUrl, endorsements };
    } catch (error) {
      if (error instanceof CountersignError) throw error;
      if (error instanceof joseErrors.JOSEError) {
        throw new CountersignError('unauthenticated', `the Bot Framework token is not valid: ${tokenProblem(error)}`);
      }
      throw error;
    }
  }
}

/** A short reason a token was refused, without echoing the token. */
function tokenProblem(error: InstanceType<typeof joseErrors.JOSEError>): string {
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `${error.claim}: ${error.message}`;
  if (error instanceof joseErrors.JWTExpired) return `expired (${error.message})`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'only RS256 tokens are accepted';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  return error.message;
}

/**
 * Checks an authenticated activity against its token: its `serviceUrl` must be the token's `serviceurl` claim
 * (403 otherwise: a token for one service cannot vouch for activities claiming another, where our replies would
 * go), when the signing key lists endorsements the activity's channel must be one of them (401), and the channel
 * must be Microsoft Teams (403). The Bot Framework signs Web Chat and Direct Line activities with the same keys, but
 * there the client writes `from` and `channelData` itself, so a holder of a Web Chat secret could claim any
 * reviewer's Entra id or tenant; only Teams vouches for them.
 */
export function checkActivityOrigin(
  token: VerifiedBotToken,
  activity: { serviceUrl?: string | undefined; channelId?: string | undefined },
): void {
  if (token.serviceUrl === undefined) {
    throw new CountersignError('unauthenticated', 'the Bot Framework token has no serviceurl claim');
  }
  if (activity.serviceUrl !== token.serviceUrl) {
    throw new CountersignError(
      'forbidden',
      `the activity's serviceUrl (${activity.serviceUrl ?? 'none'}) is not the one its token was issued for`,
    );
  }
  if (token.endorsements !== undefined && !token.endorsements.includes(activity.channelId ?? '')) {
    throw new CountersignError(
      'unauthenticated',
      `the token's signing key is not endorsed for channel ${activity.channelId ?? '(none)'}`,
    );
  }
  if (activity.channelId !== 'msteams') {
    throw new CountersignError(
      'forbidden',
      `only Microsoft Teams activities are accepted, not ${activity.channelId ?? 'ones without a channelId'}`,
    );
  }
}

export interface BotFrameworkTokenClientOptions {
  appId: string;
  appPassword: string;
  /** The OAuth 2.0 token endpoint (`https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`). */
  tokenUrl: string;
  clock: Clock;
}

/**
 * App tokens for the Bot Connector API, from the client-credentials grant, shared by concurrent deliveries and
 * renewed 5 minutes before they expire. Failures are {@link DeliveryError}s: never in doubt (nothing reached Teams),
 * dead-lettered at once when the endpoint refuses the app's credentials.
 */
export class BotFrameworkTokenClient {
  readonly #options: BotFrameworkTokenClientOptions;
  #cached: { token: string; renewAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(options: BotFrameworkTokenClientOptions) {
    this.#options = options;
  }

  /** A valid app token, from the cache when it has one. */
  token(): Promise<string> {
    const now = this.#options.clock.now().getTime();
    if (this.#cached && now < this.#cached.renewAt) return Promise.resolve(this.#cached.token);
    this.#pending ??= this.#request().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Forgets the cached token (the Bot Connector refused it). */
  invalidate(): void {
    this.#cached = undefined;
  }

  async #request(): Promise<string> {
    const { appId, appPassword, tokenUrl, clock } = this.#options;
    let response: Response;
    try {
      response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: appId,
          client_secret: appPassword,
          scope: botFrameworkScope,
        }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw new DeliveryError(`the Bot Framework token endpoint ${tokenUrl} is unreachable: ${causeOf(error)}`, {
        cause: error,
      });
    }
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: unknown;
      expires_in?: unknown;
      error?: unknown;
      error_description?: unknown;
    };
    if (!response.ok) {
      const reason = typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
      const message = `the Bot Framework token endpoint refused: ${reason}`;
      if (response.status === 429 || response.status >= 500) {
        const retryAfterMs = retryAfterMsOf(response.headers.get('retry-after'), clock.now());
        throw new DeliveryError(message, retryAfterMs === undefined ? {} : { retryAfterMs });
      }
      // Bad credentials (invalid_client, unauthorized_client, …): repeating cannot help until the config is fixed.
      throw new DeliveryError(`${message} (check channels.teams.appId, appPassword and tenantId)`, {
        permanent: true,
      });
    }
    const expiresIn = Number(body.expires_in);
    if (typeof body.access_token !== 'string' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new DeliveryError('the Bot Framework token endpoint answered without access_token and expires_in');
    }
    const lifetime = expiresIn * 1000;
    // Renew 5 minutes early (or halfway, for a short-lived token), so no call starts with a token about to expire.
    const renewAt = clock.now().getTime() + Math.max(lifetime - 300_000, lifetime / 2);
    this.#cached = { token: body.access_token, renewAt };
    return body.access_token;
  }
}

/** `Retry-After` (seconds or an HTTP date) in milliseconds from `now`, if given and sensible. */
export function retryAfterMsOf(header: string | null | undefined, now: Date): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 86_400) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  return String(cause?.code ?? cause?.message ?? (error as Error).message);
}
