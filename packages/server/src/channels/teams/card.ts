import type { JsonValue, RequirementProgress } from '@countersign/core';
import type {
  ActionArray,
  CardElement,
  ContainerStyle,
  IAdaptiveCard,
  IExecuteAction,
  IFact,
  ITextBlock,
} from '@microsoft/teams.cards';
import type { MaskedAction } from '../../masking/index.js';

/**
 * The Adaptive Card (schema 1.5, Universal Actions) that shows one approval request in Teams. Everyone in the
 * conversation sees the same base card, without buttons; its `refresh` clause makes the Teams clients of eligible
 * linked reviewers ask the bot for their own view (`adaptiveCard/action`, verb `refresh`), which is the only card
 * that carries Approve / Reject. Every card renders the action as it is now, so a card refreshed or updated at any
 * time tells the current truth. Pure: takes the (already masked) action and returns JSON.
 */

/** The verbs of the card's `Action.Execute` actions, as they come back in `adaptiveCard/action` invokes. */
export const cardVerbs = ['refresh', 'approve', 'reject'] as const;
export type CardVerb = (typeof cardVerbs)[number];

/** The id of the reason input in the Reject step; its value arrives in the invoke's `action.data.reason`. */
export const rejectReasonInput = 'reason';
/** Longest reason accepted (a review comment's limit). */
export const rejectReasonMaxLength = 4000;
/** Teams refreshes a card by itself for at most 60 listed users. */
export const maxRefreshUserIds = 60;

/** A line shown only to the user a card answers: the outcome of their click, or why it changed nothing. */
export interface CardNotice {
  text: string;
  tone: 'good' | 'attention' | 'default';
}

export interface CardOptions {
  /** Show Approve / Reject: only in the card answered to an eligible linked reviewer, and only while pending. */
  buttons?: boolean;
  /** Teams user MRIs whose clients refresh the card by themselves while the action is pending (at most 60). */
  refreshUserIds?: readonly string[];
  notice?: CardNotice;
}

/**
 * The card for `action` (masked). While the action is pending the card carries a `refresh` clause; once it is
 * decided it has none, so clients stop asking.
 *
 * @example
 * const base = approvalCard(action, { refreshUserIds: ['29:1a…'] }); // posted to the conversation
 * const mine = approvalCard(action, { buttons: true, refreshUserIds: ['29:1a…'] }); // answered to one reviewer
 */
export function approvalCard(action: MaskedAction, options: CardOptions = {}): IAdaptiveCard {
  const pending = action.status === 'pending';
  const body: CardElement[] = [
    {
      type: 'Container',
      style: statusStyle(action),
      bleed: true,
      items: [
        { type: 'TextBlock', text: heading(action), size: 'Medium', weight: 'Bolder', wrap: true },
        { type: 'TextBlock', text: statusLine(action), wrap: true, spacing: 'Small' },
      ],
    },
    {
      type: 'TextBlock',
      text: `**${md(action.action)}** on ${md(action.resource.type)} **${md(action.resource.id)}** in **${md(action.environment)}**`,
      wrap: true,
    },
    { type: 'FactSet', facts: contextFacts(action) },
    {
      type: 'TextBlock',
      text:
        action.justification !== undefined && action.justification.trim() !== ''
          ? `**Why:** ${md(action.justification)}`
          : '**Why:** no justification given',
      wrap: true,
    },
    ...objectSection('Parameters', action.params),
    ...objectSection('Context', action.context),
    ...reviewsSection(action),
  ];
  if (options.notice) {
    body.push({
      type: 'Container',
      style: options.notice.tone === 'default' ? 'emphasis' : options.notice.tone,
      items: [{ type: 'TextBlock', text: md(options.notice.text), wrap: true, weight: 'Bolder' }],
    });
  }
  const buttons = pending && options.buttons === true;
  if (pending && !buttons && !options.notice) {
    body.push({
      type: 'TextBlock',
      text: 'Eligible reviewers see Approve and Reject here when the card refreshes for them (or choose Refresh card in the message menu).',
      wrap: true,
      isSubtle: true,
      size: 'Small',
    });
  }
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    fallbackText: summaryOf(action),
    ...(pending && {
      refresh: {
        action: { type: 'Action.Execute', title: 'Refresh', verb: 'refresh', data: { actionId: action.id } },
        userIds: [...(options.refreshUserIds ?? [])].slice(0, maxRefreshUserIds),
      },
    }),
    body,
    ...(buttons && { actions: reviewActions(action) }),
  };
}

/** Approve at once; Reject is a second step (a shown card) that asks for the reason first. */
function reviewActions(action: MaskedAction): ActionArray {
  const approve: IExecuteAction = {
    type: 'Action.Execute',
    title: 'Approve',
    verb: 'approve',
    style: 'positive',
    data: { actionId: action.id },
  };
  const reject: IExecuteAction = {
    type: 'Action.Execute',
    title: 'Reject',
    verb: 'reject',
    style: 'destructive',
    data: { actionId: action.id },
  };
  return [
    approve,
    {
      type: 'Action.ShowCard',
      title: 'Reject…',
      card: {
        type: 'AdaptiveCard',
        body: [
          {
            type: 'Input.Text',
            id: rejectReasonInput,
            label: 'Why are you rejecting this request?',
            isMultiline: true,
            isRequired: true,
            maxLength: rejectReasonMaxLength,
            errorMessage: 'Give a reason: the requester sees it.',
          },
        ],
        actions: [reject],
      },
    },
  ];
}

/** One line for notifications and clients that cannot render the card. */
export function summaryOf(action: MaskedAction): string {
  return `${heading(action)}: ${action.action} on ${action.resource.type} ${action.resource.id} in ${action.environment}`;
}

/** The thread notice sent when an action escalates. */
export function escalationNotice(action: MaskedAction): string {
  const escalated = action.approval.requirements.filter((r) => r.escalated && r.escalate);
  const groups = [...new Set(escalated.flatMap((r) => r.escalate?.to ?? []))];
  const rules = escalated.map((r) => r.rule);
  return `**Escalated:** members of ${md(groups.join(', ') || 'the escalation groups')} may now review this request (${md(rules.join(', ') || 'escalation')}). ${md(progressText(action))}.`;
}

/** The thread reminder sent ahead of expiry. */
export function reminderNotice(action: MaskedAction): string {
  return `**Reminder:** this request still waits for a decision (${md(progressText(action))}); it expires at ${utc(action.approval.expiresAt)}.`;
}

function heading(action: MaskedAction): string {
  switch (action.status) {
    case 'pending':
      return 'Approval requested';
    case 'approved':
      return 'Approved';
    case 'rejected':
      return 'Rejected';
    case 'expired':
      return 'Expired without a decision';
    case 'cancelled':
      return 'Cancelled';
    case 'succeeded':
      return 'Approved and done';
    case 'failed':
      return 'Approved, then failed';
    case 'denied':
      return 'Denied by policy';
  }
}

function statusStyle(action: MaskedAction): ContainerStyle {
  switch (action.status) {
    case 'pending':
      return 'warning';
    case 'approved':
    case 'succeeded':
      return 'good';
    case 'rejected':
    case 'denied':
    case 'failed':
      return 'attention';
    default:
      return 'emphasis';
  }
}

/** Progress while pending, and who decided once decided. */
function statusLine(action: MaskedAction): string {
  const approvers = action.reviews.filter((r) => r.verdict === 'approve').map((r) => r.reviewer);
  const approvedBy = `Approved by ${md(approvers.join(', ') || 'policy')}`;
  const outcome = action.outcome?.detail !== undefined ? `: ${md(action.outcome.detail)}` : '';
  switch (action.status) {
    case 'pending':
      return `${md(progressText(action))}. Expires ${cardTime(action.approval.expiresAt)}.`;
    case 'approved':
      return `${approvedBy}${decidedAt(action)}.`;
    case 'rejected': {
      const rejection = action.reviews.find((r) => r.verdict === 'reject');
      const reason = rejection?.comment !== undefined ? `: “${md(rejection.comment)}”` : '';
      return `Rejected by ${md(rejection?.reviewer ?? 'a reviewer')}${decidedAt(action)}${reason}`;
    }
    case 'expired':
      return `Nobody decided before ${cardTime(action.approval.expiresAt)} (${md(progressText(action))}).`;
    case 'cancelled':
      return `Withdrawn by agent ${md(action.requester.agent)}${decidedAt(action)}.`;
    case 'succeeded':
      return `${approvedBy}. The agent reported success${outcome}.`;
    case 'failed':
      return `${approvedBy}. The agent reported failure${outcome}.`;
    case 'denied':
      return md(action.decision.reason);
  }
}

function decidedAt(action: MaskedAction): string {
  return action.decidedAt !== undefined ? ` at ${cardTime(action.decidedAt)}` : '';
}

/** "1 of 2 approvals", or per rule when several rules ask. */
export function progressText(action: MaskedAction): string {
  const requirements = action.approval.requirements;
  if (requirements.length === 1) {
    const [only] = requirements as [RequirementProgress];
    return `${only.approvals.length} of ${only.quorum} approvals`;
  }
  return `approvals ${requirements.map((r) => `${r.rule} ${r.approvals.length} of ${r.quorum}`).join(', ')}`;
}

function contextFacts(action: MaskedAction): IFact[] {
  const facts: IFact[] = [
    { title: 'Agent', value: `${md(action.requester.agent)} (owner ${md(action.requester.owner)})` },
  ];
  if (action.onBehalfOf !== undefined) facts.push({ title: 'On behalf of', value: md(action.onBehalfOf) });
  const labels = action.resource.labels.length > 0 ? ` [${action.resource.labels.map(md).join(', ')}]` : '';
  const sensitivity =
    action.resource.sensitivity !== undefined ? ` (sensitivity ${md(action.resource.sensitivity)})` : '';
  facts.push(
    { title: 'Resource', value: `${md(action.resource.type)} ${md(action.resource.id)}${labels}${sensitivity}` },
    { title: 'Environment', value: md(action.environment) },
    { title: 'Rule', value: `${md(action.decision.rules.join(', ') || 'default')}: ${md(action.decision.reason)}` },
  );
  for (const requirement of action.approval.requirements) {
    facts.push({ title: `Quorum (${md(requirement.rule)})`, value: md(requirementText(requirement)) });
  }
  facts.push({ title: 'Expires', value: utc(action.approval.expiresAt) }, { title: 'Request', value: md(action.id) });
  return facts;
}

function requirementText(requirement: RequirementProgress): string {
  const progress = `${requirement.approvals.length} of ${requirement.quorum} from ${requirement.groups.join(', ')}`;
  if (!requirement.escalate) return progress;
  const to = requirement.escalate.to.join(', ');
  if (requirement.escalated) return `${progress}; escalated to ${to}`;
  return requirement.escalateAt !== undefined
    ? `${progress}; escalates to ${to} at ${utc(requirement.escalateAt)}`
    : progress;
}

const maxFacts = 20;
const maxValueLength = 300;

function objectSection(title: string, value: Record<string, JsonValue>): CardElement[] {
  const entries = Object.entries(value);
  if (entries.length === 0) return [];
  const facts = entries.slice(0, maxFacts).map(([key, item]) => ({ title: md(key), value: md(shortJson(item)) }));
  const more: ITextBlock[] =
    entries.length > maxFacts
      ? [{ type: 'TextBlock', text: `… and ${entries.length - maxFacts} more`, isSubtle: true, size: 'Small' }]
      : [];
  return [
    { type: 'TextBlock', text: `**${title}**`, spacing: 'Medium' },
    { type: 'FactSet', facts, spacing: 'Small' },
    ...more,
  ];
}

function reviewsSection(action: MaskedAction): CardElement[] {
  if (action.reviews.length === 0) return [];
  return [
    { type: 'TextBlock', text: '**Reviews**', spacing: 'Medium' },
    {
      type: 'FactSet',
      spacing: 'Small',
      facts: action.reviews.map((review) => ({
        title: md(review.reviewer),
        value: `${review.verdict === 'approve' ? 'approved' : 'rejected'} at ${utc(review.at)}${review.via ? ` via ${md(review.via)}` : ''}${review.comment !== undefined ? `: ${md(review.comment)}` : ''}`,
      })),
    },
  ];
}

function shortJson(value: JsonValue): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > maxValueLength ? `${text.slice(0, maxValueLength - 1)}…` : text;
}

/** An instant as Teams clients render it, in the viewer's time zone (Adaptive Cards DATE/TIME functions). */
function cardTime(iso: string): string {
  const at = new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `{{DATE(${at}, SHORT)}} {{TIME(${at})}}`;
}

/** An instant in UTC, for places the DATE/TIME functions do not reach (facts, messages). */
function utc(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Text from the request (agents write it) shown as plain text: Teams renders Markdown in cards and messages, and a
 * link or emphasis smuggled into a parameter must not dress up an approval request.
 */
export function md(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_[\]<>~]/g, '\\$&')
    .replace(/^(\s*)([#+-])/, '$1\\$2')
    .replace(/^(\s*\d+)\./, '$1\\.');
}
