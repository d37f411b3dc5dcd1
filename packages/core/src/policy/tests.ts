import type { Decision } from '../schemas/index.js';
import { decide } from './decide.js';
import type { LocatedPolicyTest, Policy } from './load.js';

/** The result of one `tests:` entry. */
export interface PolicyTestResult {
  name: string;
  passed: boolean;
  /** Each expectation that did not hold, in words: `expected decision deny, got allow`. */
  failures: string[];
  decision: Decision;
  file: string;
  line: number;
  column: number;
}

/**
 * Runs a policy's `tests:` section. Each test decides its input and compares the decision with `expect`:
 * `decision` always; `rules` as a set when given; `reason` exactly when given; `requirements` by rule, and by
 * groups and quorum when given.
 */
export function runPolicyTests(policy: Policy, now: Date = new Date()): PolicyTestResult[] {
  return policy.tests.map((test) => runPolicyTest(policy, test, now));
}

function runPolicyTest(policy: Policy, test: LocatedPolicyTest, now: Date): PolicyTestResult {
  const decision = decide(policy, test.input, test.now ? new Date(test.now) : now);
  const failures: string[] = [];
  const { expect } = test;
  if (decision.effect !== expect.decision) {
    failures.push(`expected decision ${expect.decision}, got ${decision.effect} (${decision.reason})`);
  }
  if (expect.rules && !sameSet(expect.rules, decision.rules)) {
    failures.push(`expected rules [${expect.rules.join(', ')}], got [${decision.rules.join(', ')}]`);
  }
  if (expect.reason !== undefined && expect.reason !== decision.reason) {
    failures.push(`expected reason "${expect.reason}", got "${decision.reason}"`);
  }
  if (expect.requirements) {
    const actual = decision.requirements;
    if (
      !sameSet(
        expect.requirements.map((r) => r.rule),
        actual.map((r) => r.rule),
      )
    ) {
      failures.push(
        `expected requirements from [${expect.requirements.map((r) => r.rule).join(', ')}], got [${actual.map((r) => r.rule).join(', ')}]`,
      );
    }
    for (const wanted of expect.requirements) {
      const got = actual.find((r) => r.rule === wanted.rule);
      if (!got) continue;
      if (wanted.quorum !== undefined && wanted.quorum !== got.quorum) {
        failures.push(`expected requirement ${wanted.rule} to have quorum ${wanted.quorum}, got ${got.quorum}`);
      }
      if (wanted.groups && !sameSet(wanted.groups, got.groups)) {
        failures.push(
          `expected requirement ${wanted.rule} to have groups [${wanted.groups.join(', ')}], got [${got.groups.join(', ')}]`,
        );
      }
    }
  }
  return {
    name: test.name,
    passed: failures.length === 0,
    failures,
    decision,
    file: test.file,
    line: test.line,
    column: test.column,
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}
