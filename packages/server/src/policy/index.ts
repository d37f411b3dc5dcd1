import { readFile } from 'node:fs/promises';
import { loadPolicy, type Policy } from '@countersign/core';
import { normalizeReviewerId } from '../identity/index.js';

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

  /** Re-reads the file. On failure throws and keeps the policy in force. */
  async reload(): Promise<Policy> {
    const policy = await readPolicy(this.path);
    this.#current = policy;
    this.#members = membersOf(policy);
    return policy;
  }

  /** The groups `reviewerId` belongs to in the current policy (ids compared without regard to case). */
  groupsOf(reviewerId: string): string[] {
    return [...(this.#members.get(normalizeReviewerId(reviewerId)) ?? [])];
  }
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
