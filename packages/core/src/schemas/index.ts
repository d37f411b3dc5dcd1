import { z } from 'zod';

/**
 * Wire and stored shapes. Each zod schema is the single source of truth for its type (`z.infer`), and the same
 * schema validates HTTP input and feeds the OpenAPI document.
 */

/** Any JSON value (what `params` and `context` may hold). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number().refine(Number.isFinite, 'must be a finite number'),
    z.boolean(),
    z.null(),
    z.array(jsonValueSchema),
    z.record(z.string(), jsonValueSchema),
  ]),
);
export const jsonObjectSchema = z.record(z.string(), jsonValueSchema);
export type JsonObject = z.infer<typeof jsonObjectSchema>;

const name = (what: string, max: number) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .max(max, `${what} must be at most ${max} characters`)
    .regex(/^[^\s]+$/, `${what} must not contain white space`);

/** Action verbs are dotted lower-case names: `data.export`, `iam.grant_role`, `service.restart`. */
export const actionVerbSchema = z
  .string()
  .max(128)
  .regex(
    /^[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9][a-z0-9_-]*)*$/,
    'an action is a dotted lower-case name such as data.export or iam.grant_role',
  );

export const resourceSchema = z.strictObject({
  type: name('resource.type', 128),
  id: z.string().min(1, 'resource.id must not be empty').max(512),
  labels: z.array(z.string().min(1).max(128)).max(64).default([]),
  sensitivity: z.string().min(1).max(64).optional(),
});
export type Resource = z.infer<typeof resourceSchema>;

/** What an agent submits (`POST /v1/actions`). */
export const submittedActionSchema = z.strictObject({
  action: actionVerbSchema,
  resource: resourceSchema,
  environment: name('environment', 64),
  params: jsonObjectSchema.default({}),
  justification: z.string().max(4000).optional(),
  context: jsonObjectSchema.default({}),
  onBehalfOf: z.string().min(1).max(320).optional(),
});
export type SubmittedAction = z.infer<typeof submittedActionSchema>;
export type SubmittedActionInput = z.input<typeof submittedActionSchema>;

/** The calling agent, as policy and the lifecycle see it. */
export const agentSchema = z.strictObject({
  id: z.string().min(1).max(128),
  owner: z.string().min(1).max(320),
  labels: z.array(z.string().min(1).max(128)).max(64).default([]),
});
export type Agent = z.infer<typeof agentSchema>;

export const effectSchema = z.enum(['allow', 'deny', 'require_approval']);
export type Effect = z.infer<typeof effectSchema>;

/** What one matching `require_approval` rule demands. */
export const requirementSchema = z.strictObject({
  /** The rule that asked; `default` when the policy's default decision applied. */
  rule: z.string(),
  /** Groups whose members may approve. */
  groups: z.array(z.string()).min(1),
  /** How many distinct eligible reviewers must approve. */
  quorum: z.number().int().min(1),
  /** After `afterMs` pending, members of `to` become eligible too. */
  escalate: z.strictObject({ afterMs: z.number().int().positive(), to: z.array(z.string()).min(1) }).optional(),
});
export type Requirement = z.infer<typeof requirementSchema>;

/** The policy's verdict on one action. */
export const decisionSchema = z.strictObject({
  effect: effectSchema,
  /** The rules that produced the effect (all matching deny rules, or all matching require_approval rules, …). */
  rules: z.array(z.string()),
  reason: z.string(),
  /** `sha256:` of the policy text that decided. */
  policyVersion: z.string(),
  requirements: z.array(requirementSchema),
  /** How long a pending action waits for reviewers (the shortest timeout among the requirements). */
  timeoutMs: z.number().int().positive(),
  /** Lifetime of the grant minted on approval (the shortest among the deciding rules). */
  grantTtlMs: z.number().int().positive(),
  requireJustification: z.boolean(),
  /** Channel targets (`slack:#x`, `teams:y`, `webhook:z`) from every deciding rule, without duplicates. */
  notify: z.array(z.string()),
});
export type Decision = z.infer<typeof decisionSchema>;

export const actionStatusSchema = z.enum([
  'pending',
  'approved',
  'denied',
  'rejected',
  'expired',
  'cancelled',
  'succeeded',
  'failed',
]);
export type ActionStatus = z.infer<typeof actionStatusSchema>;
export const terminalStatuses: ReadonlySet<ActionStatus> = new Set([
  'denied',
  'rejected',
  'expired',
  'cancelled',
  'succeeded',
  'failed',
]);

export const verdictSchema = z.enum(['approve', 'reject']);
export type Verdict = z.infer<typeof verdictSchema>;

/** A reviewer's identity at the moment of review: id and the groups they belong to. */
export const reviewerSchema = z.strictObject({
  id: z.string().min(1).max(320),
  groups: z.array(z.string()),
});
export type Reviewer = z.infer<typeof reviewerSchema>;

/** A recorded review (`POST /v1/actions/{id}/reviews` body is `{verdict, comment}`). */
export const reviewSchema = z.strictObject({
  reviewer: z.string(),
  verdict: verdictSchema,
  comment: z.string().max(4000).optional(),
  /** The requirements this review counted toward (empty for a rejection). */
  countedFor: z.array(z.string()),
  /** Where the review came from: `api`, `cli`, `slack`, `teams`, `console`. */
  via: z.string().optional(),
  at: z.iso.datetime(),
});
export type Review = z.infer<typeof reviewSchema>;

export const reviewInputSchema = z.strictObject({
  verdict: verdictSchema,
  comment: z.string().max(4000).optional(),
});
export type ReviewInput = z.infer<typeof reviewInputSchema>;

/** A requirement's live progress on a stored action. */
export const requirementProgressSchema = requirementSchema.extend({
  /** Reviewer ids whose approvals counted toward this requirement, in order. */
  approvals: z.array(z.string()),
  /** When escalation became (or becomes) due; absent without escalation. */
  escalateAt: z.iso.datetime().optional(),
  escalated: z.boolean(),
});
export type RequirementProgress = z.infer<typeof requirementProgressSchema>;

export const outcomeSchema = z.strictObject({
  status: z.enum(['succeeded', 'failed']),
  detail: z.string().max(4000).optional(),
});
export type Outcome = z.infer<typeof outcomeSchema>;

/** An action as the store keeps it and the API returns it (the grant is added per caller at the edge). */
export const actionSchema = z.strictObject({
  id: z.string(),
  status: actionStatusSchema,
  action: actionVerbSchema,
  resource: resourceSchema,
  environment: z.string(),
  params: jsonObjectSchema,
  justification: z.string().optional(),
  context: jsonObjectSchema,
  onBehalfOf: z.string().optional(),
  requester: z.strictObject({ agent: z.string(), owner: z.string() }),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  decision: decisionSchema,
  approval: z.strictObject({
    requirements: z.array(requirementProgressSchema),
    expiresAt: z.iso.datetime(),
  }),
  reviews: z.array(reviewSchema),
  outcome: outcomeSchema.optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  decidedAt: z.iso.datetime().optional(),
});
export type Action = z.infer<typeof actionSchema>;
