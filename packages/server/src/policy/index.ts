import { readFile } from 'node:fs/promises';
import { CountersignError, isCountersignError, loadPolicy, type Policy } from '@countersign/core';
import { type AuditActor, appendAuditRecords } from '../audit/index.js';
import type { Clock } from '../clock.js';
import { normalizeReviewerId } from '../identity/index.js';
import type { Db } from '../store/database.js';

/**
 * The policy a server decides with. A reload that fails leaves the last good policy in force: a bad edit never
 * fails open, and never stops a running server.
 */
export class PolicyHolder {
  readonly path: string;
  #current: Policy;
  #members: ReadonlyMap<string, readonly string[]>;

  private constructor(path: string, policy: Policy) {
    this.path = path;
    this.#current = policy;
    this.#members = membersOf(policy);
  }

  /** Loads the policy at `path`; throws `PolicyError` (code `policy_invalid`) with every problem. */
  static async load(path: string): Promise<PolicyHolder> {
    return new PolicyHolder(path, await readPolicy(path));
  }

  get current(): Policy {
    return this.#current;
  }

  /** Reads and checks the file without putting it in force; throws `policy_invalid` with every problem. */
  async read(): Promise<Policy> {
    try {
      return await readPolicy(this.path);
    } catch (error) {
      if (isCountersignError(error)) throw error;
      throw new CountersignError('policy_invalid', (error as Error).message);
    }
  }

  /** Puts a policy read by {@link read} in force. */
  install(policy: Policy): void {
    this.#current = policy;
    this.#members = membersOf(policy);
  }

  /** The groups `reviewerId` belongs to in the current policy (ids compared without regard to case). */
  groupsOf(reviewerId: string): string[] {
    return [...(this.#members.get(normalizeReviewerId(reviewerId)) ?? [])];
  }
}

/**
 * Re-reads the policy file and puts it in force once its `policy.loaded` audit record has committed; on any error
 * (a bad file, the audit write) the policy in force stays. Used by `POST /v1/policy/reload` and SIGHUP.
 */
export async function reloadPolicy(holder: PolicyHolder, db: Db, clock: Clock, actor: AuditActor): Promise<Policy> {
  const previous = holder.current.version;
  const next = await holder.read();
  if (next.version !== previous) {
    await db.transaction((tx) =>
      appendAuditRecords(tx, [
        { ts: clock.now(), type: 'policy.loaded', actor, data: { version: next.version, previous, file: next.file } },
      ]),
    );
  }
  holder.install(next);
  return next;
}

async function readPolicy(path: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the policy file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`, {
      cause: error,
    });
  }
  return loadPolicy(text, { file: path });
}

/** member id (normalised) → the groups naming them. */
function membersOf(policy: Policy): Map<string, string[]> {
  const members = new Map<string, string[]>();
  for (const [group, ids] of policy.groups) {
    for (const id of ids) {
      const key = normalizeReviewerId(id);
      const groups = members.get(key) ?? [];
      if (!groups.includes(group)) groups.push(group);
      members.set(key, groups);
    }
  }
  return members;
}
