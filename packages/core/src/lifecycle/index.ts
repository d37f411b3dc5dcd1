import { actionDigest } from '../digest/index.js';
import { CountersignError, type ErrorCode } from '../errors/index.js';
import {
  type Action,
  type ActionStatus,
  type Agent,
  type Decision,
  type Outcome,
  type RequirementProgress,
  type Review,
  type Reviewer,
  type SubmittedAction,
  terminalStatuses,
  type Verdict,
} from '../schemas/index.js';

/**
 * The action lifecycle as a pure function: `transition(action, event)` returns the next action or a coded refusal,
 * never touching a clock, a database or the network. The server wraps each accepted transition in one transaction
 * with its audit entry; everything about who may do what, and when, is decided here.
 *
 * ```
 * submit ─┬─ allow ───────────────→ approved ──outcome──→ succeeded | failed
 *         ├─ deny  ───────────────→ denied
 *         └─ require_approval ────→ pending ─┬─ quorum on every requirement ─→ approved
 *                                            ├─ one eligible rejection ─────→ rejected
 *                                            ├─ timeout ────────────────────→ expired
 *                                            ├─ requesting agent cancels ───→ cancelled
 *                                            └─ escalation (stays pending; escalation groups become eligible)
 * ```
 */

export type LifecycleEvent =
  | { type: 'review'; reviewer: Reviewer; verdict: Verdict; comment?: string; via?: string; at: Date }
  | { type: 'escalate'; at: Date }
  | { type: 'expire'; at: Date }
  | { type: 'cancel'; agent: string; at: Date }
  | { type: 'outcome'; agent: string; outcome: Outcome; at: Date };

export interface Refusal {
  code: ErrorCode;
  message: string;
}

export type TransitionResult = { ok: true; action: Action; changed: LifecycleChange } | { ok: false; refusal: Refusal };

/** What a successful transition did, for the audit entry and notifications. */
export type LifecycleChange =
  | { kind: 'approval_recorded'; reviewer: string; countedFor: string[]; remaining: RemainingQuorum[] }
  | { kind: 'approved'; reviewer: string; approvers: string[] }
  | { kind: 'rejected'; reviewer: string; comment?: string }
  | { kind: 'escalated'; requirements: string[] }
  | { kind: 'expired' }
  | { kind: 'cancelled' }
  | { kind: 'outcome'; status: Outcome['status'] };

export interface RemainingQuorum {
  rule: string;
  missing: number;
}

/** The statuses an action can never leave. */
export function isTerminal(status: ActionStatus): boolean {
  return terminalStatuses.has(status);
}

/**
 * Creates the stored action for a submission the policy has decided on. Refuses with `justification_required`
 * when a deciding rule asks for a justification and none (or only white space) was given.
 */
export function createAction(input: {
  id: string;
  submitted: SubmittedAction;
  agent: Pick<Agent, 'id' | 'owner'>;
  decision: Decision;
  now: Date;
}): { ok: true; action: Action } | { ok: false; refusal: Refusal } {
  const { id, submitted, agent, decision, now } = input;
  if (decision.effect !== 'deny' && decision.requireJustification && !submitted.justification?.trim()) {
    return refuse(
      'justification_required',
      `rule ${decision.rules.join(', ')} requires a justification: say why this action is needed`,
    );
  }
  if (decision.effect === 'require_approval' && decision.requirements.length === 0) {
    // Nobody could ever approve it; a policy loader never produces this, so it is a caller's bug.
    return refuse('validation_failed', 'a require_approval decision must carry at least one requirement');
  }
  const at = now.toISOString();
  const pending = decision.effect === 'require_approval';
  const status: ActionStatus =
    decision.effect === 'allow' ? 'approved' : decision.effect === 'deny' ? 'denied' : 'pending';
  const requirements: RequirementProgress[] = pending
    ? decision.requirements.map((requirement) => ({
        ...requirement,
        approvals: [],
        escalated: false,
        ...(requirement.escalate && {
          escalateAt: new Date(now.getTime() + requirement.escalate.afterMs).toISOString(),
        }),
      }))
    : [];
  const action: Action = {
    id,
    status,
    action: submitted.action,
    resource: submitted.resource,
    environment: submitted.environment,
    params: submitted.params,
    ...(submitted.justification !== undefined && { justification: submitted.justification }),
    context: submitted.context,
    ...(submitted.onBehalfOf !== undefined && { onBehalfOf: submitted.onBehalfOf }),
    requester: { agent: agent.id, owner: agent.owner },
    digest: actionDigest(submitted),
    decision,
    approval: {
      requirements,
      expiresAt: pending ? new Date(now.getTime() + decision.timeoutMs).toISOString() : at,
    },
    reviews: [],
    createdAt: at,
    updatedAt: at,
    ...(!pending && { decidedAt: at }),
  };
  return { ok: true, action };
}

/** Applies one event to an action. Pure: the input action is never modified. */
export function transition(action: Action, event: LifecycleEvent): TransitionResult {
  // Another agent learns nothing about the action's state: it is refused before anything else is looked at.
  if ((event.type === 'cancel' || event.type === 'outcome') && event.agent !== action.requester.agent) {
    return refuse(
      'forbidden',
      `only the requesting agent (${action.requester.agent}) may ${event.type === 'cancel' ? 'cancel' : 'report the outcome of'} action ${action.id}`,
    );
  }
  if (isTerminal(action.status)) {
    return refuse(
      event.type === 'outcome' ? 'not_approved' : 'not_pending',
      `action ${action.id} is ${action.status}; a ${action.status} action never changes`,
    );
  }
  switch (event.type) {
    case 'review':
      return review(action, event);
    case 'escalate':
      return escalate(action, event.at);
    case 'expire':
      return expire(action, event.at);
    case 'cancel':
      return cancel(action, event.at);
    case 'outcome':
      return reportOutcome(action, event.outcome, event.at);
  }
}

/**
 * What eligibility looks at: everything but the digest, so a channel can ask about the masked action it holds
 * (masking leaves status, requester, on-behalf-of, reviews and requirements as they are).
 */
export type ReviewedAction = Omit<Action, 'digest'>;

/** Why `reviewer` may not review `action` at `at`, or `undefined` when they may. */
export function reviewRefusal(action: ReviewedAction, reviewer: Reviewer, at: Date): Refusal | undefined {
  const notPending = pendingRefusal(action, at);
  if (notPending) return notPending;
  if (isRequesterSide(action, reviewer.id)) {
    return {
      code: 'self_approval',
      message: `${reviewer.id} is on the requesting side of action ${action.id} (its agent, owner or onBehalfOf) and can never review it`,
    };
  }
  if (action.reviews.some((r) => sameIdentity(r.reviewer, reviewer.id))) {
    return { code: 'already_reviewed', message: `${reviewer.id} has already reviewed action ${action.id}` };
  }
  if (eligibleRequirements(action, reviewer).length === 0) {
    const groups = [...new Set(action.approval.requirements.flatMap(allowedGroups))];
    return {
      code: 'not_eligible',
      message: `${reviewer.id} is not in any group that may review action ${action.id} (${groups.join(', ')})`,
    };
  }
  return undefined;
}

/** The rules of the requirements `reviewer` is eligible for (group membership, escalation groups once escalated). */
export function eligibleRequirements(action: ReviewedAction, reviewer: Reviewer): string[] {
  if (isRequesterSide(action, reviewer.id)) return [];
  const groups = new Set(reviewer.groups);
  return action.approval.requirements
    .filter((requirement) => allowedGroups(requirement).some((group) => groups.has(group)))
    .map((requirement) => requirement.rule);
}

/** How many approvals each requirement still needs. */
export function remainingQuorum(action: Action): RemainingQuorum[] {
  return action.approval.requirements.map((requirement) => ({
    rule: requirement.rule,
    missing: Math.max(0, requirement.quorum - requirement.approvals.length),
  }));
}

function review(action: Action, event: Extract<LifecycleEvent, { type: 'review' }>): TransitionResult {
  const refusal = reviewRefusal(action, event.reviewer, event.at);
  if (refusal) return { ok: false, refusal };
  const at = event.at.toISOString();
  const countedFor = event.verdict === 'approve' ? eligibleRequirements(action, event.reviewer) : [];
  const recorded: Review = {
    reviewer: event.reviewer.id,
    verdict: event.verdict,
    ...(event.comment !== undefined && { comment: event.comment }),
    countedFor,
    ...(event.via !== undefined && { via: event.via }),
    at,
  };
  const reviews = [...action.reviews, recorded];
  if (event.verdict === 'reject') {
    return {
      ok: true,
      action: { ...action, status: 'rejected', reviews, updatedAt: at, decidedAt: at },
      changed: {
        kind: 'rejected',
        reviewer: event.reviewer.id,
        ...(event.comment !== undefined && { comment: event.comment }),
      },
    };
  }
  const counted = new Set(countedFor);
  const requirements = action.approval.requirements.map((requirement) =>
    counted.has(requirement.rule)
      ? { ...requirement, approvals: [...requirement.approvals, event.reviewer.id] }
      : requirement,
  );
  const next: Action = { ...action, approval: { ...action.approval, requirements }, reviews, updatedAt: at };
  const remaining = remainingQuorum(next);
  if (remaining.every((r) => r.missing === 0)) {
    const approvers = [...new Set(requirements.flatMap((r) => r.approvals))];
    return {
      ok: true,
      action: { ...next, status: 'approved', decidedAt: at },
      changed: { kind: 'approved', reviewer: event.reviewer.id, approvers },
    };
  }
  return {
    ok: true,
    action: next,
    changed: { kind: 'approval_recorded', reviewer: event.reviewer.id, countedFor, remaining },
  };
}

function escalate(action: Action, now: Date): TransitionResult {
  const notPending = pendingRefusal(action, now);
  if (notPending) return { ok: false, refusal: notPending };
  const due = action.approval.requirements.filter(
    (r) => r.escalate && !r.escalated && r.escalateAt !== undefined && Date.parse(r.escalateAt) <= now.getTime(),
  );
  if (due.length === 0) return refuse('not_due', `no escalation of action ${action.id} is due`);
  const dueRules = new Set(due.map((r) => r.rule));
  const requirements = action.approval.requirements.map((r) => (dueRules.has(r.rule) ? { ...r, escalated: true } : r));
  return {
    ok: true,
    action: { ...action, approval: { ...action.approval, requirements }, updatedAt: now.toISOString() },
    changed: { kind: 'escalated', requirements: [...dueRules] },
  };
}

function expire(action: Action, now: Date): TransitionResult {
  const notPending = pendingRefusal(action);
  if (notPending) return { ok: false, refusal: notPending };
  if (now.getTime() < Date.parse(action.approval.expiresAt)) {
    return refuse('not_due', `action ${action.id} does not expire until ${action.approval.expiresAt}`);
  }
  const at = now.toISOString();
  return {
    ok: true,
    action: { ...action, status: 'expired', updatedAt: at, decidedAt: at },
    changed: { kind: 'expired' },
  };
}

function cancel(action: Action, now: Date): TransitionResult {
  const notPending = pendingRefusal(action);
  if (notPending) return { ok: false, refusal: notPending };
  const at = now.toISOString();
  return {
    ok: true,
    action: { ...action, status: 'cancelled', updatedAt: at, decidedAt: at },
    changed: { kind: 'cancelled' },
  };
}

function reportOutcome(action: Action, outcome: Outcome, now: Date): TransitionResult {
  if (action.status !== 'approved') {
    return refuse('not_approved', `action ${action.id} is ${action.status}; only an approved action has an outcome`);
  }
  return {
    ok: true,
    action: { ...action, status: outcome.status, outcome, updatedAt: now.toISOString() },
    changed: { kind: 'outcome', status: outcome.status },
  };
}

/**
 * `not_pending` unless the action is pending and, when `at` is given, still inside its approval window (the sweeper
 * may not have expired it yet, but nobody may act on it past `expiresAt`).
 */
function pendingRefusal(action: ReviewedAction, at?: Date): Refusal | undefined {
  if (action.status !== 'pending') {
    return { code: 'not_pending', message: `action ${action.id} is ${action.status}, not pending` };
  }
  if (at && at.getTime() >= Date.parse(action.approval.expiresAt)) {
    return { code: 'not_pending', message: `action ${action.id} expired at ${action.approval.expiresAt}` };
  }
  return undefined;
}

function allowedGroups(requirement: RequirementProgress): string[] {
  return requirement.escalated && requirement.escalate
    ? [...requirement.groups, ...requirement.escalate.to]
    : requirement.groups;
}

/** The agent, its owner and the human it acts for are one side; none of them may review. */
function isRequesterSide(action: ReviewedAction, reviewerId: string): boolean {
  return (
    sameIdentity(reviewerId, action.requester.agent) ||
    sameIdentity(reviewerId, action.requester.owner) ||
    (action.onBehalfOf !== undefined && sameIdentity(reviewerId, action.onBehalfOf))
  );
}

/** Identities are email-like: compare without regard to case or surrounding white space. */
function sameIdentity(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function refuse(code: ErrorCode, message: string): { ok: false; refusal: Refusal } {
  return { ok: false, refusal: { code, message } };
}

/** Throws the refusal of a failed transition as a {@link CountersignError}; returns the action otherwise. */
export function unwrapTransition(result: TransitionResult): Action {
  if (!result.ok) throw new CountersignError(result.refusal.code, result.refusal.message);
  return result.action;
}
