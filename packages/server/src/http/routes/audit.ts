import { Readable } from 'node:stream';
import { type Checkpoint, CountersignError, publicKeysByKid } from '@countersign/core';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { exportLog, proveEntry, verifyLog } from '../../audit/evidence.js';
import { appendAuditRecords } from '../../audit/index.js';
import { publishedJwks } from '../../grants/index.js';
import type { ApiContext } from '../context.js';
import { defineRoute, type RouteSpec, viaOf } from '../route.js';

const checkpointSchema = z
  .object({
    seq: z.number().int(),
    hash: z.string(),
    root: z.string(),
    ts: z.string(),
    kid: z.string(),
    sig: z.string(),
  })
  .meta({ id: 'Checkpoint' });

const verifyReportSchema = z
  .object({
    ok: z.boolean(),
    entries: z.number().int(),
    checkpoints: z.number().int(),
    firstSeq: z.number().int(),
    lastSeq: z.number().int(),
    head: z.object({ seq: z.number().int(), hash: z.string(), root: z.string().nullable() }),
    trust: z.enum(['pinned', 'header']),
    witness: z.object({ checkpoints: z.number().int(), matched: z.number().int(), outside: z.number().int() }),
    failure: z
      .object({ seq: z.number().int().nullable(), line: z.number().int().optional(), reason: z.string() })
      .optional(),
    durationMs: z.number(),
    entriesPerSecond: z.number(),
  })
  .meta({ id: 'VerifyReport' });

const isoTime = z.iso
  .datetime()
  .transform((value) => new Date(value))
  .optional();

/** Audit evidence: export, server-side verification, inclusion proofs; and the keys that sign it all. */
export function auditRoutes(context: ApiContext): RouteSpec[] {
  const { database, keys, clock } = context;
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/audit/export',
      tag: 'audit',
      summary: 'The audit log as signed JSONL, for offline verification (`countersign audit verify`)',
      description:
        'Line 1 is `{"header": …}`: the range, the log state on both sides of it, the public keys, signed. Then every entry of the range, each line exactly the JCS of the entry, with each checkpoint (`{"checkpoint": …}`) on the line after its entry. `since` (inclusive) and `until` (exclusive) pick the contiguous run of entries between them; without them, the whole log up to its head.',
      auth: ['admin'],
      query: z.object({ since: isoTime, until: isoTime }),
      responses: { 200: { contentType: 'application/jsonl', description: 'The export, streamed' } },
      errors: ['validation_failed'],
      async handler({ query, reply }) {
        if (query.since && query.until && query.since >= query.until) {
          throw new CountersignError('validation_failed', 'since must be before until');
        }
        const now = clock.now();
        const lines = exportLog(
          database.db,
          {
            kid: keys.currentKid,
            privateKey: keys.keyObject(keys.currentKid),
            keys: keys.history().map((entry) => entry.jwk as never),
            issuer: context.grants.issuer,
          },
          { ...(query.since && { since: query.since }), ...(query.until && { until: query.until }) },
          now,
        );
        const stamp = now.toISOString().replaceAll(/[:.]/g, '');
        reply
          .header('content-type', 'application/jsonl; charset=utf-8')
          .header('content-disposition', `attachment; filename="countersign-audit-${stamp}.jsonl"`);
        return reply.send(Readable.from(lines));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/audit/verify',
      tag: 'audit',
      summary: 'Verify the live audit log: chain, Merkle roots, checkpoint signatures, witness file',
      description:
        'Reads every entry as the database holds it now and checks it exactly as `countersign audit verify` checks an export, against every key this server has signed with. With a witness file configured, every checkpoint in it must agree with the log, and none may lie beyond its end. `ok: false` names the first bad seq.',
      auth: ['admin'],
      responses: { 200: verifyReportSchema },
      async handler() {
        const started = performance.now();
        // Read the witness first: everything in it then predates the snapshot the verification reads.
        const witness: Checkpoint[] = (await context.witness.file?.read()) ?? [];
        const report = await verifyLog(database.db, publicKeysByKid(keys.history().map((entry) => entry.jwk)), witness);
        const durationMs = Math.round(performance.now() - started);
        context.metrics.auditVerifications.inc({ result: report.ok ? 'ok' : 'failed' });
        return {
          ...report,
          durationMs,
          entriesPerSecond: durationMs === 0 ? report.entries : Math.round((report.entries / durationMs) * 1000),
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/audit/proof/:seq',
      tag: 'audit',
      summary: 'An RFC 9162 inclusion proof of one entry against a signed checkpoint',
      description:
        'Proves entry `seq` is in the tree whose root the checkpoint signs: the newest checkpoint, or the one at tree size `size`. Check it with `countersign audit prove SEQ`: the leaf is SHA-256(0x00 ‖ JCS(entry)). For an entry newer than the last checkpoint, one is signed on the spot.',
      auth: ['admin'],
      params: z.object({ seq: z.coerce.number().int().min(1) }),
      query: z.object({ size: z.coerce.number().int().min(1).optional() }),
      responses: {
        200: z
          .object({
            entry: z.record(z.string(), z.unknown()),
            leafIndex: z.number().int(),
            treeSize: z.number().int(),
            leaf: z.string(),
            proof: z.array(z.string()),
            checkpoint: checkpointSchema,
          })
          .meta({ id: 'InclusionProof' }),
      },
      errors: ['not_found', 'conflict'],
      async handler({ params, query }) {
        if (query.size !== undefined && query.size < params.seq) {
          throw new CountersignError(
            'validation_failed',
            `a tree of ${query.size} entries cannot hold entry ${params.seq}`,
          );
        }
        let result = await proveEntry(database.db, params.seq, query.size);
        if (!('proof' in result) && query.size === undefined) {
          // newer than the last checkpoint (or not chained yet): sign one now rather than make the auditor wait
          await context.sequencer.checkpointNow();
          result = await proveEntry(database.db, params.seq);
        }
        if ('proof' in result) return result.proof;
        if (result.missing === 'entry') throw new CountersignError('not_found', `no audit entry ${params.seq} (yet)`);
        throw new CountersignError(
          query.size === undefined ? 'conflict' : 'not_found',
          query.size === undefined
            ? `no checkpoint covers entry ${params.seq}: checkpoints are not being signed here`
            : `no checkpoint at tree size ${query.size}`,
        );
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/.well-known/countersign-audit-keys.json',
      tag: 'audit',
      summary: 'Every public key that has signed checkpoints and exports here, with when it served',
      description:
        'Unlike the JWKS, which drops a retired key once no grant it signed can still be valid, this list keeps every key: checkpoints never expire. Pin it with `countersign audit verify --jwks URL`.',
      auth: 'public',
      responses: {
        200: z.object({
          keys: z.array(
            z.object({ kty: z.string(), crv: z.string(), x: z.string(), kid: z.string() }).catchall(z.unknown()),
          ),
        }),
      },
      handler: async ({ reply }) => {
        reply.header('cache-control', 'public, max-age=60');
        return {
          keys: keys.history().map((entry) => ({
            ...entry.jwk,
            'countersign:createdAt': entry.createdAt,
            ...(entry.retiredAt !== undefined && { 'countersign:retiredAt': entry.retiredAt }),
          })),
        };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/keys/rotate',
      tag: 'admin',
      summary: 'Rotate the Ed25519 key that signs grants, checkpoints and exports',
      description:
        'A new key signs from now on; the old one is retired: it stays in the JWKS while a grant it signed can still be valid, and in /.well-known/countersign-audit-keys.json for good. Every replica switches (they share the keys directory and hear a notification).',
      auth: ['admin'],
      responses: {
        200: z.object({
          kid: z.string(),
          previous: z.string(),
          jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
        }),
      },
      errors: ['conflict'],
      async handler({ request }) {
        if (!keys.rotatable) {
          throw new CountersignError(
            'conflict',
            'the signing key comes from COUNTERSIGN_SIGNING_KEY: put a new key there (or use a keys directory) and restart',
          );
        }
        const now = clock.now();
        const rotated = await keys.rotate(now);
        await database.db.transaction(async (tx) => {
          await appendAuditRecords(tx, [
            {
              ts: now,
              type: 'keys.rotated',
              actor: { kind: 'human', id: 'admin', via: viaOf(request) },
              data: { kid: rotated.kid, previous: rotated.previous },
            },
          ]);
          await tx.execute(sql`select pg_notify('countersign_keys', ${rotated.kid})`);
        });
        context.sequencer.poke();
        return { ...rotated, jwks: await publishedJwks(database.db, keys, now, 0) };
      },
    }),
  ];
}
