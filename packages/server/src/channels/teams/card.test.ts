import {
  type Action,
  createAction,
  decide,
  loadPolicy,
  submittedActionSchema,
  transition,
  unwrapTransition,
} from '@countersign/core';
import type { IAdaptiveCard, IExecuteAction, IShowCardAction, ITextInput } from '@microsoft/teams.cards';
import { describe, expect, it } from 'vitest';
import { approvalCard, escalationNotice, md, reminderNotice } from './card.js';

/**
 * The approval card as pure rendering: what everyone sees (context, progress, no buttons), what an eligible
 * reviewer gets (Approve, and Reject asking for a reason), how decisions show, and that text from the request
 * cannot dress itself up as Markdown. Actions come from core's real decide / createAction / transition.
 */

const policy = loadPolicy(`version: 1
defaults:
  decision: deny
groups:
  stewards: [alice@example.com, bob@example.com]
  security: [carol@example.com]
rules:
  - id: pii-export
    match: { action: data.export }
    decision: require_approval
    approval:
      approvers: [stewards]
      quorum: 2
      timeout: 30m
      escalate: { after: 10m, to: [security] }
`);
const start = new Date('2026-11-22T09:00:00.000Z');
const minutes = (n: number) => new Date(start.getTime() + n * 60_000);

function pendingAction(overrides: Record<string, unknown> = {}): Action {
  const submitted = submittedActionSchema.parse({
    action: 'data.export',
    resource: { type: 'dataset', id: 'customers', labels: ['pii'] },
    environment: 'production',
    params: { rows: 1200, format: 'csv' },
    justification: 'quarterly report for finance',
    onBehalfOf: 'frank@example.com',
    ...overrides,
  });
  const agent = { id: 'etl', owner: 'dave@example.com', labels: [] };
  const decision = decide(policy, { ...submitted, agent }, start);
  const created = createAction({ id: 'act_0001', submitted, agent, decision, now: start });
  if (!created.ok) throw new Error(created.refusal.message);
  return created.action;
}

const reviewer = (id: string) => ({ id, groups: policy.groups.get('stewards')?.includes(id) ? ['stewards'] : [] });
const approve = (action: Action, id: string, at: Date) =>
  unwrapTransition(
    transition(action, { type: 'review', reviewer: reviewer(id), verdict: 'approve', via: 'teams', at }),
  );

const text = (card: IAdaptiveCard) => JSON.stringify(card.body);

describe('the Teams approval card', () => {
  it('shows everyone the whole context and no buttons, and asks eligible reviewers’ clients to refresh', () => {
    const action = pendingAction();
    const card = approvalCard(action, { refreshUserIds: ['29:alice', '29:bob'] });
    expect(card.version).toBe('1.5');
    expect(card.actions).toBeUndefined();
    expect(card.refresh).toEqual({
      action: { type: 'Action.Execute', title: 'Refresh', verb: 'refresh', data: { actionId: 'act_0001' } },
      userIds: ['29:alice', '29:bob'],
    });
    const body = text(card);
    for (const expected of [
      'Approval requested',
      'data.export',
      'customers',
      'production',
      'etl (owner dave@example.com)',
      'On behalf of',
      'frank@example.com',
      'quarterly report for finance',
      'pii-export',
      'approval required by rule pii-export',
      '0 of 2 approvals',
      '0 of 2 from stewards; escalates to security at 2026-11-22 09:10 UTC',
      '2026-11-22 09:30 UTC',
      '{{DATE(2026-11-22T09:30:00Z, SHORT)}}',
      'rows',
      '1200',
      'format',
      'act\\\\_0001',
    ]) {
      expect(body).toContain(expected);
    }
  });

  it('lists at most 60 users to refresh for (Teams’ limit)', () => {
    const users = Array.from({ length: 75 }, (_, i) => `29:user${i}`);
    expect(approvalCard(pendingAction(), { refreshUserIds: users }).refresh?.userIds).toHaveLength(60);
  });

  it('gives an eligible reviewer Approve, and Reject as a second step that requires a reason', () => {
    const card = approvalCard(pendingAction(), { buttons: true, refreshUserIds: ['29:alice'] });
    const [approveButton, rejectStep] = card.actions as [IExecuteAction, IShowCardAction];
    expect(approveButton).toMatchObject({ type: 'Action.Execute', verb: 'approve', data: { actionId: 'act_0001' } });
    expect(rejectStep.type).toBe('Action.ShowCard');
    const [reason] = (rejectStep.card as IAdaptiveCard).body as [ITextInput];
    expect(reason).toMatchObject({ type: 'Input.Text', id: 'reason', isRequired: true });
    expect(rejectStep.card?.actions?.[0]).toMatchObject({
      type: 'Action.Execute',
      verb: 'reject',
      data: { actionId: 'act_0001' },
    });
  });

  it('shows partial approval as progress, and who decided once approved, without buttons or refresh', () => {
    const once = approve(pendingAction(), 'alice@example.com', minutes(1));
    expect(text(approvalCard(once))).toContain('1 of 2 approvals');
    expect(text(approvalCard(once))).toContain('alice@example.com');

    const approved = approve(once, 'bob@example.com', minutes(2));
    const card = approvalCard(approved, { buttons: true, refreshUserIds: ['29:carol'] });
    expect(card.actions).toBeUndefined();
    expect(card.refresh).toBeUndefined();
    expect(text(card)).toContain('Approved by alice@example.com, bob@example.com');
  });

  it('shows a rejection with its reviewer and reason', () => {
    const rejected = unwrapTransition(
      transition(pendingAction(), {
        type: 'review',
        reviewer: reviewer('bob@example.com'),
        verdict: 'reject',
        comment: 'too broad',
        at: minutes(3),
      }),
    );
    const body = text(approvalCard(rejected));
    expect(body).toContain('Rejected');
    expect(body).toContain('Rejected by bob@example.com');
    expect(body).toContain('too broad');
  });

  it('shows expiry and cancellation', () => {
    const expired = unwrapTransition(transition(pendingAction(), { type: 'expire', at: minutes(31) }));
    expect(text(approvalCard(expired))).toContain('Expired without a decision');
    const cancelled = unwrapTransition(transition(pendingAction(), { type: 'cancel', agent: 'etl', at: minutes(1) }));
    expect(text(approvalCard(cancelled))).toContain('Withdrawn by agent etl');
  });

  it('shows a notice to the one user a card answers, instead of the refresh hint', () => {
    const card = approvalCard(pendingAction(), { notice: { tone: 'attention', text: 'Not recorded: nope' } });
    expect(text(card)).toContain('Not recorded: nope');
    expect(text(card)).not.toContain('Refresh card');
    expect(text(approvalCard(pendingAction()))).toContain('Refresh card');
  });

  it('renders text from the request as plain text, not Markdown', () => {
    const card = approvalCard(
      pendingAction({ justification: '[Approve now](https://evil.example) **urgent**', params: { '# title': '_x_' } }),
    );
    const body = text(card);
    expect(body).not.toContain('[Approve now](https://evil.example)');
    expect(body).not.toContain('**urgent**');
    expect(md('[a](b) *c* `d` <at>e</at>')).toBe('\\[a\\](b) \\*c\\* \\`d\\` \\<at\\>e\\</at\\>');
    expect(md('# heading')).toBe('\\# heading');
    expect(md('1. first\nsecond')).toBe('1\\. first second');
  });

  it('writes escalation and reminder notices for the thread', () => {
    const escalated = unwrapTransition(transition(pendingAction(), { type: 'escalate', at: minutes(10) }));
    expect(escalationNotice(escalated)).toContain('members of security may now review');
    expect(escalationNotice(escalated)).toContain('0 of 2 approvals');
    expect(reminderNotice(pendingAction())).toContain('expires at 2026-11-22 09:30 UTC');
  });
});
