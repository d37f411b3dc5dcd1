import { expect } from 'vitest';
import { type AuditEntry, verifyChain } from '../audit/index.js';
import { call } from '../test-support/index.js';

/** The reviewers of the resilience policies: `r00@example.com` … */
export function panelMembers(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `r${String(i).padStart(2, '0')}@example.com`);
}

/**
 * A policy with one group, `panel`, of `members`: `deploy.single` needs one approval from it, `deploy.double` two,
 * `data.read` is allowed outright and anything else is denied.
 */
export function panelPolicy(members: readonly string[]): string {
  return `version: 1
defaults:
  decision: deny
groups:
  panel: [${members.join(', ')}]
rules:
  - id: reads
    match: { action: data.read }
    decision: allow
  - id: one-of-panel
    match: { action: deploy.single }
    decision: require_approval
    approval: { approvers: [panel], quorum: 1, timeout: 1h, grantTtl: 10m }
  - id: two-of-panel
    match: { action: deploy.double }
    decision: require_approval
    approval: { approvers: [panel], quorum: 2, timeout: 1h, grantTtl: 10m }
`;
}

/**
 * A seeded pseudo-random source (mulberry32), so a failing run can be replayed: the seed comes from
 * `COUNTERSIGN_TEST_SEED` or is drawn at random, and failure messages print it.
 */
export function seededRandom(): {
  seed: number;
  next(): number;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: readonly T[]): T[];
} {
  const seed = Number(process.env.COUNTERSIGN_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return {
    seed,
    next,
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    shuffle: (items) => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j] as (typeof out)[number], out[i] as (typeof out)[number]];
      }
      return out;
    },
  };
}

/** Polls `/metrics` until the server reports no committed audit record left unchained. */
export async function waitUntilChained(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const metrics = await call<string>(url, 'GET', '/metrics');
    last = /^countersign_audit_unchained (\d+)$/m.exec(metrics.body)?.[1] ?? `(no gauge in ${metrics.status})`;
    if (last === '0') return;
    if (Date.now() > deadline) {
      throw new Error(`${url} still reports ${last} unchained audit records after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The whole chained audit log, read through `GET /v1/audit` a page at a time. */
export async function readAuditTrail(url: string, adminToken: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let after = 0;
  for (;;) {
    const page = await call<{ items: AuditEntry[]; nextAfter?: number }>(
      url,
      'GET',
      `/v1/audit?after=${after}&limit=1000`,
      adminToken,
    );
    expect(page.status, `GET /v1/audit?after=${after}: ${JSON.stringify(page.body)}`).toBe(200);
    entries.push(...page.body.items);
    if (page.body.nextAfter === undefined) return entries;
    after = page.body.nextAfter;
  }
}

/** Asserts that `entries` are the chain from seq 1 with no gap and no bad link, naming the first break. */
export function expectIntactChain(entries: readonly AuditEntry[]): void {
  expect(entries.length, 'the audit chain is empty').toBeGreaterThan(0);
  const broken = verifyChain(entries);
  expect(broken, `the audit chain breaks at seq ${broken?.seq}: ${broken?.reason}`).toBeUndefined();
}

/** Audit entries grouped by the action they are about. */
export function entriesByAction(entries: readonly AuditEntry[]): Map<string, AuditEntry[]> {
  const byAction = new Map<string, AuditEntry[]>();
  for (const entry of entries) {
    if (entry.actionId === undefined) continue;
    const list = byAction.get(entry.actionId) ?? [];
    list.push(entry);
    byAction.set(entry.actionId, list);
  }
  return byAction;
}
