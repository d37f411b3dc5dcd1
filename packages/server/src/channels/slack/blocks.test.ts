import { type Action, createAction, type Decision, transition } from '@countersign/core';
import { describe, expect, it } from 'vitest';
import { approvalMessage, escalationNotice, rejectModal, reminderNotice, slackButtons } from './blocks.js';
import { slackMessageText } from './testing.js';

/**
 * Block Kit rendering, on actions made and moved by core's lifecycle: what a reviewer sees at each state, that
 * requester-controlled text is escaped and cut to Slack's limits, and that buttons exist only while pending.
 */

const start = new Date('2026-11-22T09:00:00.000Z');
const minute = 60_000;

const decision: Decision = {
  effect: 'require_approval',
  rules: ['pii-export'],
  reason: 'PII leaves the warehouse',
  policyVersion: `sha256:${'a'.repeat(64)}`,
  requirements: [
    { rule: 'pii-export', groups: ['data-stewards'], quorum: 2, escalate: { afterMs: 10 * minute, to: ['security'] } },
  ],
  timeoutMs: 30 * minute,
  grantTtlMs: 10 * minute,
  requireJustification: false,
  notify: ['slack:#data-approvals'],
};

function pendingAction(overrides: { params?: Action['params']; justification?: string; resourceId?: string } = {}) {
  const created = createAction({
    id: 'act_01TEST',
    submitted: {
      action: 'data.export',
      resource: { type: 'dataset', id: overrides.resourceId ?? 'customers', labels: ['pii'], sensitivity: 'high' },
      environment: 'production',
      params: overrides.params ?? { format: 'csv', rows: 1200 },
      justification: overrides.justification ?? 'Quarterly report for finance',
      context: { ticket: 'FIN-42' },
      onBehalfOf: 'frank@example.com',
    },
    agent: { id: 'exporter', owner: 'dave@example.com' },
    decision,
    now: start,
  });
  if (!created.ok) throw new Error(created.refusal.message);
  return created.action;
}

const steward = (id: string) => ({ id, groups: ['data-stewards'] });

function apply(action: Action, event: Parameters<typeof transition>[1]): Action {
  const result = transition(action, event);
  if (!result.ok) throw new Error(result.refusal.message);
  return result.action;
}

const approve = (action: Action, id: string) =>
  apply(action, { type: 'review', reviewer: steward(id), verdict: 'approve', at: new Date(start.getTime() + minute) });

const buttons = (blocks: unknown[]) =>
  blocks.flatMap((block) =>
    (block as { type: string }).type === 'actions' ? (block as { elements: unknown[] }).elements : [],
  );

describe('Slack Block Kit rendering', () => {
  it('shows who, what, where, why, which rule, the quorum and expiry, the digest, and both buttons', () => {
    const action = pendingAction();
    const message = approvalMessage(action);
    const text = slackMessageText(message);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Approval needed: data.export' },
    });
    for (const shown of [
      '*exporter* asks to run *data.export* on dataset `customers` in *production*',
      'dave@example.com',
      '*On behalf of*\nfrank@example.com',
      'labels: `pii`',
      'sensitivity: `high`',
      '>Quarterly report for finance',
      '{"format":"csv","rows":1200}',
      '{"ticket":"FIN-42"}',
      '`pii-export`: PII leaves the warehouse',
      '• data-stewards: *0 of 2* for `pii-export`, escalates to security <!date^1795338600^',
      `<!date^${Date.parse(action.approval.expiresAt) / 1000}^{date_short_pretty} at {time}|2026-11-22T09:30:00.000Z>`,
      `Digest \`${action.digest.slice(0, 19)}…\``,
    ]) {
      expect(text).toContain(shown);
    }
    expect(buttons(message.blocks)).toEqual([
      expect.objectContaining({ action_id: slackButtons.approve, style: 'primary', value: 'act_01TEST' }),
      expect.objectContaining({ action_id: slackButtons.reject, style: 'danger', value: 'act_01TEST' }),
    ]);
    expect(message.text).toBe('Approval needed: exporter asks to run data.export on dataset customers in production');
  });

  it('shows partial approvals as 1 of 2 with who approved, and keeps the buttons', () => {
    const message = approvalMessage(approve(pendingAction(), 'alice@example.com'));
    expect(slackMessageText(message)).toContain('• data-stewards: *1 of 2* (alice@example.com) for `pii-export`');
    expect(buttons(message.blocks)).toHaveLength(2);
  });

  it('shows each outcome and who decided, without buttons', () => {
    const later = new Date(start.getTime() + 2 * minute);
    const approved = approve(approve(pendingAction(), 'alice@example.com'), 'bob@example.com');
    const rejected = apply(pendingAction(), {
      type: 'review',
      reviewer: steward('erin@example.com'),
      verdict: 'reject',
      comment: 'Not <!channel> this quarter',
      at: later,
    });
    const cases: Array<[Action, string, string]> = [
      [approved, 'Approved: data.export', ':white_check_mark: *Approved* by alice@example.com, bob@example.com'],
      [rejected, 'Rejected: data.export', ':x: *Rejected* by erin@example.com: “Not &lt;!channel&gt; this quarter”'],
      [
        apply(pendingAction(), { type: 'expire', at: new Date(start.getTime() + 30 * minute) }),
        'Expired: data.export',
        '*Expired*',
      ],
      [
        apply(pendingAction(), { type: 'cancel', agent: 'exporter', at: later }),
        'Cancelled: data.export',
        '*Cancelled* by the requesting agent `exporter`',
      ],
      [
        apply(approved, { type: 'outcome', agent: 'exporter', outcome: { status: 'succeeded' }, at: later }),
        'Done: data.export',
        ':checkered_flag: *Succeeded*',
      ],
      [
        apply(approved, {
          type: 'outcome',
          agent: 'exporter',
          outcome: { status: 'failed', detail: 'disk full' },
          at: later,
        }),
        'Failed: data.export',
        ':warning: *Failed*: “disk full”',
      ],
    ];
    for (const [action, header, outcome] of cases) {
      const message = approvalMessage(action);
      expect((message.blocks[0] as { text: { text: string } }).text.text).toBe(header);
      expect(slackMessageText(message)).toContain(outcome);
      expect(buttons(message.blocks)).toEqual([]);
    }
    expect(approvalMessage(approved).text).toBe(
      'Approved by alice@example.com, bob@example.com: exporter asks to run data.export on dataset customers in production',
    );
  });

  it('escapes what the requester wrote, so it cannot mention @channel or forge a link', () => {
    const message = approvalMessage(
      pendingAction({ justification: 'Urgent <!channel> see <https://evil.example|the docs> & more' }),
    );
    const text = slackMessageText(message);
    expect(text).toContain('&lt;!channel&gt; see &lt;https://evil.example|the docs&gt; &amp; more');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil');
  });

  it('cuts long values to Slack’s limits (header 150, section 3000, field 2000)', () => {
    const message = approvalMessage(
      pendingAction({
        params: { query: 'x'.repeat(10_000), note: '&'.repeat(4_000) },
        justification: 'why '.repeat(2_000),
        resourceId: 'r'.repeat(512),
      }),
    );
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) {
        node.forEach((child, i) => {
          walk(child, `${path}[${i}]`);
        });
        return;
      }
      if (typeof node !== 'object' || node === null) return;
      const block = node as Record<string, unknown>;
      if (block.type === 'header') expect((block.text as { text: string }).text.length).toBeLessThanOrEqual(150);
      if (block.type === 'mrkdwn') expect((block.text as string).length, path).toBeLessThanOrEqual(3000);
      for (const [key, value] of Object.entries(block)) walk(value, `${path}.${key}`);
    };
    walk(message.blocks, 'blocks');
    const fields = message.blocks.flatMap((block) => ('fields' in block && block.fields) || []);
    for (const field of fields) expect(field.text.length).toBeLessThanOrEqual(2000);
    const parameters = slackMessageText(message)
      .split('\n')
      .find((line) => line.startsWith('```'));
    expect(parameters).toMatch(/…```$/);
    expect(parameters).not.toMatch(/&am…|&a…|&…/);
  });

  it('renders the escalation notice and the reminder for the thread', () => {
    const escalated = apply(approve(pendingAction(), 'alice@example.com'), {
      type: 'escalate',
      at: new Date(start.getTime() + 10 * minute),
    });
    expect(slackMessageText(escalationNotice(escalated))).toContain(
      '`pii-export`: no decision after 10m, so security may now approve too (1 of 2 so far)',
    );
    const reminder = slackMessageText(reminderNotice(escalated, new Date(start.getTime() + 20 * minute)));
    expect(reminder).toContain(':alarm_clock: *Reminder:* this request expires <!date^');
    expect(reminder).toContain('(in about 10m)');
    expect(reminder).toContain('• data-stewards or security: 1 more (1 of 2) for `pii-export`');
  });

  it('builds the reject modal with a required reason and where it came from', () => {
    const modal = rejectModal(pendingAction(), { channel: 'C0123ABCD', ts: '1795338000.000100' });
    expect(modal).toMatchObject({ type: 'modal', callback_id: 'countersign_reject' });
    expect(JSON.parse(modal.private_metadata ?? '')).toEqual({
      actionId: 'act_01TEST',
      channel: 'C0123ABCD',
      ts: '1795338000.000100',
    });
    expect(modal.blocks[1]).toMatchObject({
      type: 'input',
      block_id: 'reason',
      element: { type: 'plain_text_input', action_id: 'reason', multiline: true, min_length: 1 },
    });
    expect((modal.blocks[1] as { optional?: boolean }).optional).toBeUndefined();
  });
});
