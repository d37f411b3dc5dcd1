import type { ActionStatus, ActionWithGrant } from '@countersign/sdk';
import { exitCodes } from '../io.js';

/** `data.export on dataset:customers [pii] in production`. */
export function describeTarget(action: ActionWithGrant): string {
  const labels = action.resource.labels.length > 0 ? ` [${action.resource.labels.join(', ')}]` : '';
  return `${action.action} on ${action.resource.type}:${action.resource.id}${labels} in ${action.environment}`;
}

/** `pii-export 1/2, prod-export 0/1 (escalated)`: approvals against quorum, per requirement. */
export function approvalProgress(action: ActionWithGrant): string {
  return action.approval.requirements
    .map(
      (requirement) =>
        `${requirement.rule} ${requirement.approvals.length}/${requirement.quorum}${requirement.escalated ? ' (escalated)' : ''}`,
    )
    .join(', ');
}

/**
 * What approvals a pending action still lacks, per requirement short of its quorum:
 * `pii-export 1 more of [data-stewards]; prod-export 1 more of [platform-oncall]`.
 */
export function stillNeeded(action: ActionWithGrant): string {
  return action.approval.requirements
    .filter((requirement) => requirement.approvals.length < requirement.quorum)
    .map(
      (requirement) =>
        `${requirement.rule} ${requirement.quorum - requirement.approvals.length} more of [${allowedGroups(requirement).join(', ')}]`,
    )
    .join('; ');
}

/** Who must approve: `2 of [data-stewards] for pii-export; 1 of [platform-oncall] for prod-export`. */
export function whoMustApprove(action: ActionWithGrant): string {
  return action.approval.requirements
    .map((requirement) => `${requirement.quorum} of [${allowedGroups(requirement).join(', ')}] for ${requirement.rule}`)
    .join('; ');
}

/** The groups that may approve a requirement now: its own, and its escalation groups once escalated. */
function allowedGroups(requirement: ActionWithGrant['approval']['requirements'][number]): string[] {
  return requirement.escalated ? [...requirement.groups, ...(requirement.escalate?.to ?? [])] : requirement.groups;
}

/** The few lines `request` prints: what was asked, what policy said, who must act, what to do next. */
export function summaryLines(action: ActionWithGrant, now: Date): string[] {
  const lines = [
    `${action.id}  ${action.status}`,
    `  ${describeTarget(action)}`,
    `  decision: ${decisionText(action)}`,
  ];
  if (action.status === 'pending') {
    lines.push(`  needs:    ${whoMustApprove(action)}`);
    lines.push(`  progress: ${approvalProgress(action)}`);
    lines.push(`  expires:  ${action.approval.expiresAt} (${relative(action.approval.expiresAt, now)})`);
  }
  const rejection = action.reviews.find((review) => review.verdict === 'reject');
  if (action.status === 'rejected' && rejection) lines.push(`  review:   ${reviewText(rejection)}`);
  if (action.grant)
    lines.push(`  grant:    expires ${action.grant.expiresAt} (${relative(action.grant.expiresAt, now)})`);
  if (action.outcome) lines.push(`  outcome:  ${action.outcome.status}${detail(action.outcome.detail)}`);
  return lines;
}

/** Everything `show` prints about an action. */
export function detailLines(action: ActionWithGrant, now: Date): string[] {
  const lines = [`${action.id}  ${action.status}`];
  const field = (name: string, value: string) => lines.push(`  ${`${name}:`.padEnd(15)}${value}`);
  field('action', describeTarget(action));
  if (action.resource.sensitivity) field('sensitivity', action.resource.sensitivity);
  field(
    'requested by',
    `${action.requester.agent} (owner ${action.requester.owner})${action.onBehalfOf ? ` on behalf of ${action.onBehalfOf}` : ''}`,
  );
  if (action.justification) field('justification', action.justification);
  if (Object.keys(action.params).length > 0) field('params', JSON.stringify(action.params));
  if (Object.keys(action.context).length > 0) field('context', JSON.stringify(action.context));
  field('digest', action.digest);
  field('decision', decisionText(action));
  field('policy', action.decision.policyVersion);
  if (action.approval.requirements.length > 0) {
    lines.push('  requirements:');
    for (const requirement of action.approval.requirements) {
      const by = requirement.approvals.length > 0 ? `; approved by ${requirement.approvals.join(', ')}` : '';
      const escalation = requirement.escalate
        ? requirement.escalated
          ? `; escalated to [${requirement.escalate.to.join(', ')}]`
          : `; escalates to [${requirement.escalate.to.join(', ')}]${requirement.escalateAt ? ` ${relative(requirement.escalateAt, now)}` : ''}`
        : '';
      lines.push(
        `    ${requirement.rule}: ${requirement.approvals.length}/${requirement.quorum} of [${requirement.groups.join(', ')}]${by}${escalation}`,
      );
    }
    if (action.status === 'pending')
      field('expires', `${action.approval.expiresAt} (${relative(action.approval.expiresAt, now)})`);
  }
  if (action.reviews.length > 0) {
    lines.push('  reviews:');
    for (const review of action.reviews) lines.push(`    ${review.at}  ${reviewText(review)}`);
  }
  if (action.grant) field('grant', `expires ${action.grant.expiresAt} (${relative(action.grant.expiresAt, now)})`);
  if (action.outcome) field('outcome', `${action.outcome.status}${detail(action.outcome.detail)}`);
  field('created', `${action.createdAt} (${relative(action.createdAt, now)})`);
  if (action.decidedAt) field('decided', `${action.decidedAt} (${relative(action.decidedAt, now)})`);
  return lines;
}

/** How a gated step ends for each status: `request --wait` and `run` exit with these. */
export function exitCodeFor(status: ActionStatus): number {
  switch (status) {
    case 'denied':
      return exitCodes.denied;
    case 'rejected':
      return exitCodes.rejected;
    case 'expired':
      return exitCodes.expired;
    case 'cancelled':
      return exitCodes.cancelled;
    case 'failed':
      return exitCodes.commandFailed;
    default:
      return exitCodes.ok;
  }
}

/** `in 30m`, `5m ago`: a coarse distance from now (see {@link age}). */
export function relative(iso: string, now: Date): string {
  const ms = new Date(iso).getTime() - now.getTime();
  if (Number.isNaN(ms)) return 'unknown';
  return ms >= 0 ? `in ${age(ms)}` : `${age(-ms)} ago`;
}

/**
 * `42s`, `5m`, `3h`, `2d`: rounded to the nearest unit, so a 30-minute timeout read a moment after submission
 * shows `30m` (not `29m`), and 59m40s shows `1h`. Seconds up to a minute, minutes up to an hour, hours up to two
 * days, then days.
 */
export function age(ms: number): string {
  const seconds = Math.round(Math.max(0, ms) / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.round(seconds / 3600);
  if (hours < 48) return `${hours}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

/** Left-aligned columns separated by two spaces; the first row is the header. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** `require_approval — PII exports need two stewards (rule pii-export)`; a reason naming its rules stands alone. */
export function decisionText(action: ActionWithGrant): string {
  const { effect } = action.decision;
  const reason = explained(action);
  return `${effect}${reason ? ` — ${reason}` : ''}`;
}

/**
 * The decision's reason, followed by the rules that made it (`(rule pii-export)`, `(rules a, b)`) unless the
 * reason already names them all, as the server's own reasons do: `approval required by rule prod-export`.
 */
export function explained(action: ActionWithGrant): string {
  const { reason, rules } = action.decision;
  const named = rules.every((rule) => mentions(reason, rule));
  const which = rules.length === 0 || named ? '' : `rule${rules.length > 1 ? 's' : ''} ${rules.join(', ')}`;
  if (!reason) return which;
  return which ? `${reason} (${which})` : reason;
}

/** Whether `text` names the rule `id` as a word of its own (`prod-export` is not named by `non-prod-export`). */
function mentions(text: string, id: string): boolean {
  let from = 0;
  for (;;) {
    const at = text.indexOf(id, from);
    if (at === -1) return false;
    const before = text[at - 1] ?? ' ';
    const after = text[at + id.length] ?? ' ';
    if (!/[\w.-]/.test(before) && !/[\w-]/.test(after)) return true;
    from = at + 1;
  }
}

function reviewText(review: ActionWithGrant['reviews'][number]): string {
  const verdict = review.verdict === 'approve' ? 'approved' : 'rejected';
  return `${review.reviewer} ${verdict}${review.via ? ` via ${review.via}` : ''}${review.comment ? `: "${review.comment}"` : ''}`;
}

function detail(text: string | undefined): string {
  return text ? ` (${text})` : '';
}
