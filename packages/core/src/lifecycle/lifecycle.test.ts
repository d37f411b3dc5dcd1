import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionDigest } from '../digest/index.js';
import { CountersignError, type ErrorCode, errorCodes } from '../errors/index.js';
import {
  type Action,
  type ActionStatus,
  actionSchema,
  actionStatusSchema,
  type Decision,
  type Requirement,
  type Reviewer,
  type SubmittedAction,
  terminalStatuses,
  type Verdict,
} from '../schemas/index.js';
import {
  createAction,
  eligibleRequirements,
  isTerminal,
  type LifecycleEvent,
  remainingQuorum,
  reviewRefusal,
  type TransitionResult,
  transition,
  unwrapTransition,
} from './index.js';

// ─── Builders ──────────────────────────────────────────────────────────────────────────────────────────────────────

const MINUTE = 60_000;
const T0 = new Date('2025-03-01T09:00:00.000Z');
/** A point in time `minutes` (may be fractional) after the action was created. */
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * MINUTE);

const AGENT = 'agent-etl-7';
const OTHER_AGENT = 'agent-billing-2';
const OWNER = 'dave@example.com';
const ON_BEHALF_OF = 'erin@example.com';

/** Freezes a value and everything it holds, so any mutation inside the code under test throws. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}

function submission(overrides: Partial<SubmittedAction> = {}): SubmittedAction {
  return {
    action: 'data.export',
    resource: { type: 'dataset', id: 'customers', labels: ['pii'] },
    environment: 'prod',
    params: { rows: 1000, format: 'csv' },
    justification: 'quarterly churn analysis',
    context: { ticket: 'DATA-42' },
    onBehalfOf: ON_BEHALF_OF,
    ...overrides,
  };
}

function requirement(
  rule: string,
  groups: string[],
  quorum = 1,
  escalate?: { afterMinutes: number; to: string[] },
): Requirement {
  return {
    rule,
    groups,
    quorum,
    ...(escalate && { escalate: { afterMs: escalate.afterMinutes * MINUTE, to: escalate.to } }),
  };
}

function decision(overrides: Partial<Decision> = {}): Decision {
  return {
    effect: 'require_approval',
    rules: ['export-pii'],
    reason: 'approval required by export-pii',
    policyVersion: `sha256:${'a'.repeat(64)}`,
    requirements: [requirement('export-pii', ['data-stewards'])],
    timeoutMs: 60 * MINUTE,
    grantTtlMs: 5 * MINUTE,
    requireJustification: false,
    notify: ['slack:#data-approvals'],
    ...overrides,
  };
}

function create(decisionOverrides: Partial<Decision> = {}, submitted: SubmittedAction = submission()) {
  return createAction(
    deepFreeze({
      id: 'act_1',
      submitted,
      agent: { id: AGENT, owner: OWNER },
      decision: decision(decisionOverrides),
      now: T0,
    }),
  );
}

/** A frozen action created at T0 with the given decision (pending unless the effect says otherwise). */
function actionWith(decisionOverrides: Partial<Decision> = {}, submitted: SubmittedAction = submission()): Action {
  const created = create(decisionOverrides, submitted);
  if (!created.ok) throw new Error(`fixture refused: ${created.refusal.code}`);
  return deepFreeze(created.action);
}

/** A frozen pending action waiting on the given requirements (timeout 60 minutes). */
function pendingOn(...requirements: Requirement[]): Action {
  return actionWith({ requirements, rules: requirements.map((r) => r.rule) });
}

const reviewer = (id: string, ...groups: string[]): Reviewer => ({ id, groups });

const review = (who: Reviewer, verdict: Verdict, minutes = 1, extra: { comment?: string; via?: string } = {}) =>
  ({ type: 'review', reviewer: who, verdict, at: at(minutes), ...extra }) as const satisfies LifecycleEvent;
const approve = (who: Reviewer, minutes = 1) => review(who, 'approve', minutes);
const reject = (who: Reviewer, minutes = 1) => review(who, 'reject', minutes);
const escalate = (minutes: number) => ({ type: 'escalate', at: at(minutes) }) as const satisfies LifecycleEvent;
const expire = (minutes: number) => ({ type: 'expire', at: at(minutes) }) as const satisfies LifecycleEvent;
const cancel = (agent: string, minutes = 1) =>
  ({ type: 'cancel', agent, at: at(minutes) }) as const satisfies LifecycleEvent;
const outcome = (agent: string, status: 'succeeded' | 'failed', minutes = 2, detail?: string) =>
  ({
    type: 'outcome',
    agent,
    outcome: { status, ...(detail !== undefined && { detail }) },
    at: at(minutes),
  }) as const satisfies LifecycleEvent;

/**
 * Applies `event` to a frozen `action` and checks purity on the way: the input is deep-equal to a copy taken
 * before (deep-freezing already makes any write throw). The accepted action comes back frozen too.
 */
function step(action: Action, event: LifecycleEvent): TransitionResult {
  const before = structuredClone(action);
  const result = transition(deepFreeze(action), deepFreeze(event));
  expect(action).toStrictEqual(before);
  if (result.ok) deepFreeze(result.action);
  return result;
}

/** Applies events that must all be accepted and returns the final action. */
function applyAll(action: Action, ...events: LifecycleEvent[]): Action {
  return events.reduce((current, event) => {
    const result = step(current, event);
    if (!result.ok) throw new Error(`${event.type} refused: ${result.refusal.code}`);
    return result.action;
  }, action);
}

function accepted(result: TransitionResult) {
  if (!result.ok) throw new Error(`expected the transition to be accepted, got ${result.refusal.code}`);
  return result;
}

function refusalCode(result: TransitionResult | ReturnType<typeof createAction>): ErrorCode | undefined {
  return result.ok ? undefined : result.refusal.code;
}

// Reviewers used across the examples.
const stewardAlice = reviewer('alice@example.com', 'data-stewards');
const stewardBob = reviewer('bob@example.com', 'data-stewards');
const securityCarol = reviewer('carol@example.com', 'security');
const bothFrank = reviewer('frank@example.com', 'data-stewards', 'security');
const oncallOscar = reviewer('oscar@example.com', 'oncall');
const outsiderMallory = reviewer('mallory@example.com', 'marketing');

// ─── createAction ──────────────────────────────────────────────────────────────────────────────────────────────────

describe('createAction', () => {
  it('a policy allow approves the action at once: decidedAt set, no requirements, nothing to review', () => {
    const action = actionWith({ effect: 'allow', rules: ['read-only'], requirements: [] });
    expect(action.status).toBe('approved');
    expect(action.decidedAt).toBe(T0.toISOString());
    expect(action.approval.requirements).toEqual([]);
    expect(action.reviews).toEqual([]);
    expect(remainingQuorum(action)).toEqual([]);
  });

  it('an allowed action carries no requirements even when the decision lists some', () => {
    const action = actionWith({ effect: 'allow' });
    expect(action.status).toBe('approved');
    expect(action.approval.requirements).toEqual([]);
  });

  it('a policy deny denies the action at once with decidedAt set', () => {
    const action = actionWith({ effect: 'deny', rules: ['no-prod-exports'], requirements: [] });
    expect(action.status).toBe('denied');
    expect(action.decidedAt).toBe(T0.toISOString());
    expect(action.approval.requirements).toEqual([]);
    expect(isTerminal(action.status)).toBe(true);
  });

  it('refuses a require_approval decision that no one could ever approve (no requirements)', () => {
    expect(refusalCode(create({ requirements: [] }))).toBe('validation_failed');
  });

  it('require_approval leaves the action pending until now + decision.timeoutMs, not yet decided', () => {
    const action = actionWith({ timeoutMs: 45 * MINUTE });
    expect(action.status).toBe('pending');
    expect(action.decidedAt).toBeUndefined();
    expect(action.approval.expiresAt).toBe(at(45).toISOString());
  });

  it('each requirement starts with no approvals, not escalated, and escalateAt only when it escalates', () => {
    const action = pendingOn(
      requirement('export-pii', ['data-stewards'], 2, { afterMinutes: 10, to: ['oncall'] }),
      requirement('prod-change', ['security']),
    );
    expect(action.approval.requirements).toEqual([
      {
        rule: 'export-pii',
        groups: ['data-stewards'],
        quorum: 2,
        escalate: { afterMs: 10 * MINUTE, to: ['oncall'] },
        escalateAt: at(10).toISOString(),
        escalated: false,
        approvals: [],
      },
      { rule: 'prod-change', groups: ['security'], quorum: 1, escalated: false, approvals: [] },
    ]);
    expect(remainingQuorum(action)).toEqual([
      { rule: 'export-pii', missing: 2 },
      { rule: 'prod-change', missing: 1 },
    ]);
  });

  it('records who asked, for whom, what exactly (digest) and when', () => {
    const submitted = submission();
    const action = actionWith({}, submitted);
    expect(action).toMatchObject({
      id: 'act_1',
      action: submitted.action,
      resource: submitted.resource,
      environment: submitted.environment,
      params: submitted.params,
      context: submitted.context,
      justification: submitted.justification,
      onBehalfOf: ON_BEHALF_OF,
      requester: { agent: AGENT, owner: OWNER },
      digest: actionDigest(submitted),
      decision: decision(),
      reviews: [],
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
    });
  });

  it('leaves justification and onBehalfOf out when they were not submitted', () => {
    const { justification: _j, onBehalfOf: _o, ...bare } = submission();
    const action = actionWith({}, bare);
    expect('justification' in action).toBe(false);
    expect('onBehalfOf' in action).toBe(false);
  });

  it.each(['allow', 'deny', 'require_approval'] as const)('a %s action matches the stored action schema', (effect) => {
    expect(() => actionSchema.parse(actionWith({ effect }))).not.toThrow();
  });

  describe('justification_required', () => {
    const missing: [string, string | undefined][] = [
      ['absent', undefined],
      ['empty', ''],
      ['spaces only', '   '],
      ['tabs and newlines only', '\t\n \r\n'],
    ];
    const cases = (['allow', 'require_approval'] as const).flatMap((effect) =>
      missing.map(([label, justification]) => ({ effect, label, justification })),
    );

    it.each(cases)(
      'refuses a $effect decision that requires a justification when it is $label',
      ({ effect, justification }) => {
        const { justification: _drop, ...rest } = submission();
        const submitted = justification === undefined ? rest : { ...rest, justification };
        const result = create({ effect, requireJustification: true }, submitted);
        expect(refusalCode(result)).toBe('justification_required');
      },
    );

    it.each(missing)('never asks a deny decision for a justification (%s): it is simply denied', (_, justification) => {
      const { justification: _drop, ...rest } = submission();
      const submitted = justification === undefined ? rest : { ...rest, justification };
      const result = create({ effect: 'deny', requireJustification: true }, submitted);
      expect(result.ok && result.action.status).toBe('denied');
    });

    it.each(['allow', 'require_approval'] as const)('accepts a %s with a real justification', (effect) => {
      const result = create({ effect, requireJustification: true }, submission({ justification: '  ticket DATA-42 ' }));
      expect(result.ok).toBe(true);
    });

    it.each(['allow', 'require_approval'] as const)(
      'does not ask for one when the rule does not require it (%s)',
      (effect) => {
        const { justification: _drop, ...rest } = submission();
        expect(create({ effect, requireJustification: false }, rest).ok).toBe(true);
      },
    );
  });
});

// ─── The transition table ──────────────────────────────────────────────────────────────────────────────────────────

/**
 * One fixture per status, each reached through the lifecycle itself. The pending fixture waits for one data steward
 * (escalating to on-call after 10 minutes, expiring after 60); events below are timed so that the timed ones are due.
 */
const fixtures: Record<string, () => Action> = {
  pending: () => pendingOn(requirement('export-pii', ['data-stewards'], 1, { afterMinutes: 10, to: ['oncall'] })),
  'approved (by policy)': () => actionWith({ effect: 'allow', requirements: [] }),
  'approved (by reviewers)': () => applyAll(fixtures.pending!(), approve(stewardAlice)),
  denied: () => actionWith({ effect: 'deny', requirements: [] }),
  rejected: () => applyAll(fixtures.pending!(), reject(stewardAlice)),
  expired: () => applyAll(fixtures.pending!(), expire(60)),
  cancelled: () => applyAll(fixtures.pending!(), cancel(AGENT)),
  succeeded: () => applyAll(fixtures['approved (by reviewers)']!(), outcome(AGENT, 'succeeded')),
  failed: () => applyAll(fixtures['approved (by reviewers)']!(), outcome(AGENT, 'failed')),
};

const events: Record<string, LifecycleEvent> = {
  'an eligible approval': approve(stewardBob, 30),
  'an eligible rejection': reject(stewardBob, 30),
  'a due escalation': escalate(30),
  'a due expiry': expire(61),
  'cancel by the requesting agent': cancel(AGENT, 30),
  'cancel by another agent': cancel(OTHER_AGENT, 30),
  'outcome succeeded by the requesting agent': outcome(AGENT, 'succeeded', 30),
  'outcome failed by the requesting agent': outcome(AGENT, 'failed', 30),
  'outcome by another agent': outcome(OTHER_AGENT, 'succeeded', 30),
};

type Expected = { status: ActionStatus } | { code: ErrorCode };
const terminalRow: Record<string, Expected> = Object.fromEntries(
  Object.keys(events).map((name) => [
    name,
    // Another agent is refused before the state is looked at, so it learns nothing about it.
    {
      code: name.endsWith('by another agent')
        ? 'forbidden'
        : name.startsWith('outcome')
          ? 'not_approved'
          : 'not_pending',
    },
  ]),
);
const approvedRow: Record<string, Expected> = {
  'an eligible approval': { code: 'not_pending' },
  'an eligible rejection': { code: 'not_pending' },
  'a due escalation': { code: 'not_pending' },
  'a due expiry': { code: 'not_pending' },
  'cancel by the requesting agent': { code: 'not_pending' },
  'cancel by another agent': { code: 'forbidden' },
  'outcome succeeded by the requesting agent': { status: 'succeeded' },
  'outcome failed by the requesting agent': { status: 'failed' },
  'outcome by another agent': { code: 'forbidden' },
};
const table: Record<string, Record<string, Expected>> = {
  pending: {
    'an eligible approval': { status: 'approved' },
    'an eligible rejection': { status: 'rejected' },
    'a due escalation': { status: 'pending' },
    'a due expiry': { status: 'expired' },
    'cancel by the requesting agent': { status: 'cancelled' },
    'cancel by another agent': { code: 'forbidden' },
    'outcome succeeded by the requesting agent': { code: 'not_approved' },
    'outcome failed by the requesting agent': { code: 'not_approved' },
    'outcome by another agent': { code: 'forbidden' },
  },
  'approved (by policy)': approvedRow,
  'approved (by reviewers)': approvedRow,
  denied: terminalRow,
  rejected: terminalRow,
  expired: terminalRow,
  cancelled: terminalRow,
  succeeded: terminalRow,
  failed: terminalRow,
};

const rows = Object.entries(table).flatMap(([from, row]) =>
  Object.entries(row).map(([event, expected]) => ({
    from,
    event,
    expected,
    outcomeText: 'status' in expected ? `→ ${expected.status}` : `is refused with ${expected.code}`,
  })),
);

describe('transition table: every event from every status', () => {
  it('covers every status and every event', () => {
    expect(new Set(Object.values(fixtures).map((f) => f().status))).toEqual(new Set(actionStatusSchema.options));
    expect(rows).toHaveLength(Object.keys(fixtures).length * Object.keys(events).length);
  });

  it.each(rows)('$from + $event $outcomeText', ({ from, event, expected }) => {
    const action = fixtures[from]!();
    const result = step(action, events[event]!);
    if ('code' in expected) {
      expect(refusalCode(result)).toBe(expected.code);
    } else {
      expect(accepted(result).action.status).toBe(expected.status);
    }
  });

  it.each([...terminalStatuses])('a %s action is terminal and every event leaves it exactly as it was', (status) => {
    const action = fixtures[status]!();
    expect(isTerminal(action.status)).toBe(true);
    const snapshot = structuredClone(action);
    for (const event of Object.values(events)) {
      expect(step(action, event).ok).toBe(false);
    }
    expect(action).toStrictEqual(snapshot);
  });

  it.each(['pending', 'approved'] as const)('a %s action is not terminal', (status) => {
    expect(isTerminal(status)).toBe(false);
  });
});

// ─── Reviews ───────────────────────────────────────────────────────────────────────────────────────────────────────

describe('reviews', () => {
  it('one eligible approval meets a quorum of 1: approved, with the approver recorded', () => {
    const action = pendingOn(requirement('export-pii', ['data-stewards'], 1));
    const result = accepted(step(action, review(stewardAlice, 'approve', 5, { comment: 'ok', via: 'slack' })));
    expect(result.changed).toEqual({ kind: 'approved', reviewer: stewardAlice.id, approvers: [stewardAlice.id] });
    expect(result.action.status).toBe('approved');
    expect(result.action.decidedAt).toBe(at(5).toISOString());
    expect(result.action.updatedAt).toBe(at(5).toISOString());
    expect(result.action.approval.requirements[0]!.approvals).toEqual([stewardAlice.id]);
    expect(result.action.reviews).toEqual([
      {
        reviewer: stewardAlice.id,
        verdict: 'approve',
        comment: 'ok',
        countedFor: ['export-pii'],
        via: 'slack',
        at: at(5).toISOString(),
      },
    ]);
    expect(remainingQuorum(result.action)).toEqual([{ rule: 'export-pii', missing: 0 }]);
    expect(() => actionSchema.parse(result.action)).not.toThrow();
  });

  it('a quorum of 2 needs two distinct approvers: approval_recorded first, then approved', () => {
    const action = pendingOn(requirement('export-pii', ['data-stewards'], 2));
    const first = accepted(step(action, approve(stewardAlice, 1)));
    expect(first.changed).toEqual({
      kind: 'approval_recorded',
      reviewer: stewardAlice.id,
      countedFor: ['export-pii'],
      remaining: [{ rule: 'export-pii', missing: 1 }],
    });
    expect(first.action.status).toBe('pending');
    expect(first.action.decidedAt).toBeUndefined();

    const second = accepted(step(first.action, approve(stewardBob, 2)));
    expect(second.changed).toEqual({
      kind: 'approved',
      reviewer: stewardBob.id,
      approvers: [stewardAlice.id, stewardBob.id],
    });
    expect(second.action.status).toBe('approved');
    expect(second.action.decidedAt).toBe(at(2).toISOString());
  });

  describe('with several requirements, quorum is counted per requirement', () => {
    const twoRules = () =>
      pendingOn(requirement('export-pii', ['data-stewards'], 1), requirement('prod-change', ['security'], 1));

    it('a reviewer in both groups counts toward both and can satisfy both at once', () => {
      const result = accepted(step(twoRules(), approve(bothFrank)));
      expect(result.action.reviews[0]!.countedFor).toEqual(['export-pii', 'prod-change']);
      expect(result.action.approval.requirements.map((r) => r.approvals)).toEqual([[bothFrank.id], [bothFrank.id]]);
      expect(result.action.status).toBe('approved');
      expect(result.changed).toEqual({ kind: 'approved', reviewer: bothFrank.id, approvers: [bothFrank.id] });
    });

    it('a reviewer in one group counts toward that requirement only; the action waits for the other', () => {
      const first = accepted(step(twoRules(), approve(stewardAlice, 1)));
      expect(first.changed).toEqual({
        kind: 'approval_recorded',
        reviewer: stewardAlice.id,
        countedFor: ['export-pii'],
        remaining: [
          { rule: 'export-pii', missing: 0 },
          { rule: 'prod-change', missing: 1 },
        ],
      });
      expect(first.action.approval.requirements.map((r) => r.approvals)).toEqual([[stewardAlice.id], []]);
      expect(first.action.status).toBe('pending');

      const second = accepted(step(first.action, approve(securityCarol, 2)));
      expect(second.action.status).toBe('approved');
      expect(second.changed).toEqual({
        kind: 'approved',
        reviewer: securityCarol.id,
        approvers: [stewardAlice.id, securityCarol.id],
      });
    });

    it('surplus approvals on one requirement never make up for another one', () => {
      let action = pendingOn(
        requirement('export-pii', ['data-stewards'], 2),
        requirement('prod-change', ['security'], 1),
      );
      action = applyAll(action, approve(bothFrank, 1), approve(reviewer('sec2@example.com', 'security'), 2));
      expect(action.status).toBe('pending');
      expect(remainingQuorum(action)).toEqual([
        { rule: 'export-pii', missing: 1 },
        { rule: 'prod-change', missing: 0 },
      ]);
      expect(action.approval.requirements[1]!.approvals).toHaveLength(2);
      action = applyAll(action, approve(stewardAlice, 3));
      expect(action.status).toBe('approved');
    });
  });

  it('one eligible rejection rejects the action, even after approvals', () => {
    const action = applyAll(pendingOn(requirement('export-pii', ['data-stewards'], 3)), approve(stewardAlice, 1));
    const result = accepted(step(action, review(stewardBob, 'reject', 4, { comment: 'too broad' })));
    expect(result.changed).toEqual({ kind: 'rejected', reviewer: stewardBob.id, comment: 'too broad' });
    expect(result.action.status).toBe('rejected');
    expect(result.action.decidedAt).toBe(at(4).toISOString());
    expect(result.action.reviews.at(-1)).toMatchObject({ reviewer: stewardBob.id, verdict: 'reject', countedFor: [] });
  });

  describe('self_approval: the requesting side never reviews, whatever its groups', () => {
    const allGroups = ['data-stewards', 'security', 'oncall', 'admins'];
    const requesterSide: [string, string][] = [
      ['the agent', AGENT],
      ['the agent in another case', AGENT.toUpperCase()],
      ['the owner', OWNER],
      ['the owner in another case', 'Dave@Example.com'],
      ['the owner with surrounding spaces', ` ${OWNER} `],
      ['the onBehalfOf human', ON_BEHALF_OF],
      ['the onBehalfOf human in another case', 'ERIN@Example.COM'],
    ];
    const cases = requesterSide.flatMap(([who, id]) =>
      (['approve', 'reject'] as const).map((verdict) => ({ who, id, verdict })),
    );

    it.each(cases)('$who ($id) may not $verdict', ({ id, verdict }) => {
      const action = pendingOn(requirement('export-pii', ['data-stewards']));
      const someone = reviewer(id, ...allGroups);
      expect(refusalCode(step(action, review(someone, verdict)))).toBe('self_approval');
      expect(eligibleRequirements(action, someone)).toEqual([]);
    });

    it('the onBehalfOf rule applies only when the action names that human', () => {
      const { onBehalfOf: _drop, ...forNobody } = submission();
      const action = actionWith({}, forNobody);
      const erin = reviewer(ON_BEHALF_OF, 'data-stewards');
      expect(accepted(step(action, approve(erin))).action.status).toBe('approved');
    });

    it('is refused even for a requester who is in no group at all', () => {
      const action = pendingOn(requirement('export-pii', ['data-stewards']));
      expect(refusalCode(step(action, approve(reviewer(OWNER))))).toBe('self_approval');
    });

    it('still applies once escalation opened the action to more groups', () => {
      const action = applyAll(
        pendingOn(requirement('export-pii', ['data-stewards'], 1, { afterMinutes: 10, to: ['oncall'] })),
        escalate(10),
      );
      expect(refusalCode(step(action, approve(reviewer('Dave@Example.com', 'oncall'), 11)))).toBe('self_approval');
    });
  });

  describe('already_reviewed: each reviewer counts once', () => {
    const twoNeeded = () => pendingOn(requirement('export-pii', ['data-stewards'], 2));

    it.each([
      ['the same id', stewardAlice.id],
      ['the same id in another case', 'Alice@Example.COM'],
      ['the same id with surrounding spaces', '  alice@example.com'],
    ])('a second approval from %s is refused', (_, id) => {
      const action = applyAll(twoNeeded(), approve(stewardAlice, 1));
      const result = step(action, approve(reviewer(id, 'data-stewards'), 2));
      expect(refusalCode(result)).toBe('already_reviewed');
    });

    it('a reviewer who approved cannot come back and reject', () => {
      const action = applyAll(twoNeeded(), approve(stewardAlice, 1));
      expect(refusalCode(step(action, reject(stewardAlice, 2)))).toBe('already_reviewed');
    });

    it('holds even if the reviewer has since joined other groups', () => {
      const action = applyAll(
        pendingOn(requirement('export-pii', ['data-stewards'], 1), requirement('prod-change', ['security'], 1)),
        approve(stewardAlice, 1),
      );
      const alicePromoted = reviewer(stewardAlice.id, 'data-stewards', 'security');
      expect(refusalCode(step(action, approve(alicePromoted, 2)))).toBe('already_reviewed');
    });
  });

  describe('not_eligible: only members of a requirement group may review', () => {
    it.each([
      ['in no group', reviewer('nobody@example.com')],
      ['in an unrelated group', outsiderMallory],
      ['only in an escalation group before escalation', oncallOscar],
    ])('a reviewer %s is refused', (_, someone) => {
      const action = pendingOn(requirement('export-pii', ['data-stewards'], 1, { afterMinutes: 10, to: ['oncall'] }));
      expect(refusalCode(step(action, approve(someone)))).toBe('not_eligible');
      expect(refusalCode(step(action, reject(someone)))).toBe('not_eligible');
      expect(eligibleRequirements(action, someone)).toEqual([]);
    });

    it('eligibleRequirements lists exactly the rules whose groups the reviewer is in', () => {
      const action = pendingOn(
        requirement('export-pii', ['data-stewards'], 1),
        requirement('prod-change', ['security', 'sre'], 1),
        requirement('finance', ['finance'], 1),
      );
      expect(eligibleRequirements(action, reviewer('x@example.com', 'sre', 'data-stewards'))).toEqual([
        'export-pii',
        'prod-change',
      ]);
    });
  });

  describe('escalation', () => {
    const escalating = () =>
      pendingOn(requirement('export-pii', ['data-stewards'], 1, { afterMinutes: 10, to: ['oncall'] }));

    it('nothing escalates once the timeout has passed: the action is due to expire instead', () => {
      expect(refusalCode(step(escalating(), escalate(60)))).toBe('not_pending');
      expect(refusalCode(step(escalating(), escalate(59.99)))).toBeUndefined();
    });

    it('escalation groups are not eligible before the escalate event, even once escalateAt has passed', () => {
      expect(refusalCode(step(escalating(), approve(oncallOscar, 5)))).toBe('not_eligible');
      expect(refusalCode(step(escalating(), approve(oncallOscar, 15)))).toBe('not_eligible');
    });

    it('escalate before escalateAt is refused with not_due', () => {
      expect(refusalCode(step(escalating(), escalate(9.99)))).toBe('not_due');
    });

    it('escalate at escalateAt marks the requirement escalated; the action stays pending', () => {
      const result = accepted(step(escalating(), escalate(10)));
      expect(result.changed).toEqual({ kind: 'escalated', requirements: ['export-pii'] });
      expect(result.action.status).toBe('pending');
      expect(result.action.approval.requirements[0]!.escalated).toBe(true);
      expect(result.action.updatedAt).toBe(at(10).toISOString());
    });

    it('after escalation, escalation group members are eligible and their approval counts', () => {
      const action = applyAll(escalating(), escalate(12));
      expect(eligibleRequirements(action, oncallOscar)).toEqual(['export-pii']);
      const result = accepted(step(action, approve(oncallOscar, 13)));
      expect(result.action.status).toBe('approved');
      expect(result.action.approval.requirements[0]!.approvals).toEqual([oncallOscar.id]);
    });

    it('after escalation, the original groups remain eligible', () => {
      const action = applyAll(escalating(), escalate(12));
      expect(accepted(step(action, approve(stewardAlice, 13))).action.status).toBe('approved');
    });

    it('after escalation, an escalation group member may reject', () => {
      const action = applyAll(escalating(), escalate(12));
      expect(accepted(step(action, reject(oncallOscar, 13))).action.status).toBe('rejected');
    });

    it('a requirement escalates once: a second escalate is not_due', () => {
      const action = applyAll(escalating(), escalate(10));
      expect(refusalCode(step(action, escalate(20)))).toBe('not_due');
    });

    it('without any escalation configured, escalate is always not_due', () => {
      expect(refusalCode(step(pendingOn(requirement('export-pii', ['data-stewards'])), escalate(59)))).toBe('not_due');
    });

    it('only the requirements whose escalation is due escalate; the others wait their turn', () => {
      let action = pendingOn(
        requirement('export-pii', ['data-stewards'], 1, { afterMinutes: 10, to: ['oncall'] }),
        requirement('prod-change', ['security'], 1, { afterMinutes: 20, to: ['cto'] }),
        requirement('finance', ['finance'], 1),
      );
      const first = accepted(step(action, escalate(15)));
      expect(first.changed).toEqual({ kind: 'escalated', requirements: ['export-pii'] });
      expect(first.action.approval.requirements.map((r) => r.escalated)).toEqual([true, false, false]);
      action = first.action;
      expect(eligibleRequirements(action, reviewer('ceo@example.com', 'oncall', 'cto'))).toEqual(['export-pii']);
      const second = accepted(step(action, escalate(20)));
      expect(second.changed).toEqual({ kind: 'escalated', requirements: ['prod-change'] });
      expect(eligibleRequirements(second.action, reviewer('ceo@example.com', 'oncall', 'cto'))).toEqual([
        'export-pii',
        'prod-change',
      ]);
    });
  });

  describe('timeout', () => {
    const pending = () => pendingOn(requirement('export-pii', ['data-stewards'])); // expires at minute 60

    it('a review just before expiresAt still counts', () => {
      expect(accepted(step(pending(), approve(stewardAlice, 60 - 1 / MINUTE))).action.status).toBe('approved');
    });

    it.each([60, 61])('a review at minute %i (at or after expiresAt) is refused with not_pending', (minute) => {
      expect(refusalCode(step(pending(), approve(stewardAlice, minute)))).toBe('not_pending');
      expect(reviewRefusal(pending(), stewardAlice, at(minute))?.code).toBe('not_pending');
    });

    it('expire before expiresAt is refused with not_due', () => {
      expect(refusalCode(step(pending(), expire(60 - 1 / MINUTE)))).toBe('not_due');
    });

    it.each([60, 600])('expire at minute %i (at or after expiresAt) expires the action', (minute) => {
      const result = accepted(step(pending(), expire(minute)));
      expect(result.changed).toEqual({ kind: 'expired' });
      expect(result.action.status).toBe('expired');
      expect(result.action.decidedAt).toBe(at(minute).toISOString());
    });
  });

  it('reviewRefusal says undefined for an eligible reviewer and the same code transition would', () => {
    const action = pendingOn(requirement('export-pii', ['data-stewards']));
    expect(reviewRefusal(action, stewardAlice, at(1))).toBeUndefined();
    expect(reviewRefusal(action, outsiderMallory, at(1))?.code).toBe('not_eligible');
    expect(reviewRefusal(action, reviewer(OWNER, 'data-stewards'), at(1))?.code).toBe('self_approval');
  });
});

// ─── Cancel and outcome ────────────────────────────────────────────────────────────────────────────────────────────

describe('cancel', () => {
  const pending = () => pendingOn(requirement('export-pii', ['data-stewards']));

  it('the requesting agent may cancel a pending action', () => {
    const result = accepted(step(pending(), cancel(AGENT, 3)));
    expect(result.changed).toEqual({ kind: 'cancelled' });
    expect(result.action.status).toBe('cancelled');
    expect(result.action.decidedAt).toBe(at(3).toISOString());
  });

  it.each([
    ['another agent', OTHER_AGENT],
    ['the owner', OWNER],
    ['an empty id', ''],
  ])('%s may not cancel (forbidden)', (_, agent) => {
    expect(refusalCode(step(pending(), cancel(agent)))).toBe('forbidden');
  });

  it('an action that is no longer pending cannot be cancelled (not_pending)', () => {
    expect(refusalCode(step(fixtures['approved (by reviewers)']!(), cancel(AGENT, 3)))).toBe('not_pending');
    expect(refusalCode(step(fixtures.expired!(), cancel(AGENT, 70)))).toBe('not_pending');
  });
});

describe('outcome', () => {
  it.each(['succeeded', 'failed'] as const)('the requesting agent reports %s on an approved action', (status) => {
    const approved = fixtures['approved (by reviewers)']!();
    const result = accepted(step(approved, outcome(AGENT, status, 9, 'exported 1000 rows')));
    expect(result.changed).toEqual({ kind: 'outcome', status });
    expect(result.action.status).toBe(status);
    expect(result.action.outcome).toEqual({ status, detail: 'exported 1000 rows' });
    expect(result.action.updatedAt).toBe(at(9).toISOString());
    expect(result.action.decidedAt).toBe(approved.decidedAt);
  });

  it('an action approved by policy takes an outcome too', () => {
    const result = accepted(step(fixtures['approved (by policy)']!(), outcome(AGENT, 'succeeded')));
    expect(result.action.status).toBe('succeeded');
  });

  it.each(['approved (by reviewers)', 'pending'])('another agent may not report the outcome of a %s action', (from) => {
    expect(refusalCode(step(fixtures[from]!(), outcome(OTHER_AGENT, 'succeeded')))).toBe('forbidden');
  });

  it('a pending action has no outcome yet (not_approved)', () => {
    expect(refusalCode(step(fixtures.pending!(), outcome(AGENT, 'succeeded')))).toBe('not_approved');
  });

  it.each(['denied', 'rejected', 'expired', 'cancelled', 'succeeded', 'failed'])(
    'a %s action takes no outcome (not_approved)',
    (from) => {
      expect(refusalCode(step(fixtures[from]!(), outcome(AGENT, 'failed', 90)))).toBe('not_approved');
    },
  );
});

describe('remainingQuorum and unwrapTransition', () => {
  it('remainingQuorum never goes below zero when a requirement has more approvals than it needs', () => {
    const action = applyAll(
      pendingOn(requirement('a', ['data-stewards'], 1), requirement('b', ['security'], 2)),
      approve(stewardAlice, 1),
      approve(stewardBob, 2),
    );
    expect(action.approval.requirements[0]!.approvals).toHaveLength(2);
    expect(remainingQuorum(action)).toEqual([
      { rule: 'a', missing: 0 },
      { rule: 'b', missing: 2 },
    ]);
  });

  it('unwrapTransition returns the action when accepted and throws a coded CountersignError when refused', () => {
    const action = fixtures.pending!();
    expect(unwrapTransition(transition(action, approve(stewardAlice))).status).toBe('approved');
    let thrown: unknown;
    try {
      unwrapTransition(transition(action, approve(outsiderMallory)));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CountersignError);
    expect((thrown as CountersignError).code).toBe('not_eligible');
  });
});

// ─── Properties ────────────────────────────────────────────────────────────────────────────────────────────────────

const GROUPS = ['g1', 'g2', 'g3', 'g4'] as const;
/** Reviewer ids: ordinary humans (one of them in two spellings) and every spelling of the requesting side. */
const ID_POOL = [
  'alice@example.com',
  'Alice@Example.com',
  'bob@example.com',
  'carol@example.com',
  'frank@example.com',
  'grace@example.com',
  AGENT,
  AGENT.toUpperCase(),
  OWNER,
  'DAVE@example.com',
  ` ${OWNER}`,
  ON_BEHALF_OF,
  'Erin@Example.com',
] as const;
const norm = (id: string) => id.trim().toLowerCase();

interface Scenario {
  decision: Decision;
  onBehalfOf: string | undefined;
  population: Reviewer[];
  steps: { afterMinutes: number; event: EventSpec }[];
}
type EventSpec =
  | { type: 'review'; who: number; verdict: Verdict }
  | { type: 'escalate' }
  | { type: 'expire' }
  | { type: 'cancel'; agent: string }
  | { type: 'outcome'; agent: string; status: 'succeeded' | 'failed' };

const requirementsArb = fc
  .array(
    fc.record({
      groups: fc.subarray([...GROUPS], { minLength: 1 }),
      quorum: fc.constantFrom(1, 1, 1, 2, 2, 3),
      escalate: fc.option(
        fc.record({
          afterMinutes: fc.integer({ min: 1, max: 40 }),
          to: fc.subarray([...GROUPS], { minLength: 1 }),
        }),
        { nil: undefined },
      ),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .map((specs) => specs.map((s, i) => requirement(`r${i + 1}`, s.groups, s.quorum, s.escalate)));

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  decision: fc
    .record({
      effect: fc.oneof(
        { weight: 8, arbitrary: fc.constant('require_approval' as const) },
        { weight: 1, arbitrary: fc.constant('allow' as const) },
        { weight: 1, arbitrary: fc.constant('deny' as const) },
      ),
      requirements: requirementsArb,
      timeoutMinutes: fc.integer({ min: 5, max: 60 }),
    })
    .map(({ effect, requirements, timeoutMinutes }) =>
      decision({
        effect,
        requirements,
        rules: requirements.map((r) => r.rule),
        timeoutMs: timeoutMinutes * MINUTE,
      }),
    ),
  onBehalfOf: fc.option(fc.constant(ON_BEHALF_OF), { nil: undefined }),
  population: fc
    .uniqueArray(fc.constantFrom(...ID_POOL), { minLength: 1, maxLength: ID_POOL.length })
    .chain((ids) => fc.tuple(...ids.map((id) => fc.subarray([...GROUPS]).map((groups) => reviewer(id, ...groups))))),
  steps: fc.array(
    fc.record({
      afterMinutes: fc.integer({ min: 0, max: 3 }),
      event: fc.oneof(
        {
          weight: 8,
          arbitrary: fc.record({
            type: fc.constant('review' as const),
            who: fc.nat(),
            verdict: fc.oneof(
              { weight: 9, arbitrary: fc.constant('approve' as const) },
              { weight: 1, arbitrary: fc.constant('reject' as const) },
            ),
          }),
        },
        { weight: 2, arbitrary: fc.constant({ type: 'escalate' as const }) },
        { weight: 1, arbitrary: fc.constant({ type: 'expire' as const }) },
        {
          weight: 1,
          arbitrary: fc.record({
            type: fc.constant('cancel' as const),
            agent: fc.constantFrom(AGENT, OTHER_AGENT, AGENT.toUpperCase()),
          }),
        },
        {
          weight: 2,
          arbitrary: fc.record({
            type: fc.constant('outcome' as const),
            agent: fc.constantFrom(AGENT, AGENT, OTHER_AGENT),
            status: fc.constantFrom('succeeded' as const, 'failed' as const),
          }),
        },
      ),
    }),
    { minLength: 1, maxLength: 40, size: 'max' },
  ),
});

/**
 * What the test itself knows about a running scenario, kept independently of the action: which requirements an
 * accepted `escalate` has opened, and for each accepted review the requirements the reviewer was eligible for then.
 */
interface Model {
  escalated: Set<string>;
  eligibleAtReview: Map<string, string[]>;
}

function isRequesterSide(action: Action, id: string): boolean {
  return [action.requester.agent, action.requester.owner, action.onBehalfOf]
    .filter((x): x is string => x !== undefined)
    .some((side) => norm(side) === norm(id));
}

/** The rules `who` may review for, from the spec: in a group, or an escalation group once escalated. */
function eligibleByModel(action: Action, model: Model, who: Reviewer): string[] {
  if (isRequesterSide(action, who.id)) return [];
  return action.decision.requirements
    .filter((r) => {
      const allowed = [...r.groups, ...(model.escalated.has(r.rule) && r.escalate ? r.escalate.to : [])];
      return who.groups.some((g) => allowed.includes(g));
    })
    .map((r) => r.rule);
}

function toEvent(spec: EventSpec, population: Reviewer[], when: Date): LifecycleEvent {
  switch (spec.type) {
    case 'review':
      return { type: 'review', reviewer: population[spec.who % population.length]!, verdict: spec.verdict, at: when };
    case 'escalate':
    case 'expire':
      return { type: spec.type, at: when };
    case 'cancel':
      return { type: 'cancel', agent: spec.agent, at: when };
    case 'outcome':
      return { type: 'outcome', agent: spec.agent, outcome: { status: spec.status }, at: when };
  }
}

interface StepView {
  before: Action;
  event: LifecycleEvent;
  result: TransitionResult;
  /** The model as it was before this event. */
  model: Model;
}

/** What the properties reached, so that none of them passes for want of examples. */
const reached = { approvedByReview: 0, rejected: 0, escalated: 0, expired: 0, afterTerminal: 0, selfRefused: 0 };

/**
 * Runs a scenario from creation, applying each event to a deep-frozen action and keeping the result when accepted.
 * `observe` sees every step; the input's untouchedness is checked for every step here.
 */
function run(scenario: Scenario, observe: (view: StepView) => void): void {
  const { onBehalfOf: _drop, ...base } = submission();
  const submitted: SubmittedAction = scenario.onBehalfOf ? { ...base, onBehalfOf: scenario.onBehalfOf } : base;
  const created = createAction(
    deepFreeze({ id: 'act_p', submitted, agent: { id: AGENT, owner: OWNER }, decision: scenario.decision, now: T0 }),
  );
  if (!created.ok) throw new Error(`unexpected refusal ${created.refusal.code}`);
  let action = deepFreeze(created.action);
  const model: Model = { escalated: new Set(), eligibleAtReview: new Map() };
  let minutes = 0;
  for (const { afterMinutes, event: spec } of scenario.steps) {
    minutes += afterMinutes;
    const event = deepFreeze(toEvent(spec, scenario.population, at(minutes)));
    const snapshot = structuredClone(action);
    const modelBefore: Model = {
      escalated: new Set(model.escalated),
      eligibleAtReview: new Map(model.eligibleAtReview),
    };
    const result = transition(action, event);
    expect(action).toStrictEqual(snapshot);
    observe({ before: action, event, result, model: modelBefore });
    if (!result.ok) continue;
    if (event.type === 'escalate') {
      for (const r of action.decision.requirements) {
        if (r.escalate && at(0).getTime() + r.escalate.afterMs <= event.at.getTime()) model.escalated.add(r.rule);
      }
      reached.escalated++;
    }
    if (event.type === 'review') {
      model.eligibleAtReview.set(norm(event.reviewer.id), eligibleByModel(action, modelBefore, event.reviewer));
    }
    action = deepFreeze(result.action);
    if (action.status === 'approved' && event.type === 'review') reached.approvedByReview++;
    if (action.status === 'rejected') reached.rejected++;
    if (action.status === 'expired') reached.expired++;
  }
}

const RUNS = { numRuns: 400 };

describe('properties of any sequence of events', () => {
  beforeEach(() => {
    for (const key of Object.keys(reached) as (keyof typeof reached)[]) reached[key] = 0;
  });

  it('(a) an action is approved by review only when every requirement has its quorum of distinct approvers, each eligible for it when they approved', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        run(scenario, ({ before, event, result, model }) => {
          if (!result.ok || event.type !== 'review' || event.verdict !== 'approve') return;
          // The review counts toward exactly the requirements the spec says the reviewer is eligible for now.
          const eligibleNow = eligibleByModel(before, model, event.reviewer);
          expect(eligibleNow.length).toBeGreaterThan(0);
          expect(result.action.reviews.at(-1)!.countedFor).toEqual(eligibleNow);
          // Its approval is appended, as given, to those requirements and no others.
          result.action.approval.requirements.forEach((r, i) => {
            const previous = before.approval.requirements[i]!.approvals;
            expect(r.approvals).toEqual(eligibleNow.includes(r.rule) ? [...previous, event.reviewer.id] : previous);
          });
          const met = result.action.approval.requirements.map((r) => new Set(r.approvals.map(norm)).size >= r.quorum);
          expect(result.action.status).toBe(met.every(Boolean) ? 'approved' : 'pending');
          if (result.action.status !== 'approved') return;
          const eligibleAt = new Map(model.eligibleAtReview).set(norm(event.reviewer.id), eligibleNow);
          for (const r of result.action.approval.requirements) {
            expect(new Set(r.approvals.map(norm)).size).toBeGreaterThanOrEqual(r.quorum);
            for (const approver of r.approvals) expect(eligibleAt.get(norm(approver))).toContain(r.rule);
          }
        });
      }),
      RUNS,
    );
    expect(reached.approvedByReview).toBeGreaterThan(0);
  });

  it('(b) the requesting side (agent, owner, onBehalfOf, in any case) never appears among approvals or reviews', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        run(scenario, ({ before, event, result }) => {
          if (event.type === 'review' && isRequesterSide(before, event.reviewer.id) && before.status === 'pending') {
            expect(result.ok).toBe(false);
            if (!result.ok && result.refusal.code === 'self_approval') reached.selfRefused++;
          }
          if (!result.ok) return;
          for (const r of result.action.approval.requirements) {
            for (const approver of r.approvals) expect(isRequesterSide(result.action, approver)).toBe(false);
          }
          for (const r of result.action.reviews) expect(isRequesterSide(result.action, r.reviewer)).toBe(false);
        });
      }),
      RUNS,
    );
    expect(reached.selfRefused).toBeGreaterThan(0);
  });

  it('(c) once terminal, the status never changes and every further event is refused', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        let terminal: ActionStatus | undefined;
        run(scenario, ({ before, event, result }) => {
          if (terminal !== undefined) {
            reached.afterTerminal++;
            expect(before.status).toBe(terminal);
            expect(result.ok).toBe(false);
            const foreign =
              (event.type === 'cancel' || event.type === 'outcome') && event.agent !== before.requester.agent;
            const code = foreign ? 'forbidden' : event.type === 'outcome' ? 'not_approved' : 'not_pending';
            if (!result.ok) expect(result.refusal.code).toBe(code);
          } else if (isTerminal(before.status)) {
            terminal = before.status;
            expect(result.ok).toBe(false);
          }
          if (result.ok && isTerminal(result.action.status)) terminal = result.action.status;
        });
      }),
      RUNS,
    );
    expect(reached.afterTerminal).toBeGreaterThan(0);
  });

  it('(d) the approvals of a requirement, and the reviews, come from distinct reviewers (case-insensitively)', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        run(scenario, ({ result }) => {
          if (!result.ok) return;
          for (const r of result.action.approval.requirements) {
            expect(new Set(r.approvals.map(norm)).size).toBe(r.approvals.length);
          }
          const reviewers = result.action.reviews.map((r) => norm(r.reviewer));
          expect(new Set(reviewers).size).toBe(reviewers.length);
        });
      }),
      RUNS,
    );
  });

  it('(e) a rejected action has exactly one rejection, its last review, from a reviewer eligible at the time', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        run(scenario, ({ before, event, result, model }) => {
          if (!result.ok || result.action.status !== 'rejected') return;
          expect(event.type).toBe('review');
          const rejections = result.action.reviews.filter((r) => r.verdict === 'reject');
          expect(rejections).toHaveLength(1);
          expect(result.action.reviews.at(-1)!.verdict).toBe('reject');
          if (event.type === 'review') {
            expect(norm(rejections[0]!.reviewer)).toBe(norm(event.reviewer.id));
            expect(eligibleByModel(before, model, event.reviewer).length).toBeGreaterThan(0);
          }
        });
      }),
      RUNS,
    );
    expect(reached.rejected).toBeGreaterThan(0);
  });

  it('(f) an action approved through reviews has no quorum left to fill, also after its outcome', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        run(scenario, ({ result }) => {
          if (!result.ok || result.action.decision.effect !== 'require_approval') return;
          if (['approved', 'succeeded', 'failed'].includes(result.action.status)) {
            expect(remainingQuorum(result.action).every((r) => r.missing === 0)).toBe(true);
          } else if (result.action.status === 'pending') {
            expect(remainingQuorum(result.action).some((r) => r.missing > 0)).toBe(true);
          }
        });
      }),
      RUNS,
    );
  });

  it('(g) a refused transition returns ok:false with a documented code and leaves the input untouched', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        // `run` already compares the input to a deep copy taken before every step, and the input is deep-frozen.
        run(scenario, ({ before, result }) => {
          if (result.ok) return;
          expect(result).toEqual({ ok: false, refusal: { code: expect.any(String), message: expect.any(String) } });
          expect(Object.keys(errorCodes)).toContain(result.refusal.code);
          expect(Object.isFrozen(before)).toBe(true);
        });
      }),
      RUNS,
    );
  });

  it('(h) timed events follow the clock: escalation exactly when due, expiry and the review deadline at created + timeoutMs', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        run(scenario, ({ before, event, result, model }) => {
          if (before.status !== 'pending') return;
          const deadline = T0.getTime() + before.decision.timeoutMs;
          if (event.type === 'escalate' && event.at.getTime() >= deadline) {
            // Past the timeout nothing escalates: the action is due to expire, not to reach more reviewers.
            expect(refusalCode(result)).toBe('not_pending');
          } else if (event.type === 'escalate') {
            const due = before.decision.requirements.filter(
              (r) =>
                r.escalate && !model.escalated.has(r.rule) && T0.getTime() + r.escalate.afterMs <= event.at.getTime(),
            );
            if (due.length === 0) {
              expect(refusalCode(result)).toBe('not_due');
            } else {
              const { action, changed } = accepted(result);
              expect(changed).toEqual({ kind: 'escalated', requirements: due.map((r) => r.rule) });
              expect(action.approval.requirements.map((r) => r.escalated)).toEqual(
                before.decision.requirements.map((r) => model.escalated.has(r.rule) || due.includes(r)),
              );
            }
          }
          if (event.type === 'expire') {
            const due = event.at.getTime() >= deadline;
            expect(result.ok ? result.action.status : result.refusal.code).toBe(due ? 'expired' : 'not_due');
          }
          if (event.type === 'review' && event.at.getTime() >= deadline) {
            expect(refusalCode(result)).toBe('not_pending');
          }
        });
      }),
      RUNS,
    );
    expect(reached.escalated).toBeGreaterThan(0);
    expect(reached.expired).toBeGreaterThan(0);
  });

  it('(i) only the requesting agent cancels (a pending action) or reports an outcome (of an approved one)', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        run(scenario, ({ before, event, result }) => {
          if (event.type !== 'cancel' && event.type !== 'outcome') return;
          if (!result.ok) return;
          expect(event.agent).toBe(AGENT);
          expect(before.status).toBe(event.type === 'cancel' ? 'pending' : 'approved');
          expect(result.action.status).toBe(event.type === 'cancel' ? 'cancelled' : event.outcome.status);
        });
      }),
      RUNS,
    );
  });
});
