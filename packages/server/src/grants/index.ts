import { randomUUID } from 'node:crypto';
import { type Action, CountersignError, type GrantClaims, grantType } from '@countersign/core';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { createLocalJWKSet, type JSONWebKeySet, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { appendAuditRecords } from '../audit/index.js';
import type { Db } from '../store/database.js';
import { grants } from '../store/schema.js';
import type { KeyRing } from './keys.js';

export { type GrantClaims, grantType } from '@countersign/core';
export { type KeyHistoryEntry, KeyRing } from './keys.js';

export interface GrantSettings {
  issuer: string;
  audience: string;
}

/** What the store keeps of a grant; the token is re-signed from it on demand (Ed25519 is deterministic). */
export interface GrantRecord {
  jti: string;
  kid: string;
  claims: GrantClaims;
  expiresAt: Date;
}

/** The claims for the grant of an approved action: bound to its digest, valid for the rule's `grantTtl`. */
export function grantFor(
  action: Action,
  approvers: string[],
  now: Date,
  settings: GrantSettings,
  kid: string,
): GrantRecord {
  const iat = Math.floor(now.getTime() / 1000);
  // Whole seconds, rounded down, so the lifetime never exceeds grantTtl.
  const exp = iat + Math.max(1, Math.floor(action.decision.grantTtlMs / 1000));
  const jti = randomUUID();
  return {
    jti,
    kid,
    expiresAt: new Date(exp * 1000),
    claims: {
      iss: settings.issuer,
      sub: action.requester.agent,
      aud: settings.audience,
      jti,
      iat,
      exp,
      act: {
        id: action.id,
        action: action.action,
        resource: { type: action.resource.type, id: action.resource.id },
        environment: action.environment,
        digest: action.digest,
      },
      apr: approvers,
    },
  };
}

/** Signs a grant's claims; the same record always yields the same token. */
export async function signGrant(keys: KeyRing, record: GrantRecord): Promise<string> {
  const key = keys.privateKey(record.kid);
  if (!key) {
    throw new Error(
      `grant ${record.jti} was signed with key ${record.kid}, which this server does not hold; replicas must share their signing keys`,
    );
  }
  return new SignJWT({ ...orderedClaims(record.claims) })
    .setProtectedHeader({ alg: 'EdDSA', typ: grantType, kid: record.kid })
    .sign(key);
}

/**
 * The claims in one fixed key order. The store keeps them as JSONB, which reorders keys, so signing what was read
 * back would otherwise give a different token than the one handed out when the grant was minted.
 */
function orderedClaims(claims: GrantClaims): GrantClaims {
  const { act } = claims;
  return {
    iss: claims.iss,
    sub: claims.sub,
    aud: claims.aud,
    jti: claims.jti,
    iat: claims.iat,
    exp: claims.exp,
    act: {
      id: act.id,
      action: act.action,
      resource: { type: act.resource.type, id: act.resource.id },
      environment: act.environment,
      digest: act.digest,
    },
    apr: [...claims.apr],
  };
}

/** Verifies a grant's signature, type, issuer, audience and lifetime at `now`; refuses with a grant_* code. */
export async function verifyGrant(
  keys: KeyRing,
  token: string,
  settings: GrantSettings,
  now: Date,
): Promise<GrantClaims> {
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(keys.jwks()), {
      algorithms: ['EdDSA'],
      typ: grantType,
      issuer: settings.issuer,
      audience: settings.audience,
      currentDate: now,
      requiredClaims: ['jti', 'sub', 'exp', 'iat'],
    });
    return payload as unknown as GrantClaims;
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw new CountersignError('grant_expired', 'the grant has expired; ask for approval again');
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new CountersignError('grant_invalid', `the grant does not verify: ${reason}`);
  }
}

/**
 * Marks a verified grant redeemed, once: the conditional update lets exactly one of any number of concurrent
 * redeems through. Returns the id of the bound action.
 */
export async function redeemGrant(tx: Db, claims: GrantClaims, now: Date, via: string): Promise<string> {
  const [redeemed] = await tx
    .update(grants)
    .set({ redeemedAt: now })
    .where(and(eq(grants.jti, claims.jti), isNull(grants.redeemedAt)))
    .returning({ actionId: grants.actionId });
  if (!redeemed) {
    const [row] = await tx.select({ redeemedAt: grants.redeemedAt }).from(grants).where(eq(grants.jti, claims.jti));
    if (!row) throw new CountersignError('grant_invalid', 'no such grant was issued');
    throw new CountersignError(
      'grant_used',
      `this grant was redeemed at ${row.redeemedAt?.toISOString()}; a grant authorises one execution`,
    );
  }
  await appendAuditRecords(tx, [
    {
      ts: now,
      type: 'grant.redeemed',
      actionId: redeemed.actionId,
      actor: { kind: 'system', id: 'executor', via },
      data: { jti: claims.jti, agent: claims.sub, digest: claims.act.digest },
    },
  ]);
  return redeemed.actionId;
}

/**
 * The JWKS to publish now: the keys in service, and each retired key while a grant it signed is unexpired — looked
 * up in the store at most every `maxAgeMs` (a grant issued on another replica just before a rotation included).
 */
export async function publishedJwks(db: Db, keys: KeyRing, now: Date, maxAgeMs = 10_000): Promise<JSONWebKeySet> {
  const retired = keys.retiredKids();
  if (retired.length > 0 && !keys.grantExpiriesFresh(now, maxAgeMs)) {
    const rows = await db
      .select({ kid: grants.kid, until: sql<string>`max(${grants.expiresAt})` })
      .from(grants)
      .where(inArray(grants.kid, retired))
      .groupBy(grants.kid);
    keys.setGrantExpiries(new Map(rows.map((row) => [row.kid, new Date(row.until)])), now);
  }
  return keys.jwks(now);
}
