import { type Action, formatDuration, type JsonObject } from '@countersign/core';
import type { KnownBlock, ModalView, SectionBlock } from '@slack/web-api';
import type { MaskedAction } from '../../masking/index.js';

/**
 * Block Kit rendering of approval requests: the message posted to the channel (updated in place as the action
 * moves on), the notices posted in its thread, and the modal that asks a rejecting reviewer for a reason. Pure
 * functions of the (already masked) action; every text a requester controls is escaped, so it can neither mention
 * `@channel` nor fake a link, and cut to Slack's limits.
 */

/** `action_id`s of the buttons; each button's `value` is the action id. */
export const slackButtons = { approve: 'countersign_approve', reject: 'countersign_reject' } as const;

/** The reject modal: its `callback_id` and the input block whose value is the reason. */
export const rejectModalIds = {
  callbackId: 'countersign_reject',
  reasonBlock: 'reason',
  reasonInput: 'reason',
} as const;

/** Message metadata `event_type`s: how Countersign's messages are found again after a crash. */
export const slackMetadataTypes = { approval: 'countersign_approval', notice: 'countersign_notice' } as const;

/** A message's `text` (notifications, screen readers, old clients) and its blocks. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Slack's limits (https://api.slack.com/reference/block-kit/blocks). */
const limits = { header: 150, section: 3000, field: 2000, context: 2000, json: 1500, text: 3000 } as const;

/**
 * The request message, showing the action as it is now: who asks, what, where and why, which rules asked and what
 * quorum is still missing, when it expires, and Approve / Reject while it is pending; the outcome and who decided
 * once it is not.
 */
export function approvalMessage(action: MaskedAction): SlackMessage {
  const pending = action.status === 'pending';
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: cut(`${headings[action.status]}: ${action.action}`, limits.header) },
    },
    section(
      `*${escapeMrkdwn(action.requester.agent)}* asks to run *${escapeMrkdwn(action.action)}* on ${resourceText(action)} in *${escapeMrkdwn(action.environment)}*.`,
    ),
    {
      type: 'section',
      fields: [
        field('Agent', `\`${escapeMrkdwn(action.requester.agent)}\``),
        field('Owner', escapeMrkdwn(action.requester.owner)),
        ...(action.onBehalfOf !== undefined ? [field('On behalf of', escapeMrkdwn(action.onBehalfOf))] : []),
        field('Environment', `\`${escapeMrkdwn(action.environment)}\``),
        field('Resource', resourceDetail(action)),
        field(pending ? 'Expires' : 'Expiry was', slackDate(action.approval.expiresAt)),
      ],
    },
    section(`*Why*\n${action.justification?.trim() ? quote(action.justification) : '_No justification given._'}`),
    ...jsonSection('Parameters', action.params),
    ...jsonSection('Context', action.context),
    section(
      `*Asked by policy* ${action.decision.rules.map((rule) => `\`${escapeMrkdwn(rule)}\``).join(', ')}: ${escapeMrkdwn(action.decision.reason)}`,
    ),
    section(`*Approvals*\n${progressLines(action).join('\n')}`),
  ];
  const outcome = outcomeText(action);
  if (outcome !== undefined) blocks.push(section(outcome));
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: cut(
          `${action.digest === undefined ? '' : `Digest \`${action.digest.slice(0, 19)}…\` · `}action \`${escapeMrkdwn(action.id)}\``,
          limits.context,
        ),
      },
    ],
  });
  if (pending) {
    blocks.push({
      type: 'actions',
      block_id: 'countersign_decide',
      elements: [
        {
          type: 'button',
          action_id: slackButtons.approve,
          style: 'primary',
          text: { type: 'plain_text', text: 'Approve' },
          value: action.id,
        },
        {
          type: 'button',
          action_id: slackButtons.reject,
          style: 'danger',
          text: { type: 'plain_text', text: 'Reject…' },
          value: action.id,
        },
      ],
    });
  }
  return { text: cut(summary(action), limits.text), blocks };
}

/** The thread notice of an escalation: who may now approve, and what is still missing. */
export function escalationNotice(action: MaskedAction): SlackMessage {
  const escalated = action.approval.requirements.filter((r) => r.escalated && r.escalate);
  const lines = escalated.map(
    (r) =>
      `• \`${escapeMrkdwn(r.rule)}\`: no decision after ${formatDuration(r.escalate?.afterMs ?? 0)}, so ${groupList(r.escalate?.to ?? [])} may now approve too (${r.approvals.length} of ${r.quorum} so far)`,
  );
  const text = `:arrow_double_up: *Escalated.*\n${lines.join('\n') || 'More reviewers may now approve.'}`;
  return { text: cut(`Escalated: ${plain(action)}`, limits.text), blocks: [section(text)] };
}

/** The thread reminder before expiry: when it expires and which approvals are still missing. */
export function reminderNotice(action: MaskedAction, now: Date): SlackMessage {
  const left = Date.parse(action.approval.expiresAt) - now.getTime();
  const within = left > 0 ? ` (in about ${formatDuration(Math.max(60_000, Math.round(left / 60_000) * 60_000))})` : '';
  const missing = action.approval.requirements
    .filter((r) => r.approvals.length < r.quorum)
    .map(
      (r) =>
        `• ${groupList(allowed(r))}: ${r.quorum - r.approvals.length} more (${r.approvals.length} of ${r.quorum}) for \`${escapeMrkdwn(r.rule)}\``,
    );
  const text = `:alarm_clock: *Reminder:* this request expires ${slackDate(action.approval.expiresAt)}${within}.\n*Still missing*\n${missing.join('\n')}`;
  return { text: cut(`Reminder: ${plain(action)} expires soon`, limits.text), blocks: [section(text)] };
}

/** The modal a rejecting reviewer writes their reason in; `private_metadata` says which action and message. */
export function rejectModal(action: MaskedAction, origin: { channel: string; ts: string }): ModalView {
  return {
    type: 'modal',
    callback_id: rejectModalIds.callbackId,
    private_metadata: JSON.stringify({ actionId: action.id, channel: origin.channel, ts: origin.ts }),
    title: { type: 'plain_text', text: 'Reject request' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section(
        `Reject *${escapeMrkdwn(action.action)}* on ${resourceText(action)} in *${escapeMrkdwn(action.environment)}*?`,
      ),
      {
        type: 'input',
        block_id: rejectModalIds.reasonBlock,
        label: { type: 'plain_text', text: 'Reason' },
        hint: { type: 'plain_text', text: 'The requesting agent and the audit trail get this reason.' },
        element: {
          type: 'plain_text_input',
          action_id: rejectModalIds.reasonInput,
          multiline: true,
          min_length: 1,
          max_length: 3000,
        },
      },
    ],
  };
}

const headings: Record<Action['status'], string> = {
  pending: 'Approval needed',
  approved: 'Approved',
  denied: 'Denied',
  rejected: 'Rejected',
  expired: 'Expired',
  cancelled: 'Cancelled',
  succeeded: 'Done',
  failed: 'Failed',
};

/** One line per requirement: `• stewards: *1 of 2* (alice@example.com) for pii-export`. */
function progressLines(action: MaskedAction): string[] {
  return action.approval.requirements.map((r) => {
    const who = r.approvals.length > 0 ? ` (${r.approvals.map(escapeMrkdwn).join(', ')})` : '';
    const escalation = !r.escalate
      ? ''
      : r.escalated
        ? `, escalated to ${groupList(r.escalate.to)}`
        : r.escalateAt !== undefined && action.status === 'pending'
          ? `, escalates to ${groupList(r.escalate.to)} ${slackDate(r.escalateAt)}`
          : '';
    return `• ${groupList(r.groups)}: *${r.approvals.length} of ${r.quorum}*${who} for \`${escapeMrkdwn(r.rule)}\`${escalation}`;
  });
}

/** The outcome line of an action that is no longer waiting, naming who decided. */
function outcomeText(action: MaskedAction): string | undefined {
  const approvers = [...new Set(action.approval.requirements.flatMap((r) => r.approvals))];
  const approved =
    approvers.length > 0
      ? `:white_check_mark: *Approved* by ${approvers.map(escapeMrkdwn).join(', ')}`
      : ':white_check_mark: *Approved*';
  const rejection = action.reviews.find((review) => review.verdict === 'reject');
  const detail = action.outcome?.detail?.trim() ? `: ${quoteInline(action.outcome.detail)}` : '';
  switch (action.status) {
    case 'pending':
      return undefined;
    case 'approved':
      return approved;
    case 'rejected':
      return `:x: *Rejected* by ${escapeMrkdwn(rejection?.reviewer ?? 'a reviewer')}${rejection?.comment?.trim() ? `: ${quoteInline(rejection.comment)}` : ''}`;
    case 'expired':
      return ':hourglass: *Expired*: not enough approvals before it timed out.';
    case 'cancelled':
      return `:no_entry_sign: *Cancelled* by the requesting agent \`${escapeMrkdwn(action.requester.agent)}\``;
    case 'succeeded':
      return `${approved}\n:checkered_flag: *Succeeded*${detail}`;
    case 'failed':
      return `${approved}\n:warning: *Failed*${detail}`;
    case 'denied':
      return `:no_entry: *Denied* by policy: ${escapeMrkdwn(action.decision.reason)}`;
  }
}

function summary(action: MaskedAction): string {
  const approvers = [...new Set(action.approval.requirements.flatMap((r) => r.approvals))];
  const by = approvers.length > 0 ? ` by ${approvers.join(', ')}` : '';
  const rejection = action.reviews.find((review) => review.verdict === 'reject');
  const status =
    action.status === 'pending'
      ? 'Approval needed'
      : action.status === 'approved'
        ? `Approved${by}`
        : action.status === 'rejected'
          ? `Rejected by ${rejection?.reviewer ?? 'a reviewer'}`
          : headings[action.status];
  return escapeMrkdwn(`${status}: ${plainUnescaped(action)}`);
}

function plain(action: MaskedAction): string {
  return escapeMrkdwn(plainUnescaped(action));
}

function plainUnescaped(action: MaskedAction): string {
  return `${action.requester.agent} asks to run ${action.action} on ${action.resource.type} ${action.resource.id} in ${action.environment}`;
}

function resourceText(action: MaskedAction): string {
  return `${escapeMrkdwn(action.resource.type)} \`${escapeMrkdwn(cut(action.resource.id, 200))}\``;
}

function resourceDetail(action: MaskedAction): string {
  const { labels, sensitivity } = action.resource;
  return cut(
    [
      resourceText(action),
      labels.length > 0 ? `labels: ${labels.map((label) => `\`${escapeMrkdwn(label)}\``).join(' ')}` : '',
      sensitivity !== undefined ? `sensitivity: \`${escapeMrkdwn(sensitivity)}\`` : '',
    ]
      .filter((part) => part !== '')
      .join('\n'),
    limits.field - 40,
  );
}

/** A compact JSON rendering of params or context, cut to stay readable. */
function jsonSection(title: string, value: JsonObject): SectionBlock[] {
  if (Object.keys(value).length === 0) return [];
  // Three backticks in a value would end the code block early.
  const json = escapeCut(JSON.stringify(value).replaceAll('```', '`\u200b``'), limits.json);
  return [section(`*${title}*\n\`\`\`${json}\`\`\``)];
}

function allowed(requirement: Action['approval']['requirements'][number]): string[] {
  return requirement.escalated && requirement.escalate
    ? [...requirement.groups, ...requirement.escalate.to]
    : requirement.groups;
}

function groupList(groups: readonly string[]): string {
  return groups.map(escapeMrkdwn).join(' or ');
}

function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: cut(text, limits.section) } };
}

function field(title: string, value: string) {
  return { type: 'mrkdwn' as const, text: cut(`*${title}*\n${value}`, limits.field) };
}

/** Slack date formatting: shown in each reader's time zone, with the UTC time as the fallback. */
function slackDate(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return `<!date^${seconds}^{date_short_pretty} at {time}|${new Date(seconds * 1000).toISOString()}>`;
}

/** A block quote of requester-supplied text (every line quoted). */
function quote(text: string): string {
  return escapeCut(text.trim(), 1500)
    .split('\n')
    .map((line) => `>${line}`)
    .join('\n');
}

function quoteInline(text: string): string {
  return `“${escapeCut(text.trim().replace(/\s+/g, ' '), 1000)}”`;
}

/** Escapes the three characters Slack's mrkdwn gives meaning to (`<@U…>`, `<!channel>`, links). */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** `text` escaped, then cut to `max` characters without leaving half an entity (`&am`) at the end. */
function escapeCut(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  return escaped.length <= max ? escaped : `${escaped.slice(0, max - 1).replace(/&[a-z]{0,3}$/, '')}…`;
}

/** `text` cut to `max` characters, ending in `…` when cut. */
function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
