import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../digest/index.js';
import { leafHash, MerkleAccumulator } from '../merkle/index.js';
import { type Checkpoint, signCheckpoint } from './checkpoint.js';
import { exportCheckpointLine, exportFormat, exportHeaderLine, type PublicJwk, signExportHeader } from './export.js';
import { type AuditEntry, genesisHash } from './index.js';

/** A generated, correctly signed audit log and its export: what tamper tests and benchmarks start from. */
export interface SampleLog {
  entries: AuditEntry[];
  checkpoints: Checkpoint[];
  /** The export's lines: header, entries, each checkpoint after its entry. */
  lines: string[];
  keys: PublicJwk[];
  kid: string;
  privateKey: KeyObject;
}

/**
 * Generates `count` realistic entries (submissions, reviews, approvals, redemptions) chained from genesis, a
 * checkpoint after every `every`-th entry plus an empty-interval one at the end, and the export of it all.
 */
export function sampleLog(count: number, options: { every?: number; start?: Date } = {}): SampleLog {
  const every = options.every ?? 100;
  const start = options.start?.getTime() ?? Date.parse('2026-01-05T09:00:00.000Z');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x as string;
  const kid = `sample-${x.slice(0, 16)}`;
  const keys: PublicJwk[] = [{ kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' }];
  const ts = (i: number) => new Date(start + i * 1_500).toISOString();
  const tree = new MerkleAccumulator();
  const entries: AuditEntry[] = [];
  const checkpoints: Checkpoint[] = [];
  const lines: string[] = [];
  let prev = genesisHash;
  for (let i = 0; i < count; i++) {
    // One canonicalisation per entry: the line is the unsigned JCS with the hash member put in its sorted place
    // (before prev, the first member after data) — what exportEntryLine(entry) would give, at a third of the cost.
    const unsigned = { seq: i + 1, ...sampleRecord(i, ts(i)), prev };
    const text = canonicalJson(unsigned);
    const hash = createHash('sha256').update(prev).update(text).digest('hex');
    const at = text.lastIndexOf(',"prev":"');
    const line = `${text.slice(0, at)},"hash":"${hash}"${text.slice(at)}`;
    const entry = { ...unsigned, hash } as AuditEntry;
    entries.push(entry);
    tree.push(leafHash(line));
    lines.push(line);
    prev = hash;
    if (entry.seq % every === 0) {
      const checkpoint = signCheckpoint(
        { seq: entry.seq, hash: entry.hash, root: tree.root().toString('hex'), ts: entry.ts, kid },
        privateKey,
      );
      checkpoints.push(checkpoint);
      lines.push(exportCheckpointLine(checkpoint));
    }
  }
  const last = entries[entries.length - 1];
  const head = { seq: last?.seq ?? 0, hash: last?.hash ?? genesisHash, root: tree.root().toString('hex') };
  const idle = signCheckpoint({ ...head, ts: ts(count + 40), kid }, privateKey);
  checkpoints.push(idle);
  lines.push(exportCheckpointLine(idle));
  const header = signExportHeader(
    {
      format: exportFormat,
      issuer: 'https://countersign.example',
      exportedAt: ts(count + 41),
      range: { since: null, until: null },
      start: { seq: 0, hash: genesisHash, tree: [] },
      end: head,
      keys,
      kid,
    },
    privateKey,
  );
  lines.unshift(exportHeaderLine(header));
  return { entries, checkpoints, lines, keys, kid, privateKey };
}

const agents = ['etl-nightly', 'support-bot', 'deploy-agent'];
const reviewers = ['alice@example.com', 'bob@example.com', 'carol@example.com'];

function sampleRecord(i: number, ts: string): Omit<AuditEntry, 'seq' | 'prev' | 'hash'> {
  const actionId = `act_${(1_000_000 + Math.floor(i / 4)).toString(36)}${'k'.repeat(16)}`;
  const agent = agents[i % agents.length] as string;
  const reviewer = reviewers[i % reviewers.length] as string;
  switch (i % 4) {
    case 0:
      return {
        ts,
        type: 'action.submitted',
        actionId,
        actor: { kind: 'agent', id: agent, via: 'api' },
        data: {
          action: 'data.export',
          resource: { type: 'dataset', id: `customers-${i % 7}`, labels: ['pii'] },
          environment: 'production',
          params: { rows: 1000 + i, format: 'parquet' },
          context: {},
          digest: `sha256:${i.toString(16).padStart(64, '0')}`,
          decision: {
            effect: 'require_approval',
            rules: ['pii-export'],
            reason: 'PII leaves production',
            policyVersion: 'p1',
          },
          status: 'pending',
        },
      };
    case 1:
      return {
        ts,
        type: 'action.approval_recorded',
        actionId,
        actor: { kind: 'human', id: reviewer, via: 'slack' },
        data: {
          reviewer,
          countedFor: ['pii-export'],
          remaining: [{ rule: 'pii-export', missing: 1 }],
          status: 'pending',
        },
      };
    case 2:
      return {
        ts,
        type: 'action.approved',
        actionId,
        actor: { kind: 'human', id: reviewer, via: 'api' },
        data: {
          reviewer,
          approvers: reviewers.slice(0, 2),
          comment: 'ticket OPS-1234, checked with the data owner',
          grant: { jti: `grt_${i.toString(36)}`, expiresAt: ts },
          status: 'approved',
        },
      };
    default:
      return {
        ts,
        type: 'grant.redeemed',
        actionId,
        actor: { kind: 'system', id: 'executor', via: 'api' },
        data: { jti: `grt_${(i - 1).toString(36)}`, agent, digest: `sha256:${i.toString(16).padStart(64, '0')}` },
      };
  }
}
