import type { StatefulAuthorizationCall } from '@cedar-policy/cedar-wasm/nodejs';
import { type Decision, type DecisionInput, decide, type Policy } from '../../packages/core/src/index.js';
import type { CedarEngine, CedarOutcome, PolicyOutcome } from './cedar-translation.js';

/** How a decision came out: by a rule of each effect, or by the default because no rule matched. */
export type OutcomeKind = 'allow' | 'deny' | 'require_approval' | 'default';

export interface Disagreement {
  readonly index: number;
  readonly input: DecisionInput;
  readonly countersign: PolicyOutcome;
  readonly cedar: CedarOutcome;
}

export interface EquivalenceReport {
  readonly total: number;
  readonly agreed: number;
  /** Outcomes of the inputs both engines agreed on. */
  readonly mix: Readonly<Record<OutcomeKind, number>>;
  /** Distinct rules that decided at least one input. */
  readonly rulesDeciding: number;
  readonly firstDisagreement: Disagreement | undefined;
}

export function countersignOutcome(decision: Decision): PolicyOutcome {
  return { effect: decision.effect, rules: [...decision.rules].sort() };
}

/**
 * Decides every input with both engines and compares effect and deciding rules. A Cedar evaluation error counts
 * as a disagreement even when the outcomes match: the engines treat errors differently (Countersign fails
 * closed, Cedar skips the policy), so an input that raises one does not compare them on equal footing.
 */
export function checkEquivalence({
  policy,
  cedar,
  inputs,
  cedarRequests,
  now,
}: {
  policy: Policy;
  cedar: CedarEngine;
  inputs: readonly DecisionInput[];
  /** `cedar.request(input)` for each input, when the caller already built them. */
  cedarRequests?: readonly StatefulAuthorizationCall[];
  now: Date;
}): EquivalenceReport {
  const mix: Record<OutcomeKind, number> = { allow: 0, deny: 0, require_approval: 0, default: 0 };
  const deciding = new Set<string>();
  let agreed = 0;
  let firstDisagreement: Disagreement | undefined;
  inputs.forEach((input, index) => {
    const ours = countersignOutcome(decide(policy, input, now));
    const theirs = cedar.outcome(cedar.authorize(cedarRequests?.[index] ?? cedar.request(input)));
    const same =
      ours.effect === theirs.effect &&
      ours.rules.length === theirs.rules.length &&
      ours.rules.every((rule, i) => rule === theirs.rules[i]) &&
      theirs.errors.length === 0;
    if (!same) {
      firstDisagreement ??= { index, input, countersign: ours, cedar: theirs };
      return;
    }
    agreed++;
    mix[ours.rules.length === 0 ? 'default' : ours.effect]++;
    for (const rule of ours.rules) deciding.add(rule);
  });
  return { total: inputs.length, agreed, mix, rulesDeciding: deciding.size, firstDisagreement };
}
