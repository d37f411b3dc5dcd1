import type { StatefulAuthorizationCall } from '@cedar-policy/cedar-wasm/nodejs';
import { type DecisionInput, loadPolicy, type Policy } from '../../packages/core/src/index.js';
import { CedarEngine, type CedarPolicySet, translateToCedar } from './cedar-translation.js';
import { generateInputs } from './input-generator.js';
import { type GeneratedPolicy, generatePolicy } from './policy-generator.js';

/** Everything both engines need, built from one seed: the policy in each language and the inputs. */
export interface PolicyBenchScenario {
  readonly generated: GeneratedPolicy;
  /** The generated YAML as Countersign loads it. */
  readonly policy: Policy;
  readonly cedarPolicySet: CedarPolicySet;
  readonly cedar: CedarEngine;
  readonly inputs: readonly DecisionInput[];
  /** One prebuilt Cedar request per input. */
  readonly cedarRequests: readonly StatefulAuthorizationCall[];
  /** The evaluation time passed to every decision, fixed so runs repeat exactly. */
  readonly now: Date;
}

export const defaultSeed = 20_240_611;

export function createScenario({
  seed = defaultSeed,
  ruleCount = 200,
  inputCount,
}: {
  seed?: number;
  ruleCount?: number;
  inputCount: number;
}): PolicyBenchScenario {
  const generated = generatePolicy({ seed, ruleCount });
  const policy = loadPolicy(generated.yaml, { file: `bench-policy-${seed}.yaml` });
  const cedarPolicySet = translateToCedar(generated);
  const cedar = new CedarEngine(cedarPolicySet, `countersign-bench-${seed}-${ruleCount}`);
  // A different seed for inputs, so they are not drawn in lockstep with the rules.
  const inputs = generateInputs({ seed: seed ^ 0x5eed, count: inputCount });
  return {
    generated,
    policy,
    cedarPolicySet,
    cedar,
    inputs,
    cedarRequests: inputs.map((input) => cedar.request(input)),
    now: new Date('2025-06-11T09:00:00Z'),
  };
}
