import { z } from 'zod';
import { parseDuration } from '../duration/index.js';
import { agentSchema, effectSchema, submittedActionSchema } from '../schemas/index.js';

/** The shape of a policy file, before CEL conditions are compiled. See `docs/policy.md`. */

const duration = z.string().refine(
  (text) => {
    try {
      parseDuration(text);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected a duration such as 30m, 1h or 90s' },
);

const groupName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a group name is letters, digits, dot, dash or underscore');

const glob = z
  .string()
  .min(1, 'a pattern must not be empty')
  .regex(/^[^\s]+$/, 'a pattern must not contain white space');
const globs = z.union([glob, z.array(glob).min(1, 'give at least one pattern')]);

const notifyTarget = z
  .string()
  .regex(/^(slack|teams|webhook):\S+$/, 'a notify target is slack:#channel, teams:NAME or webhook:NAME');

export const approvalSettingsSchema = z.strictObject({
  approvers: z.array(groupName).min(1, 'name at least one approver group').optional(),
  quorum: z.number().int('quorum is a whole number').min(1, 'quorum is at least 1').max(100).optional(),
  timeout: duration.optional(),
  escalate: z.strictObject({ after: duration, to: z.array(groupName).min(1, 'name at least one group') }).optional(),
  grantTtl: duration.optional(),
  notify: z.array(notifyTarget).optional(),
  requireJustification: z.boolean().optional(),
});
export type ApprovalSettings = z.infer<typeof approvalSettingsSchema>;

export const ruleMatchSchema = z.strictObject({
  action: globs.optional(),
  environment: globs.optional(),
  resource: z.strictObject({ type: globs.optional(), id: globs.optional() }).optional(),
});
export type RuleMatch = z.infer<typeof ruleMatchSchema>;

export const ruleSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a rule id is letters, digits, dot, dash or underscore')
    .refine((id) => id !== 'default', { message: '"default" is reserved for the default decision' }),
  description: z.string().optional(),
  match: ruleMatchSchema.default({}),
  when: z.string().min(1, 'a when condition must not be empty').optional(),
  decision: effectSchema,
  approval: approvalSettingsSchema.optional(),
  reason: z.string().optional(),
});
export type RuleDefinition = z.infer<typeof ruleSchema>;

/** A `tests:` entry: an input action (with its agent) and the decision expected for it. */
export const policyTestSchema = z.strictObject({
  name: z.string().min(1),
  input: submittedActionSchema.extend({ agent: agentSchema.optional() }),
  /** The evaluation time (`now` in CEL); defaults to the moment the test runs. */
  now: z.iso.datetime({ offset: true }).optional(),
  expect: z.strictObject({
    decision: effectSchema,
    rules: z.array(z.string()).optional(),
    reason: z.string().optional(),
    requirements: z
      .array(
        z.strictObject({ rule: z.string(), groups: z.array(z.string()).optional(), quorum: z.number().optional() }),
      )
      .optional(),
  }),
});
export type PolicyTest = z.infer<typeof policyTestSchema>;

export const policyFileSchema = z.strictObject({
  version: z.literal(1, 'version must be 1'),
  description: z.string().optional(),
  defaults: z
    .strictObject({
      decision: effectSchema.default('require_approval'),
      approval: approvalSettingsSchema.default({}),
    })
    .default({ decision: 'require_approval', approval: {} }),
  groups: z.record(groupName, z.array(z.string().min(1)).default([])).default({}),
  rules: z.array(ruleSchema).default([]),
  tests: z.array(policyTestSchema).default([]),
});
export type PolicyFile = z.infer<typeof policyFileSchema>;
