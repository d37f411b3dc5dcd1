import { describe, expect, it } from 'vitest';
import { decide } from '../../packages/core/src/index.js';
import { CedarEngine } from './cedar-translation.js';
import { checkEquivalence } from './equivalence.js';
import { describePolicy, generatePolicy } from './policy-generator.js';
import { createScenario, defaultSeed } from './scenario.js';

describe('policy benchmark', () => {
  const scenario = createScenario({ inputCount: 400 });
  const { policy, cedar, inputs, now } = scenario;

  it('generates the same policy from the same seed, and a different one from another', () => {
    expect(generatePolicy({ seed: defaultSeed }).yaml).toBe(scenario.generated.yaml);
    expect(generatePolicy({ seed: defaultSeed + 1 }).yaml).not.toBe(scenario.generated.yaml);
  });

  it('generates a 200-rule policy Countersign loads, most rules with a CEL condition, over ~40 verbs', () => {
    const shape = describePolicy(scenario.generated);
    expect(shape.rules).toBe(200);
    expect(policy.rules).toHaveLength(200);
    expect(policy.rules.filter((rule) => rule.when !== undefined).length).toBe(shape.withCondition);
    expect(shape.withCondition).toBeGreaterThan(150);
    expect(shape.verbsNamed).toBeGreaterThanOrEqual(30);
    expect(shape.wildcardActionRules).toBeGreaterThan(0);
    for (const count of Object.values(shape.effects)) expect(count).toBeGreaterThan(20);
  });

  it('Cedar, on the translated policy, agrees with Countersign on every input', () => {
    const report = checkEquivalence({ policy, cedar, inputs, now });
    expect(report.firstDisagreement).toBeUndefined();
    expect(report.agreed).toBe(inputs.length);
    // The inputs reach every kind of outcome, so the agreement is not vacuous.
    for (const count of Object.values(report.mix)) expect(count).toBeGreaterThan(10);
    expect(report.rulesDeciding).toBeGreaterThan(50);
  });

  it('catches a translation that disagrees', () => {
    // Neutralise the deny rule that decides the most inputs: the check must point at an input it decides.
    const denials = new Map<string, number>();
    for (const input of inputs) {
      const decision = decide(policy, input, now);
      if (decision.effect === 'deny')
        for (const rule of decision.rules) denials.set(rule, (denials.get(rule) ?? 0) + 1);
    }
    const [ruleId] = [...denials].sort((a, b) => b[1] - a[1])[0] ?? [];
    if (ruleId === undefined) throw new Error('no input is denied');
    const broken = new CedarEngine(
      {
        ...scenario.cedarPolicySet,
        policies: {
          ...scenario.cedarPolicySet.policies,
          [ruleId]: 'forbid (principal, action, resource) when { false };',
        },
      },
      'countersign-bench-broken',
    );
    const report = checkEquivalence({ policy, cedar: broken, inputs, now });
    expect(report.agreed).toBeLessThan(inputs.length);
    expect(report.firstDisagreement?.countersign.rules).toContain(ruleId);
  });
});
