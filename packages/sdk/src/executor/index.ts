import type { GrantClaims } from '@countersign/core';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import type { CountersignClient } from '../client/index.js';
import type { RedeemedGrant } from '../client/types.js';
import { actionDigest, type ExecutedAction } from './canonical-json.js';

export { actionDigest, canonicalJson, type ExecutedAction } from './canonical-json.js';

/** The JWT `typ` of a grant (the same as core's; a value here so executors do not load core). */
export const grantType = 'countersign-grant+jwt';

export type { GrantClaims };

/** Why a grant was refused: switch on `code`. */
export type GrantErrorCode = 'grant_invalid' | 'grant_expired' | 'digest_mismatch';

/**
 * A grant was refused by the executor-side checks. `grant_invalid`: malformed, badly signed, or the wrong type,
 * algorithm, issuer or audience; `grant_expired`: past `exp`; `digest_mismatch`: the grant authorises a different
 * action than the one about to run. Do not run the action.
 */
export class GrantError extends Error {
  readonly code: GrantErrorCode;

  constructor(code: GrantErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${message} [${code}]`, options);
    this.name = 'GrantError';
    this.code = code;
  }
}

/** True when `error` is a {@link GrantError}, optionally with the given code. */
export function isGrantError(error: unknown, code?: GrantErrorCode): error is GrantError {
  return error instanceof GrantError && (code === undefined || error.code === code);
}

export interface VerifyGrantOptions {
  /** The server's public keys (`GET /.well-known/jwks.json`), pinned. Give this or `jwksUrl`. */
  jwks?: JSONWebKeySet;
  /**
   * Where to fetch the keys, e.g. `https://countersign.example.com/.well-known/jwks.json`. Fetched on first use and
   * cached per URL (refetched when a grant names an unknown `kid`, so key rotation just works). Failing to fetch
   * the keys throws the fetch error as is: it says nothing about the grant.
   */
  jwksUrl?: string | URL;
  /** The expected `iss` (the server's `COUNTERSIGN_ISSUER`, `countersign` by default). */
  issuer: string;
  /** The expected `aud` (the server's `COUNTERSIGN_GRANT_AUDIENCE`, `countersign` by default). */
  audience: string;
  /** What the executor is about to run; its digest must equal the grant's. */
  action: ExecutedAction;
  /** The time to check expiry at; now by default. */
  now?: Date;
  /** Allowed clock skew for `exp` and `iat`, in seconds; 0 by default. */
  clockToleranceSeconds?: number;
}

const remoteKeySets = new Map<string, JWTVerifyGetKey>();

function keySet(options: VerifyGrantOptions): JWTVerifyGetKey {
  if (options.jwks) return createLocalJWKSet(options.jwks);
  if (options.jwksUrl === undefined) throw new TypeError('verifyGrantOffline needs jwks or jwksUrl');
  const url = new URL(options.jwksUrl);
  let set = remoteKeySets.get(url.href);
  if (!set) {
    set = createRemoteJWKSet(url);
    remoteKeySets.set(url.href, set);
  }
  return set;
}

/**
 * Verifies a grant offline, as an executor, before running the action: the EdDSA signature against the server's
 * JWKS, `typ: countersign-grant+jwt`, issuer, audience and lifetime, and that the grant is bound to exactly the
 * action about to run (its digest, recomputed here, equals `act.digest`). Returns the claims; throws a
 * {@link GrantError} otherwise. Offline checks cannot tell a grant already used: redeem it online
 * ({@link redeemAndCheck}) where single use matters.
 *
 * @example
 * ```ts
 * const action = { action: 'data.export', resource: { type: 'dataset', id: 'customers' },
 *                  environment: 'production', params: { rows: 250000 } };
 * try {
 *   const claims = await verifyGrantOffline(token, {
 *     jwksUrl: 'https://countersign.example.com/.well-known/jwks.json',
 *     issuer: 'countersign', audience: 'countersign', action,
 *   });
 *   await runExport(action.params); // approved by claims.apr
 * } catch (error) {
 *   if (isGrantError(error)) console.error(`refused: ${error.code}`); // grant_invalid | grant_expired | digest_mismatch
 *   throw error;
 * }
 * ```
 */
export async function verifyGrantOffline(token: string, options: VerifyGrantOptions): Promise<GrantClaims> {
  const keys = keySet(options);
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: ['EdDSA'],
      typ: grantType,
      issuer: options.issuer,
      audience: options.audience,
      currentDate: options.now ?? new Date(),
      clockTolerance: options.clockToleranceSeconds ?? 0,
      requiredClaims: ['iss', 'aud', 'jti', 'sub', 'exp', 'iat'],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw new GrantError('grant_expired', 'the grant has expired; ask for approval again', { cause: error });
    }
    // A key set that could not be fetched is not a verdict on the grant.
    if (!(error instanceof joseErrors.JOSEError) || error instanceof joseErrors.JWKSTimeout) throw error;
    throw new GrantError('grant_invalid', `the grant does not verify: ${error.message}`, { cause: error });
  }
  const claims = grantClaims(payload);
  checkBinding(claims.act, options.action);
  return claims;
}

/**
 * Redeems a grant online (once: a second redeem anywhere fails) and checks that the action it is bound to is the
 * one about to run. Before redeeming, the token's (unverified) digest is compared too, so a grant meant for another
 * action is refused without being used up. Errors: {@link GrantError} `digest_mismatch`; the server's refusals as
 * `CountersignApiError` with code `grant_used`, `grant_expired` or `grant_invalid`.
 *
 * @example
 * ```ts
 * const client = new CountersignClient({ url: 'https://countersign.example.com' });
 * try {
 *   await redeemAndCheck(client, token, action);
 * } catch (error) {
 *   if (isCountersignApiError(error, 'grant_used')) return; // already executed elsewhere
 *   throw error;
 * }
 * await runExport(action.params);
 * ```
 */
export async function redeemAndCheck(
  client: Pick<CountersignClient, 'redeemGrant'>,
  token: string,
  action: ExecutedAction,
  options: { signal?: AbortSignal } = {},
): Promise<RedeemedGrant> {
  const expected = actionDigest(action);
  const announced = unverifiedDigest(token);
  if (announced !== undefined && announced !== expected) {
    throw new GrantError(
      'digest_mismatch',
      `the grant is for action digest ${announced}, but the action about to run has ${expected}`,
    );
  }
  const redeemed = await client.redeemGrant(token, options);
  checkBinding(redeemed.action, action, expected);
  return redeemed;
}

/** The digest a token claims, without verifying it; undefined when it cannot be read (the server will refuse it). */
function unverifiedDigest(token: string): string | undefined {
  try {
    const act = decodeJwt(token).act;
    return isRecord(act) && typeof act.digest === 'string' ? act.digest : undefined;
  } catch {
    return undefined;
  }
}

interface BoundAction {
  action: string;
  resource: { type: string; id: string };
  environment: string;
  digest: string;
}

/** Refuses with `digest_mismatch` unless `bound` is `running`, naming the first field that differs. */
function checkBinding(bound: BoundAction, running: ExecutedAction, digest = actionDigest(running)): void {
  const differences: string[] = [];
  if (bound.action !== running.action) differences.push(`action ${bound.action}, not ${running.action}`);
  if (bound.resource.type !== running.resource.type || bound.resource.id !== running.resource.id) {
    differences.push(
      `resource ${bound.resource.type}/${bound.resource.id}, not ${running.resource.type}/${running.resource.id}`,
    );
  }
  if (bound.environment !== running.environment) {
    differences.push(`environment ${bound.environment}, not ${running.environment}`);
  }
  if (differences.length > 0) {
    throw new GrantError('digest_mismatch', `the grant is for a different action: ${differences.join('; ')}`);
  }
  if (bound.digest !== digest) {
    throw new GrantError(
      'digest_mismatch',
      `the grant is for action digest ${bound.digest}, but the action about to run has ${digest}: its params, labels or sensitivity differ from what was approved`,
    );
  }
}

function grantClaims(payload: unknown): GrantClaims {
  const malformed = (what: string): never => {
    throw new GrantError('grant_invalid', `the grant is malformed: ${what}`);
  };
  if (!isRecord(payload)) return malformed('its payload is not an object');
  const { act, apr } = payload;
  if (!isRecord(act)) return malformed('act is missing');
  const { resource } = act;
  if (
    typeof act.id !== 'string' ||
    typeof act.action !== 'string' ||
    typeof act.environment !== 'string' ||
    typeof act.digest !== 'string' ||
    !isRecord(resource) ||
    typeof resource.type !== 'string' ||
    typeof resource.id !== 'string'
  ) {
    return malformed('act needs string id, action, resource.type, resource.id, environment and digest');
  }
  if (!/^sha256:[0-9a-f]{64}$/.test(act.digest)) return malformed('act.digest is not sha256:<64 hex digits>');
  if (!Array.isArray(apr) || !apr.every((approver) => typeof approver === 'string')) {
    return malformed('apr is not a list of approver ids');
  }
  if (typeof payload.aud !== 'string') return malformed('aud is not a string');
  return payload as unknown as GrantClaims;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
