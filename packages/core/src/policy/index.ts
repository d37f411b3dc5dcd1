export type { ConditionInput } from './cel.js';
export { type DecisionInput, decide, type Explanation, explain, type RuleExplanation } from './decide.js';
export { type CompiledRule, candidateRules, type LocatedPolicyTest, loadPolicy, type Policy } from './load.js';
export {
  type ApprovalSettings,
  type PolicyFile,
  type PolicyTest,
  policyFileSchema,
  policyTestSchema,
  type RuleDefinition,
} from './schema.js';
export { formatPolicyIssue, PolicyError, type PolicyIssue } from './source.js';
export { type PolicyTestResult, runPolicyTests } from './tests.js';
