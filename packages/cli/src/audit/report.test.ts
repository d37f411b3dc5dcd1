import { type AuditEntry, chainEntries } from '@countersign/core';
import { describe, expect, it } from 'vitest';
import {
  buildEvidenceReport,
  type ChainVerificationSummary,
  type EvidenceReport,
  renderReportCsv,
  renderReportHtml,
  renderReportJson,
} from './report.js';

type Draft = Omit<AuditEntry, 'seq' | 'prev' | 'hash'>;
type Effect = 'allow' | 'deny' | 'require_approval';

const agent = (id: string) => ({ kind: 'agent' as const, id, via: 'api' });
const human = (id: string) => ({ kind: 'human' as const, id, via: 'slack' });
const system = (id: string) => ({ kind: 'system' as const, id, via: id });
/** `at(1, '09:00')` is 2026-11-01T09:00:00.000Z. */
const at = (day: number, time: string) => `2026-11-0${day}T${time.length === 5 ? `${time}:00` : time}.000Z`;
const policyVersion = `sha256:${'ab'.repeat(32)}`;

const statusFor = { allow: 'approved', deny: 'denied', require_approval: 'pending' } as const;

function submitted(
  actionId: string,
  ts: string,
  by: string,
  effect: Effect,
  rules: string[],
  extra: { action?: string; resource?: { type: string; id: string }; onBehalfOf?: string; grant?: string } = {},
): Draft {
  return {
    ts,
    type: 'action.submitted',
    actionId,
    actor: agent(by),
    data: {
      action: extra.action ?? 'db.migrate',
      resource: extra.resource ?? { type: 'database', id: 'orders' },
      environment: 'production',
      params: { version: 42 },
      context: {},
      ...(extra.onBehalfOf && { onBehalfOf: extra.onBehalfOf }),
      digest: `sha256:${'cd'.repeat(32)}`,
      decision: { effect, rules, reason: `${effect} by ${rules.join(', ') || 'default'}`, policyVersion },
      status: statusFor[effect],
      ...(extra.grant && { grant: { jti: extra.grant, expiresAt: '2026-11-30T00:00:00.000Z' } }),
    },
  };
}

function entry(type: string, actionId: string | undefined, ts: string, actor: Draft['actor'], data = {}): Draft {
  return { ts, type, ...(actionId !== undefined && { actionId }), actor, data };
}

const approved = (actionId: string, ts: string, reviewer: string, approvers: string[], jti: string) =>
  entry('action.approved', actionId, ts, human(reviewer), {
    reviewer,
    approvers,
    grant: { jti, expiresAt: '2026-11-30T00:00:00.000Z' },
    status: 'approved',
  });
const redeemed = (actionId: string, ts: string, jti: string, by: string) =>
  entry('grant.redeemed', actionId, ts, system('executor'), { jti, agent: by, digest: `sha256:${'cd'.repeat(32)}` });
const refused = (actionId: string, ts: string, reviewer: string, code: string) =>
  entry('action.review_refused', actionId, ts, human(reviewer), {
    reviewer,
    verdict: 'approve',
    code,
    message: `refused: ${code}`,
  });

/** Three days of a realistic trail, starting mid-chain at seq 501. */
const drafts: Draft[] = [
  entry('policy.loaded', undefined, at(1, '08:00'), human('admin'), {
    version: policyVersion,
    previous: `sha256:${'01'.repeat(32)}`,
    file: 'policy.yaml',
  }),
  // Submitted (and partly reviewed) before the period.
  approved('act_old', at(1, '09:00'), 'grace@example.com', ['heidi@example.com', 'grace@example.com'], 'jti_old'),
  redeemed('act_old', at(1, '09:05'), 'jti_old', 'etl'),
  entry('action.succeeded', 'act_old', at(1, '09:06'), agent('etl'), { status: 'succeeded' }),
  // Allowed outright, redeemed, succeeded.
  submitted('act_allow', at(1, '10:00'), 'etl', 'allow', ['staging-ok'], { grant: 'jti_allow' }),
  redeemed('act_allow', at(1, '10:01'), 'jti_allow', 'etl'),
  entry('action.succeeded', 'act_allow', at(1, '10:02'), agent('etl'), { status: 'succeeded', detail: 'restarted' }),
  // Two approvers; the requester tries to approve it themself first.
  submitted('act_pair', at(1, '11:00'), 'billing-bot', 'require_approval', ['pii-export', 'prod-export'], {
    action: 'data.export',
    resource: { type: 'dataset', id: 'customers' },
    onBehalfOf: 'dave@example.com',
  }),
  refused('act_pair', at(1, '11:01'), 'dave@example.com', 'self_approval'),
  entry('action.approval_recorded', 'act_pair', at(1, '11:03'), human('grace@example.com'), {
    reviewer: 'grace@example.com',
    countedFor: ['pii-export'],
    remaining: [{ rule: 'prod-export', missing: 1 }],
    comment: 'scope ok',
    status: 'pending',
  }),
  refused('act_pair', at(1, '11:04'), 'grace@example.com', 'already_reviewed'),
  approved('act_pair', at(1, '11:12'), 'heidi@example.com', ['grace@example.com', 'heidi@example.com'], 'jti_pair'),
  redeemed('act_pair', at(1, '11:20'), 'jti_pair', 'billing-bot'),
  entry('action.failed', 'act_pair', at(1, '11:25'), agent('billing-bot'), { status: 'failed', detail: 'timeout' }),
  // Rejected after someone outside the groups tried to approve.
  submitted('act_reject', at(1, '13:00'), 'etl', 'require_approval', ['prod-delete']),
  refused('act_reject', at(1, '13:10'), 'mallory@example.com', 'not_eligible'),
  entry('action.rejected', 'act_reject', at(1, '14:30'), human('grace@example.com'), {
    reviewer: 'grace@example.com',
    comment: 'not during the freeze, ask again on Monday',
    status: 'rejected',
  }),
  entry('agent.created', undefined, at(2, '08:00'), human('admin'), { agent: 'etl' }),
  submitted('act_deny', at(2, '09:00'), 'etl', 'deny', ['no-prod-drop']),
  submitted('act_expire', at(2, '10:00'), 'etl', 'require_approval', ['prod-export']),
  entry('action.escalated', 'act_expire', at(2, '10:30'), system('sweeper'), {
    requirements: ['prod-export'],
    status: 'pending',
  }),
  submitted('act_cancel', at(2, '12:00'), 'etl', 'require_approval', ['prod-export']),
  entry('action.cancelled', 'act_cancel', at(2, '12:00:30'), agent('etl'), { status: 'cancelled' }),
  entry('action.expired', 'act_expire', at(3, '10:00'), system('sweeper'), { status: 'expired' }),
  submitted('act_pending', at(3, '15:00'), 'etl', 'require_approval', ['prod-export']),
  entry('action.approval_recorded', 'act_pending', at(3, '15:05'), human('grace@example.com'), {
    reviewer: 'grace@example.com',
    countedFor: ['prod-export'],
    remaining: [{ rule: 'prod-export', missing: 1 }],
    status: 'pending',
  }),
];
const entries = chainEntries(drafts, { seq: 500, hash: 'f'.repeat(64) });
const period = { since: '2026-11-01T00:00:00.000Z', until: '2026-11-04T00:00:00.000Z' };
const verified: ChainVerificationSummary = { ok: true, entries: entries.length, checkpoints: 2 };

const build = (overrides: Partial<Parameters<typeof buildEvidenceReport>[0]> = {}): EvidenceReport =>
  buildEvidenceReport({
    entries,
    verification: verified,
    period,
    generatedAt: '2026-11-05T08:00:00.000Z',
    server: 'https://countersign.example.com',
    ...overrides,
  });

const emptyReport = () =>
  build({ entries: [], verification: { ok: true, entries: 0, checkpoints: 0 }, server: undefined });

const minutes = (n: number) => n * 60_000;

describe('buildEvidenceReport', () => {
  const report = build();

  it('counts what happened in the period', () => {
    expect(report.totals).toEqual({
      auditEntries: 26,
      otherEntries: 1,
      submitted: 7,
      allowedOutright: 1,
      denied: 1,
      requiredApproval: 5,
      approved: 2,
      rejected: 1,
      expired: 1,
      cancelled: 1,
      pendingAtEnd: 1,
      succeeded: 2,
      failed: 1,
      grantsIssued: 3,
      grantsRedeemed: 3,
      refusedSelfApprovals: 1,
      refusedIneligible: 1,
      otherRefusals: 1,
      policyLoads: 1,
    });
    expect(report.server).toBe('https://countersign.example.com');
    expect(report.verification).toEqual(verified);
  });

  it('lists actions submitted before the period first, then in order of submission', () => {
    expect(report.actions.map((action) => [action.id, action.status, action.timeToDecisionMs])).toEqual([
      ['act_old', 'succeeded', null],
      ['act_allow', 'succeeded', 0],
      ['act_pair', 'failed', minutes(12)],
      ['act_reject', 'rejected', minutes(90)],
      ['act_deny', 'denied', 0],
      ['act_expire', 'expired', minutes(24 * 60)],
      ['act_cancel', 'cancelled', 30_000],
      ['act_pending', 'pending', null],
    ]);
  });

  it('keeps what the period shows of an action submitted before it', () => {
    expect(report.actions[0]).toEqual({
      id: 'act_old',
      submittedInPeriod: false,
      action: null,
      resource: null,
      environment: null,
      requester: { agent: 'etl', onBehalfOf: null },
      submittedAt: null,
      effect: null,
      approvalRules: [],
      reason: null,
      policyVersion: null,
      reviews: [{ reviewer: 'grace@example.com', verdict: 'approve', at: at(1, '09:00'), comment: null }],
      refusals: [],
      status: 'succeeded',
      decidedAt: at(1, '09:00'),
      timeToDecisionMs: null,
      grant: {
        jti: 'jti_old',
        issuedAt: at(1, '09:00'),
        expiresAt: '2026-11-30T00:00:00.000Z',
        redeemedAt: at(1, '09:05'),
      },
      outcome: { status: 'succeeded', at: at(1, '09:06'), detail: null },
    });
  });

  it('records both approvers, the refused attempts and the redeemed grant of a two-approver action', () => {
    const pair = report.actions.find((action) => action.id === 'act_pair');
    expect(pair).toMatchObject({
      submittedInPeriod: true,
      action: 'data.export',
      resource: { type: 'dataset', id: 'customers' },
      environment: 'production',
      requester: { agent: 'billing-bot', onBehalfOf: 'dave@example.com' },
      submittedAt: at(1, '11:00'),
      effect: 'require_approval',
      approvalRules: ['pii-export', 'prod-export'],
      reason: 'require_approval by pii-export, prod-export',
      policyVersion,
      decidedAt: at(1, '11:12'),
      grant: { jti: 'jti_pair', issuedAt: at(1, '11:12'), redeemedAt: at(1, '11:20') },
      outcome: { status: 'failed', at: at(1, '11:25'), detail: 'timeout' },
    });
    expect(pair?.reviews).toEqual([
      { reviewer: 'grace@example.com', verdict: 'approve', at: at(1, '11:03'), comment: 'scope ok' },
      { reviewer: 'heidi@example.com', verdict: 'approve', at: at(1, '11:12'), comment: null },
    ]);
    expect(pair?.refusals.map((refusal) => [refusal.reviewer, refusal.code, refusal.at])).toEqual([
      ['dave@example.com', 'self_approval', at(1, '11:01')],
      ['grace@example.com', 'already_reviewed', at(1, '11:04')],
    ]);
  });

  it('decides outright actions at submission, with no rules requiring approval for a denial', () => {
    const allow = report.actions.find((action) => action.id === 'act_allow');
    const deny = report.actions.find((action) => action.id === 'act_deny');
    expect(allow).toMatchObject({ decidedAt: at(1, '10:00'), reviews: [], approvalRules: [] });
    expect(allow?.grant).toEqual({
      jti: 'jti_allow',
      issuedAt: at(1, '10:00'),
      expiresAt: '2026-11-30T00:00:00.000Z',
      redeemedAt: at(1, '10:01'),
    });
    expect(deny).toMatchObject({ effect: 'deny', status: 'denied', decidedAt: at(2, '09:00'), grant: null });
    expect(deny?.approvalRules).toEqual([]);
  });

  it('leaves a pending action undecided, with its reviews so far', () => {
    const pending = report.actions.at(-1);
    expect(pending).toMatchObject({ id: 'act_pending', status: 'pending', decidedAt: null, grant: null });
    expect(pending?.reviews.map((review) => review.reviewer)).toEqual(['grace@example.com']);
  });

  it('lists refused attempts and policy loads across the period', () => {
    expect(report.refusedAttempts.map((refusal) => [refusal.actionId, refusal.code, refusal.verdict])).toEqual([
      ['act_pair', 'self_approval', 'approve'],
      ['act_pair', 'already_reviewed', 'approve'],
      ['act_reject', 'not_eligible', 'approve'],
    ]);
    expect(report.policyLoads).toEqual([
      {
        seq: 501,
        at: at(1, '08:00'),
        actor: 'admin',
        version: policyVersion,
        previous: `sha256:${'01'.repeat(32)}`,
        file: 'policy.yaml',
      },
    ]);
  });

  it('summarises reviewer time to decision, leaving out outright and unknown ones', () => {
    // 30s, 12m, 90m, 24h
    expect(report.timeToDecision).toMatchObject({
      decisions: 4,
      medianMs: (minutes(12) + minutes(90)) / 2,
      p90Ms: minutes(90) + 0.7 * (minutes(24 * 60) - minutes(90)),
      maxMs: minutes(24 * 60),
    });
    expect(report.timeToDecision.buckets.map((bucket) => [bucket.label, bucket.count])).toEqual([
      ['< 1m', 1],
      ['1–5m', 0],
      ['5–15m', 1],
      ['15–60m', 0],
      ['1–4h', 1],
      ['4–24h', 0],
      ['≥ 24h', 1],
    ]);
  });

  it('counts decisions per UTC day of the period', () => {
    expect(report.decisionsPerDay).toEqual([
      { day: '2026-11-01', allowed: 1, approved: 2, denied: 0, rejected: 1, expired: 0, cancelled: 0 },
      { day: '2026-11-02', allowed: 0, approved: 0, denied: 1, rejected: 0, expired: 0, cancelled: 1 },
      { day: '2026-11-03', allowed: 0, approved: 0, denied: 0, rejected: 0, expired: 1, cancelled: 0 },
    ]);
  });

  it('does not depend on the order entries arrive in', () => {
    expect(build({ entries: [...entries].reverse() })).toEqual(report);
  });

  it('reports an empty period with zero days rather than nothing', () => {
    const empty = emptyReport();
    expect(empty.actions).toEqual([]);
    expect(Object.values(empty.totals).every((count) => count === 0)).toBe(true);
    expect(empty.timeToDecision).toMatchObject({ decisions: 0, medianMs: null, p90Ms: null, maxMs: null });
    expect(empty.decisionsPerDay.map((day) => day.day)).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    expect(empty.server).toBeNull();
  });

  it('falls back to the days with decisions when the period does not parse', () => {
    const report = build({ period: { since: 'last week', until: 'now' } });
    expect(report.decisionsPerDay.map((day) => day.day)).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
  });
});

/** Just enough RFC 4180 to read the CSV back. */
function parseCsv(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const char = csv[i];
    if (quoted) {
      if (char === '"' && csv[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && csv[i + 1] === '\n') {
      rows.push([...row, cell]);
      row = [];
      cell = '';
      i++;
    } else cell += char;
  }
  return rows;
}

/** A report whose values try to break out of CSV cells and HTML markup. */
function hostileReport(): EvidenceReport {
  const hostile = chainEntries(
    [
      submitted('act_evil', at(1, '10:00'), 'etl', 'require_approval', ['prod-export'], {
        action: '<script>alert(1)</script>',
        resource: { type: 'sheet', id: '=HYPERLINK("http://evil.example/x","click")' },
        onBehalfOf: '@mallory',
      }),
      entry('action.rejected', 'act_evil', at(1, '10:05'), human('grace@example.com'), {
        reviewer: 'grace@example.com',
        comment: `<script>alert("x")</script> it's "fine", really\nsecond line`,
        status: 'rejected',
      }),
    ],
    { seq: 0, hash: '0'.repeat(64) },
  );
  return build({ entries: hostile, verification: { ok: true, entries: 2, checkpoints: 0 } });
}

describe('renderReportCsv', () => {
  const csv = renderReportCsv(build());
  const rows = parseCsv(csv);
  const header = rows[0] ?? [];
  const column = (row: string[] | undefined, name: string) => row?.[header.indexOf(name)];

  it('writes a header and one CRLF-terminated row per action', () => {
    expect(csv.startsWith('action_id,submitted_in_period,action,resource_type,resource_id,environment,agent,')).toBe(
      true,
    );
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv).not.toMatch(/[^\r]\n/);
    expect(rows).toHaveLength(9);
    expect(rows.every((row) => row.length === header.length)).toBe(true);
    expect(rows.slice(1).map((row) => row[0])).toEqual([
      'act_old',
      'act_allow',
      'act_pair',
      'act_reject',
      'act_deny',
      'act_expire',
      'act_cancel',
      'act_pending',
    ]);
  });

  it('joins reviews and refusals into one readable cell each', () => {
    const pair = rows[3];
    expect(column(pair, 'reviews')).toBe(
      `approve by grace@example.com at ${at(1, '11:03')}: "scope ok"; approve by heidi@example.com at ${at(1, '11:12')}`,
    );
    expect(column(pair, 'refusals')).toBe(
      `self_approval by dave@example.com at ${at(1, '11:01')}; already_reviewed by grace@example.com at ${at(1, '11:04')}`,
    );
    expect(column(pair, 'time_to_decision_ms')).toBe('720000');
    expect(column(pair, 'grant_redeemed_at')).toBe(at(1, '11:20'));
  });

  it('quotes fields with commas and quotes, doubling the quotes', () => {
    expect(csv).toContain(
      `,"reject by grace@example.com at ${at(1, '14:30')}: ""not during the freeze, ask again on Monday""",`,
    );
    expect(column(rows[4], 'reviews')).toBe(
      `reject by grace@example.com at ${at(1, '14:30')}: "not during the freeze, ask again on Monday"`,
    );
  });

  it('defuses cells a spreadsheet would run as formulas, and keeps newlines inside quotes', () => {
    const hostile = renderReportCsv(hostileReport());
    expect(hostile).toContain(',"\'=HYPERLINK(""http://evil.example/x"",""click"")",');
    const [, evil] = parseCsv(hostile);
    const hostileHeader = parseCsv(hostile)[0] ?? [];
    const cell = (name: string) => evil?.[hostileHeader.indexOf(name)];
    expect(cell('resource_id')).toBe('\'=HYPERLINK("http://evil.example/x","click")');
    expect(cell('on_behalf_of')).toBe("'@mallory");
    expect(cell('reviews')).toBe(
      `reject by grace@example.com at ${at(1, '10:05')}: ${JSON.stringify(`<script>alert("x")</script> it's "fine", really\nsecond line`)}`,
    );
  });

  it('guards every formula lead character, and nothing else', () => {
    const named = (action: string) =>
      renderReportCsv(
        build({
          entries: chainEntries([submitted('act_x', at(1, '10:00'), 'etl', 'deny', [], { action })], {
            seq: 0,
            hash: '0'.repeat(64),
          }),
        }),
      );
    const actionCell = (action: string) => parseCsv(named(action))[1]?.[2];
    for (const lead of ['=', '+', '-', '@', '\t', '\r']) expect(actionCell(`${lead}1+1`)).toBe(`'${lead}1+1`);
    expect(actionCell('db.migrate')).toBe('db.migrate');
    expect(named('a\rb')).toContain(',"a\rb",');
  });

  it('writes just the header for an empty period', () => {
    expect(parseCsv(renderReportCsv(emptyReport()))).toHaveLength(1);
  });
});

describe('renderReportJson', () => {
  it('pretty-prints the whole report with a trailing newline', () => {
    const report = build();
    const json = renderReportJson(report);
    expect(json.startsWith('{\n  "period": {\n    "since": "2026-11-01T00:00:00.000Z"')).toBe(true);
    expect(json.endsWith('}\n')).toBe(true);
    expect(JSON.parse(json)).toEqual(report);
    expect(JSON.parse(json).timeToDecision.buckets.at(-1)).toEqual({
      label: '≥ 24h',
      fromMs: 86_400_000,
      toMs: null,
      count: 1,
    });
  });
});

describe('renderReportHtml', () => {
  const page = renderReportHtml(build());

  it('is one self-contained page with no scripts and nothing loaded from elsewhere', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<style>');
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/\b(?:src|href)\s*=|url\(|@import|<link|<img|<iframe/i);
    // The only URL on the page is the server the entries came from, as text.
    expect(page.match(/https?:\/\/[^\s<"]*/g)).toEqual(['https://countersign.example.com']);
  });

  it('heads the page with the period, generation time, server and a green verification banner', () => {
    expect(page).toContain('2026-11-01T00:00:00.000Z to 2026-11-04T00:00:00.000Z');
    expect(page).toContain('<dd>2026-11-05T08:00:00.000Z</dd>');
    expect(page).toContain('<dd>https://countersign.example.com</dd>');
    expect(page).toMatch(/<p class="banner ok" role="status">✓ chain verified: 26 entries, 2 checkpoints<\/p>/);
    expect(page).not.toContain('FAILED');
  });

  it('shows a red banner naming the seq where verification failed', () => {
    const failed = renderReportHtml(
      build({
        verification: {
          ok: false,
          entries: 26,
          checkpoints: 2,
          firstBad: { seq: 512, reason: 'hash does not match the entry' },
        },
      }),
    );
    expect(failed).toContain(
      '<div class="banner failed" role="alert">✗ chain verification FAILED at seq 512: hash does not match the entry',
    );
    expect(failed).not.toContain('chain verified');
    const headerless = renderReportHtml(
      build({
        verification: { ok: false, entries: 0, checkpoints: 0, firstBad: { seq: null, reason: 'bad <header>' } },
      }),
    );
    expect(headerless).toContain('✗ chain verification FAILED: bad &lt;header&gt;');
  });

  it('shows the totals, actions, refused attempts and policy loads', () => {
    expect(page).toContain('<tr><th scope="row">Refused self-approvals</th><td class="num">1</td></tr>');
    expect(page).toContain(
      '<tr><th scope="row">Still pending at the end of the period</th><td class="num">1</td></tr>',
    );
    expect(page).toContain('<h2>Privileged actions (8)</h2>');
    expect(page).toContain('<td class="num">12m</td>');
    expect(page).toContain(`redeemed ${at(1, '11:20')}`);
    expect(page).toContain('<h2>Refused review attempts (3)</h2>');
    expect(page).toContain('<td><strong>not_eligible</strong></td>');
    expect(page).toContain('<h2>Policy loads (1)</h2>');
    expect(page).toContain('<dt>Median</dt><dd>51m</dd>');
  });

  it('draws both charts as labelled inline SVG', () => {
    expect(page.match(/<svg role="img"/g)).toHaveLength(2);
    expect(page).toContain('aria-labelledby="decisions-per-day-title decisions-per-day-desc"');
    expect(page).toContain('<title id="decisions-per-day-title">Decisions per day</title>');
    expect(page).toContain('<title id="time-to-decision-title">Time to decision</title>');
    expect(page).toContain('>Day (UTC)</text>');
    expect(page).toContain('>Time from submission to decision</text>');
    expect(page).toContain('<title>2026-11-01 — approved: 2</title>');
    expect(page).toContain('<title>≥ 24h — actions: 1</title>');
    // One segment per kind of decision taken that day: 3 on the 1st, 2 on the 2nd, 1 on the 3rd.
    expect(page.match(/<title>2026-11-0\d — \w+: \d+<\/title>/g)).toHaveLength(6);
  });

  it('escapes every value, so a hostile action or comment stays text', () => {
    const hostile = renderReportHtml(hostileReport());
    expect(hostile).not.toMatch(/<script/i);
    expect(hostile).toContain('&lt;script&gt;alert(1)&lt;/script&gt; on <code>sheet:=HYPERLINK(&quot;');
    expect(hostile).toContain('“&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; it&#39;s &quot;fine&quot;, really');
  });

  it('draws an empty period without NaN or Infinity', () => {
    const empty = renderReportHtml(emptyReport());
    expect(empty).not.toMatch(/NaN|Infinity|undefined/);
    expect(empty).not.toMatch(/<script|http/i);
    expect(empty).toContain('No decisions in this period');
    expect(empty).toContain('No reviewed decisions in this period');
    expect(empty).toContain('No privileged actions in this period.');
    expect(empty).toContain('<dd>not recorded</dd>');
    expect(empty).toContain('✓ chain verified: 0 entries, 0 checkpoints');
  });

  it('writes only finite numbers into SVG geometry', () => {
    for (const html of [page, renderReportHtml(emptyReport())]) {
      const values = [...html.matchAll(/\b(?:x|y|x1|x2|y1|y2|width|height)="([^"]*)"/g)].map((match) => match[1]);
      expect(values.length).toBeGreaterThan(20);
      expect(values.every((value) => Number.isFinite(Number(value)))).toBe(true);
    }
  });
});
