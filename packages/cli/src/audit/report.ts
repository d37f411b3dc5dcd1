import {
  type ActionStatus,
  type AuditEntry,
  type Effect,
  effectSchema,
  formatDuration,
  type Outcome,
  type Verdict,
  verdictSchema,
} from '@countersign/core';

/**
 * The evidence report behind `countersign audit report`: what happened to privileged actions in a period, built
 * from the audit entries of that period and the result of verifying their chain, for auditors to attach to SOC 2 or
 * FedRAMP evidence. Pure: the command fetches and verifies the entries, this module only counts and renders.
 *
 * The report describes the entries it is given. An action submitted before the period shows up with only the part
 * of its history that falls inside it (`submittedInPeriod: false`, submission fields `null`); an action with no
 * entry in the period does not show up at all, even if it was still pending.
 */

/** What verifying the exported range found: entries hashed, signed checkpoints checked, the first break. */
export interface ChainVerificationSummary {
  ok: boolean;
  entries: number;
  checkpoints: number;
  /** The first failure; `seq` is `null` when it is no entry's (an unreadable export header, say). */
  firstBad?: { seq: number | null; reason: string };
}

/** The reported period, as ISO 8601 UTC: from `since` (inclusive) to `until` (exclusive). */
export interface ReportPeriod {
  since: string;
  until: string;
}

export interface EvidenceReportInput {
  /** The audit entries of the period, in any order (they are sorted by `seq`). */
  entries: ReadonlyArray<AuditEntry>;
  verification: ChainVerificationSummary;
  period: ReportPeriod;
  generatedAt: string;
  /** The server the entries came from, e.g. its URL. */
  server?: string;
}

/** Counts over the period's entries: each decision, refusal or grant is counted where its entry falls. */
export interface EvidenceTotals {
  /** Every entry in the report, of any type. */
  auditEntries: number;
  /** Entries of types this report does not know; counted, otherwise ignored. */
  otherEntries: number;
  submitted: number;
  /** Submissions the policy allowed outright (a grant was issued at once). */
  allowedOutright: number;
  /** Submissions the policy denied. */
  denied: number;
  /** Submissions the policy sent to reviewers. */
  requiredApproval: number;
  approved: number;
  rejected: number;
  expired: number;
  cancelled: number;
  /** Actions in the report whose last recorded status is `pending`. */
  pendingAtEnd: number;
  succeeded: number;
  failed: number;
  grantsIssued: number;
  grantsRedeemed: number;
  refusedSelfApprovals: number;
  refusedIneligible: number;
  otherRefusals: number;
  policyLoads: number;
}

export interface ReviewEvidence {
  reviewer: string;
  verdict: Verdict;
  at: string;
  comment: string | null;
}

/** A review the server refused: the requester approving their own action, a reviewer outside the groups, … */
export interface RefusedAttempt {
  seq: number;
  at: string;
  actionId: string | null;
  reviewer: string;
  verdict: Verdict | null;
  /** `self_approval`, `not_eligible`, `already_reviewed`, `not_pending`, `justification_required`, … */
  code: string;
  message: string | null;
}

export interface GrantEvidence {
  jti: string;
  /** `null` when the grant was issued before the period and only its redemption is in it. */
  issuedAt: string | null;
  expiresAt: string | null;
  redeemedAt: string | null;
}

/** One privileged action: what was asked, what policy and reviewers said, and what came of it. */
export interface ActionEvidence {
  id: string;
  /** `false` when the submission precedes the period: the fields it would have filled are `null`. */
  submittedInPeriod: boolean;
  action: string | null;
  resource: { type: string; id: string } | null;
  environment: string | null;
  requester: { agent: string | null; onBehalfOf: string | null };
  submittedAt: string | null;
  effect: Effect | null;
  /** The rules that required approval (empty unless the effect was `require_approval`). */
  approvalRules: string[];
  /** The policy's reason for its decision. */
  reason: string | null;
  policyVersion: string | null;
  reviews: ReviewEvidence[];
  refusals: RefusedAttempt[];
  /** The last status recorded in the period; `null` when no entry in it says. */
  status: ActionStatus | null;
  /** When it was approved, rejected, expired or cancelled — or, decided outright by policy, submitted. */
  decidedAt: string | null;
  /** Submission to decision: 0 when policy allowed or denied outright; `null` while pending or when unknown. */
  timeToDecisionMs: number | null;
  grant: GrantEvidence | null;
  outcome: { status: Outcome['status']; at: string; detail: string | null } | null;
}

export interface PolicyLoad {
  seq: number;
  at: string;
  actor: string;
  version: string | null;
  previous: string | null;
  file: string | null;
}

/** A histogram bucket: durations from `fromMs` (inclusive) to `toMs` (exclusive; `null`: no upper bound). */
export interface DurationBucket {
  label: string;
  fromMs: number;
  toMs: number | null;
  count: number;
}

/**
 * How long reviewers took, over the actions that required approval and were decided in the period with their
 * submission in it too. Outright decisions are left out: they take no time and would hide reviewer latency.
 * Percentiles interpolate linearly between ranks (as spreadsheets' PERCENTILE.INC does), rounded to the millisecond.
 */
export interface TimeToDecisionDistribution {
  decisions: number;
  medianMs: number | null;
  p90Ms: number | null;
  maxMs: number | null;
  buckets: DurationBucket[];
}

/** Decisions taken on one UTC day, by kind; `allowed` and `denied` are the policy's outright decisions. */
export interface DecisionDay {
  day: string;
  allowed: number;
  approved: number;
  denied: number;
  rejected: number;
  expired: number;
  cancelled: number;
}

export interface EvidenceReport {
  period: ReportPeriod;
  generatedAt: string;
  server: string | null;
  verification: ChainVerificationSummary;
  totals: EvidenceTotals;
  /** Every action with an entry in the period: those submitted before it first, then in order of submission. */
  actions: ActionEvidence[];
  refusedAttempts: RefusedAttempt[];
  policyLoads: PolicyLoad[];
  timeToDecision: TimeToDecisionDistribution;
  /** One bucket per UTC day of the period, days without decisions included. */
  decisionsPerDay: DecisionDay[];
}

const decisionKinds = ['allowed', 'approved', 'denied', 'rejected', 'expired', 'cancelled'] as const;
type DecisionKind = (typeof decisionKinds)[number];

/** The entry types that belong to an action's history (others with an `actionId` do not make a row). */
const actionEntryTypes: ReadonlySet<string> = new Set([
  'action.submitted',
  'action.approval_recorded',
  'action.approved',
  'action.rejected',
  'action.escalated',
  'action.expired',
  'action.cancelled',
  'action.succeeded',
  'action.failed',
  'action.review_refused',
  'grant.redeemed',
]);
const knownEntryTypes: ReadonlySet<string> = new Set([...actionEntryTypes, 'policy.loaded']);

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;
const durationBuckets: ReadonlyArray<readonly [label: string, fromMs: number, toMs: number | null]> = [
  ['< 1m', 0, minuteMs],
  ['1–5m', minuteMs, 5 * minuteMs],
  ['5–15m', 5 * minuteMs, 15 * minuteMs],
  ['15–60m', 15 * minuteMs, hourMs],
  ['1–4h', hourMs, 4 * hourMs],
  ['4–24h', 4 * hourMs, dayMs],
  ['≥ 24h', dayMs, null],
];

/**
 * Builds the evidence report of a period from its audit entries and their verification.
 *
 * @example
 * const report = buildEvidenceReport({
 *   entries,
 *   verification: { ok: true, entries: entries.length, checkpoints: 2 },
 *   period: { since: '2026-11-01T00:00:00.000Z', until: '2026-12-01T00:00:00.000Z' },
 *   generatedAt: new Date().toISOString(),
 *   server: 'https://countersign.example.com',
 * });
 * report.totals.refusedSelfApprovals // 1
 */
export function buildEvidenceReport(input: EvidenceReportInput): EvidenceReport {
  const entries = [...input.entries].sort((a, b) => a.seq - b.seq);
  const actions = actionHistories(entries);
  const totals = countEntries(entries);
  totals.pendingAtEnd = actions.filter((action) => action.status === 'pending').length;
  return {
    period: { since: input.period.since, until: input.period.until },
    generatedAt: input.generatedAt,
    server: input.server ?? null,
    verification: input.verification,
    totals,
    actions,
    refusedAttempts: entries.filter((entry) => entry.type === 'action.review_refused').map(refusedAttempt),
    policyLoads: entries.filter((entry) => entry.type === 'policy.loaded').map(policyLoad),
    timeToDecision: timeToDecision(actions),
    decisionsPerDay: decisionsPerDay(entries, input.period),
  };
}

function countEntries(entries: readonly AuditEntry[]): EvidenceTotals {
  const totals: EvidenceTotals = {
    auditEntries: entries.length,
    otherEntries: 0,
    submitted: 0,
    allowedOutright: 0,
    denied: 0,
    requiredApproval: 0,
    approved: 0,
    rejected: 0,
    expired: 0,
    cancelled: 0,
    pendingAtEnd: 0,
    succeeded: 0,
    failed: 0,
    grantsIssued: 0,
    grantsRedeemed: 0,
    refusedSelfApprovals: 0,
    refusedIneligible: 0,
    otherRefusals: 0,
    policyLoads: 0,
  };
  const counted: Partial<Record<string, keyof EvidenceTotals>> = {
    'action.submitted': 'submitted',
    'action.approved': 'approved',
    'action.rejected': 'rejected',
    'action.expired': 'expired',
    'action.cancelled': 'cancelled',
    'action.succeeded': 'succeeded',
    'action.failed': 'failed',
    'grant.redeemed': 'grantsRedeemed',
    'policy.loaded': 'policyLoads',
  };
  for (const entry of entries) {
    if (!knownEntryTypes.has(entry.type)) totals.otherEntries += 1;
    const key = counted[entry.type];
    if (key) totals[key] += 1;
    if (issuedGrant(entry)) totals.grantsIssued += 1;
    if (entry.type === 'action.submitted') {
      const status = submissionStatus(entry.data);
      if (status === 'approved') totals.allowedOutright += 1;
      if (status === 'denied') totals.denied += 1;
      if (status === 'pending') totals.requiredApproval += 1;
    }
    if (entry.type === 'action.review_refused') {
      const code = text(entry.data.code);
      if (code === 'self_approval') totals.refusedSelfApprovals += 1;
      else if (code === 'not_eligible') totals.refusedIneligible += 1;
      else totals.otherRefusals += 1;
    }
  }
  return totals;
}

/** One row per action with an entry in the period, each replaying that action's entries in order. */
function actionHistories(entries: readonly AuditEntry[]): ActionEvidence[] {
  const tracked = new Map<string, { row: ActionEvidence; firstSeq: number; submittedSeq: number | null }>();
  for (const entry of entries) {
    if (entry.actionId === undefined || !actionEntryTypes.has(entry.type)) continue;
    let action = tracked.get(entry.actionId);
    if (!action) {
      action = { row: emptyRow(entry.actionId), firstSeq: entry.seq, submittedSeq: null };
      tracked.set(entry.actionId, action);
    }
    if (entry.type === 'action.submitted') action.submittedSeq = entry.seq;
    applyEntry(action.row, entry);
  }
  // Submitted before the period sorts first (it was, after all), in order of appearance; then by submission.
  const inPeriod = (action: { submittedSeq: number | null }) => Number(action.submittedSeq !== null);
  return [...tracked.values()]
    .sort((a, b) => inPeriod(a) - inPeriod(b) || (a.submittedSeq ?? a.firstSeq) - (b.submittedSeq ?? b.firstSeq))
    .map(({ row }) => row);
}

function emptyRow(id: string): ActionEvidence {
  return {
    id,
    submittedInPeriod: false,
    action: null,
    resource: null,
    environment: null,
    requester: { agent: null, onBehalfOf: null },
    submittedAt: null,
    effect: null,
    approvalRules: [],
    reason: null,
    policyVersion: null,
    reviews: [],
    refusals: [],
    status: null,
    decidedAt: null,
    timeToDecisionMs: null,
    grant: null,
    outcome: null,
  };
}

/** Replays one of the action's entries onto its row. */
function applyEntry(row: ActionEvidence, entry: AuditEntry): void {
  const { data } = entry;
  // Without the submission, the agent is still known from its own entries (cancel, outcome).
  if (row.requester.agent === null && entry.actor.kind === 'agent') row.requester.agent = entry.actor.id;
  switch (entry.type) {
    case 'action.submitted': {
      const decision = record(data.decision);
      const resource = record(data.resource);
      const effect = effectSchema.safeParse(decision.effect).data ?? null;
      row.submittedInPeriod = true;
      row.action = text(data.action);
      row.resource = { type: text(resource.type) ?? '', id: text(resource.id) ?? '' };
      row.environment = text(data.environment);
      row.requester = { agent: entry.actor.id, onBehalfOf: text(data.onBehalfOf) };
      row.submittedAt = entry.ts;
      row.effect = effect;
      row.approvalRules = effect === 'require_approval' ? texts(decision.rules) : [];
      row.reason = text(decision.reason);
      row.policyVersion = text(decision.policyVersion);
      row.status = submissionStatus(data);
      if (row.status === 'approved' || row.status === 'denied') decide(row, entry.ts);
      break;
    }
    case 'action.approval_recorded':
      row.reviews.push(review(entry, 'approve'));
      row.status = 'pending';
      break;
    case 'action.escalated':
      row.status = 'pending';
      break;
    case 'action.approved':
    case 'action.rejected':
      row.reviews.push(review(entry, entry.type === 'action.approved' ? 'approve' : 'reject'));
      row.status = entry.type === 'action.approved' ? 'approved' : 'rejected';
      decide(row, entry.ts);
      break;
    case 'action.expired':
    case 'action.cancelled':
      row.status = entry.type === 'action.expired' ? 'expired' : 'cancelled';
      decide(row, entry.ts);
      break;
    case 'action.succeeded':
    case 'action.failed': {
      const status = entry.type === 'action.succeeded' ? 'succeeded' : 'failed';
      row.status = status;
      row.outcome = { status, at: entry.ts, detail: text(data.detail) };
      break;
    }
    case 'action.review_refused':
      row.refusals.push(refusedAttempt(entry));
      break;
    case 'grant.redeemed': {
      const jti = text(data.jti) ?? '';
      row.grant ??= { jti, issuedAt: null, expiresAt: null, redeemedAt: null };
      row.grant.redeemedAt = entry.ts;
      break;
    }
  }
  const grant = issuedGrant(entry);
  if (grant) row.grant = { ...grant, issuedAt: entry.ts, redeemedAt: null };
}

function decide(row: ActionEvidence, at: string): void {
  row.decidedAt = at;
  const elapsed = row.submittedAt === null ? Number.NaN : Date.parse(at) - Date.parse(row.submittedAt);
  row.timeToDecisionMs = Number.isFinite(elapsed) ? Math.max(0, elapsed) : null;
}

/** The status a submission left the action in: `approved` (allowed outright), `denied` or `pending`. */
function submissionStatus(data: Record<string, unknown>): 'approved' | 'denied' | 'pending' | null {
  const status = data.status;
  if (status === 'approved' || status === 'denied' || status === 'pending') return status;
  const effect = record(data.decision).effect;
  if (effect === 'allow') return 'approved';
  if (effect === 'deny') return 'denied';
  return effect === 'require_approval' ? 'pending' : null;
}

/** The grant an entry issued: a submission allowed outright, or the approval that met every quorum. */
function issuedGrant(entry: AuditEntry): { jti: string; expiresAt: string | null } | undefined {
  if (entry.type !== 'action.submitted' && entry.type !== 'action.approved') return undefined;
  const grant = record(entry.data.grant);
  const jti = text(grant.jti);
  return jti === null ? undefined : { jti, expiresAt: text(grant.expiresAt) };
}

function review(entry: AuditEntry, verdict: Verdict): ReviewEvidence {
  return {
    reviewer: text(entry.data.reviewer) ?? entry.actor.id,
    verdict,
    at: entry.ts,
    comment: text(entry.data.comment),
  };
}

function refusedAttempt(entry: AuditEntry): RefusedAttempt {
  return {
    seq: entry.seq,
    at: entry.ts,
    actionId: entry.actionId ?? null,
    reviewer: text(entry.data.reviewer) ?? entry.actor.id,
    verdict: verdictSchema.safeParse(entry.data.verdict).data ?? null,
    code: text(entry.data.code) ?? 'unknown',
    message: text(entry.data.message),
  };
}

function policyLoad(entry: AuditEntry): PolicyLoad {
  return {
    seq: entry.seq,
    at: entry.ts,
    actor: entry.actor.id,
    version: text(entry.data.version),
    previous: text(entry.data.previous),
    file: text(entry.data.file),
  };
}

function timeToDecision(actions: readonly ActionEvidence[]): TimeToDecisionDistribution {
  const durations = actions
    .filter((action) => action.effect === 'require_approval' && action.timeToDecisionMs !== null)
    .map((action) => action.timeToDecisionMs as number)
    .sort((a, b) => a - b);
  return {
    decisions: durations.length,
    medianMs: percentile(durations, 0.5),
    p90Ms: percentile(durations, 0.9),
    maxMs: durations.at(-1) ?? null,
    buckets: durationBuckets.map(([label, fromMs, toMs]) => ({
      label,
      fromMs,
      toMs,
      count: durations.filter((ms) => ms >= fromMs && (toMs === null || ms < toMs)).length,
    })),
  };
}

/** Linear interpolation between closest ranks, over `sorted` ascending values. */
function percentile(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  const rank = (sorted.length - 1) * fraction;
  const below = sorted[Math.floor(rank)] as number;
  const above = sorted[Math.ceil(rank)] as number;
  return Math.round(below + (above - below) * (rank - Math.floor(rank)));
}

function decisionsPerDay(entries: readonly AuditEntry[], period: ReportPeriod): DecisionDay[] {
  const days = new Map<string, DecisionDay>();
  const emptyDay = (day: string): DecisionDay => ({
    day,
    allowed: 0,
    approved: 0,
    denied: 0,
    rejected: 0,
    expired: 0,
    cancelled: 0,
  });
  for (const day of periodDays(period)) days.set(day, emptyDay(day));
  for (const entry of entries) {
    const kind = decisionOf(entry);
    const day = dayOf(entry.ts);
    if (kind === null || day === null) continue;
    const bucket = days.get(day) ?? emptyDay(day);
    bucket[kind] += 1;
    days.set(day, bucket);
  }
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
}

function decisionOf(entry: AuditEntry): DecisionKind | null {
  switch (entry.type) {
    case 'action.submitted': {
      const status = submissionStatus(entry.data);
      return status === 'approved' ? 'allowed' : status === 'denied' ? 'denied' : null;
    }
    case 'action.approved':
      return 'approved';
    case 'action.rejected':
      return 'rejected';
    case 'action.expired':
      return 'expired';
    case 'action.cancelled':
      return 'cancelled';
    default:
      return null;
  }
}

/** The UTC days from `since` up to the last millisecond before `until`; none when the period does not parse. */
function periodDays(period: ReportPeriod): string[] {
  const since = Date.parse(period.since);
  const until = Date.parse(period.until);
  if (!Number.isFinite(since) || !Number.isFinite(until) || until <= since) return [];
  const days: string[] = [];
  for (let day = since - (since % dayMs); day < until; day += dayMs)
    days.push(new Date(day).toISOString().slice(0, 10));
  return days;
}

function dayOf(ts: string): string | null {
  const ms = Date.parse(ts);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : null;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function texts(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

// ---------------------------------------------------------------------------------------------------------------
// JSON

/** The report as pretty-printed JSON, with a trailing newline. */
export function renderReportJson(report: EvidenceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// CSV

type CsvCell = string | number | null;

const csvColumns: ReadonlyArray<readonly [header: string, cell: (action: ActionEvidence) => CsvCell]> = [
  ['action_id', (a) => a.id],
  ['submitted_in_period', (a) => (a.submittedInPeriod ? 'yes' : 'no')],
  ['action', (a) => a.action],
  ['resource_type', (a) => a.resource?.type ?? null],
  ['resource_id', (a) => a.resource?.id ?? null],
  ['environment', (a) => a.environment],
  ['agent', (a) => a.requester.agent],
  ['on_behalf_of', (a) => a.requester.onBehalfOf],
  ['submitted_at', (a) => a.submittedAt],
  ['decision', (a) => a.effect],
  ['approval_rules', (a) => a.approvalRules.join('; ')],
  ['reason', (a) => a.reason],
  ['policy_version', (a) => a.policyVersion],
  ['reviews', (a) => a.reviews.map(reviewText).join('; ')],
  ['status', (a) => a.status],
  ['decided_at', (a) => a.decidedAt],
  ['time_to_decision_ms', (a) => a.timeToDecisionMs],
  ['grant_jti', (a) => a.grant?.jti ?? null],
  ['grant_issued_at', (a) => a.grant?.issuedAt ?? null],
  ['grant_expires_at', (a) => a.grant?.expiresAt ?? null],
  ['grant_redeemed_at', (a) => a.grant?.redeemedAt ?? null],
  ['refusals', (a) => a.refusals.map((r) => `${r.code} by ${r.reviewer} at ${r.at}`).join('; ')],
  ['outcome', (a) => a.outcome?.status ?? null],
  ['outcome_at', (a) => a.outcome?.at ?? null],
  ['outcome_detail', (a) => a.outcome?.detail ?? null],
];

/**
 * The report's actions as RFC 4180 CSV: a header row, then one row per action, CRLF line endings.
 *
 * Reviews and refused attempts are joined into one cell each, separated by `; `
 * (`approve by grace@example.com at 2026-11-03T10:04:00.000Z: "ok for the quarter"`).
 *
 * Against CSV (formula) injection, a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
 * leading apostrophe, so that a spreadsheet shows it as text instead of evaluating it: an action named
 * `=HYPERLINK(…)` comes out as `'=HYPERLINK(…)`. Strip one leading `'` from such cells to get the value back; the
 * JSON format carries every value unaltered.
 */
export function renderReportCsv(report: EvidenceReport): string {
  const rows = [
    csvColumns.map(([header]) => header),
    ...report.actions.map((action) => csvColumns.map(([, cell]) => cell(action))),
  ];
  return rows.map((cells) => `${cells.map(csvField).join(',')}\r\n`).join('');
}

function reviewText(review: ReviewEvidence): string {
  const comment = review.comment === null ? '' : `: ${JSON.stringify(review.comment)}`;
  return `${review.verdict} by ${review.reviewer} at ${review.at}${comment}`;
}

function csvField(value: CsvCell): string {
  const cell = value === null ? '' : String(value);
  const guarded = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

// ---------------------------------------------------------------------------------------------------------------
// HTML

/** Markup that is already safe; everything else interpolated into `html` is escaped. */
class Html {
  constructor(readonly markup: string) {}
}
type HtmlValue = Html | string | number | null | readonly HtmlValue[];

const htmlEscapes: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => htmlEscapes[char] ?? char);
}

/** A template tag that escapes every interpolated value unless it is `Html` already; `null` renders nothing. */
function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let markup = strings[0] ?? '';
  values.forEach((value, i) => {
    markup += fragment(value) + (strings[i + 1] ?? '');
  });
  return new Html(markup);
}

function fragment(value: HtmlValue): string {
  if (value instanceof Html) return value.markup;
  if (value === null) return '';
  if (typeof value === 'string' || typeof value === 'number') return escapeHtml(String(value));
  return value.map(fragment).join('');
}

const styles = `
:root { color-scheme: light; }
body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1a1a1a; margin: 24px; }
h1 { font-size: 20px; margin: 0 0 8px; }
h2 { font-size: 16px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #ccc; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 16px; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
.banner { padding: 10px 14px; border: 2px solid; border-radius: 4px; font-weight: 600; font-size: 14px; }
.banner.ok { background: #e8f5e9; border-color: #2e7d32; color: #1b5e20; }
.banner.failed { background: #ffebee; border-color: #c62828; color: #b71c1c; }
.banner small { display: block; font-weight: 400; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #d0d0d0; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
table.totals { width: auto; min-width: 420px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; overflow-wrap: anywhere; }
ul.cell { margin: 0; padding-left: 16px; }
.muted { color: #666; }
figure { margin: 0 0 16px; }
svg { display: block; max-width: 100%; height: auto; font: 11px system-ui, sans-serif; }
svg .axis-label { font-size: 12px; font-weight: 600; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; font-size: 10px; }
  .banner, th, svg { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  tr, figure, .banner { break-inside: avoid; }
  thead { display: table-header-group; }
  h2 { break-after: avoid; }
}
`;

/**
 * The report as one self-contained, print-friendly HTML page: no scripts and nothing loaded from elsewhere, charts
 * drawn as inline SVG. Every value from the report is HTML-escaped.
 */
export function renderReportHtml(report: EvidenceReport): string {
  const { period } = report;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Countersign evidence report ${period.since} – ${period.until}</title>
<style>${new Html(styles)}</style>
</head>
<body>
<header>
<h1>Countersign evidence report: privileged actions</h1>
<dl class="meta">
<dt>Period</dt><dd>${period.since} to ${period.until} <span class="muted">(until exclusive, UTC)</span></dd>
<dt>Generated</dt><dd>${report.generatedAt}</dd>
<dt>Server</dt><dd>${report.server ?? 'not recorded'}</dd>
</dl>
${verificationBanner(report.verification)}
</header>
<main>
<section>
<h2>Totals</h2>
${totalsTable(report.totals)}
</section>
<section>
<h2>Decisions per day</h2>
${decisionsChart(report.decisionsPerDay)}
</section>
<section>
<h2>Time to decision</h2>
${timeToDecisionSummary(report.timeToDecision)}
${timeToDecisionChart(report.timeToDecision)}
</section>
<section>
<h2>Privileged actions (${report.actions.length})</h2>
${actionsTable(report.actions)}
</section>
<section>
<h2>Refused review attempts (${report.refusedAttempts.length})</h2>
${refusalsTable(report.refusedAttempts)}
</section>
<section>
<h2>Policy loads (${report.policyLoads.length})</h2>
${policyLoadsTable(report.policyLoads)}
</section>
</main>
</body>
</html>
`;
  return page.markup;
}

function verificationBanner(verification: ChainVerificationSummary): Html {
  if (verification.ok) {
    return html`<p class="banner ok" role="status">✓ chain verified: ${plural(verification.entries, 'entry', 'entries')}, ${plural(verification.checkpoints, 'checkpoint', 'checkpoints')}</p>`;
  }
  const { firstBad } = verification;
  const where =
    firstBad === undefined
      ? ' (no reason was reported)'
      : `${firstBad.seq === null ? '' : ` at seq ${firstBad.seq}`}: ${firstBad.reason}`;
  return html`<div class="banner failed" role="alert">✗ chain verification FAILED${where}
<small>The audit trail for this period did not verify; the figures below may not reflect what happened.</small></div>`;
}

const totalLabels: ReadonlyArray<readonly [keyof EvidenceTotals, string]> = [
  ['submitted', 'Actions submitted'],
  ['allowedOutright', 'Allowed outright by policy'],
  ['denied', 'Denied by policy'],
  ['requiredApproval', 'Sent for approval'],
  ['approved', 'Approved by reviewers'],
  ['rejected', 'Rejected by reviewers'],
  ['expired', 'Expired without a decision'],
  ['cancelled', 'Cancelled by the requester'],
  ['pendingAtEnd', 'Still pending at the end of the period'],
  ['succeeded', 'Executions reported succeeded'],
  ['failed', 'Executions reported failed'],
  ['grantsIssued', 'Grants issued'],
  ['grantsRedeemed', 'Grants redeemed'],
  ['refusedSelfApprovals', 'Refused self-approvals'],
  ['refusedIneligible', 'Refused reviews by ineligible reviewers'],
  ['otherRefusals', 'Other refused review attempts'],
  ['policyLoads', 'Policy loads'],
  ['auditEntries', 'Audit entries in the period'],
  ['otherEntries', 'Audit entries of other types'],
];

function totalsTable(totals: EvidenceTotals): Html {
  return html`<table class="totals">
<thead><tr><th scope="col">Measure</th><th scope="col">Count</th></tr></thead>
<tbody>
${totalLabels.map(([key, label]) => html`<tr><th scope="row">${label}</th><td class="num">${totals[key]}</td></tr>\n`)}</tbody>
</table>`;
}

function timeToDecisionSummary(distribution: TimeToDecisionDistribution): Html {
  return html`<dl class="meta">
<dt>Reviewed decisions</dt><dd>${distribution.decisions}</dd>
<dt>Median</dt><dd>${duration(distribution.medianMs)}</dd>
<dt>90th percentile</dt><dd>${duration(distribution.p90Ms)}</dd>
<dt>Longest</dt><dd>${duration(distribution.maxMs)}</dd>
</dl>`;
}

function actionsTable(actions: readonly ActionEvidence[]): Html {
  if (actions.length === 0) return html`<p class="muted">No privileged actions in this period.</p>`;
  return html`<table>
<thead><tr><th scope="col">Action</th><th scope="col">Requested</th><th scope="col">Policy decision</th><th scope="col">Reviews</th><th scope="col">Refused attempts</th><th scope="col">Status</th><th scope="col">Time to decision</th><th scope="col">Grant</th><th scope="col">Outcome</th></tr></thead>
<tbody>
${actions.map(actionRow)}</tbody>
</table>`;
}

function actionRow(action: ActionEvidence): Html {
  const what = action.submittedInPeriod
    ? html`${action.action} on <code>${action.resource?.type ?? ''}:${action.resource?.id ?? ''}</code> in ${action.environment}`
    : html`<span class="muted">submitted before the period</span>`;
  const requester = html`${action.requester.agent ?? 'unknown agent'}${action.requester.onBehalfOf === null ? null : html` on behalf of ${action.requester.onBehalfOf}`}`;
  const decision =
    action.effect === null
      ? html`<span class="muted">not in period</span>`
      : html`<strong>${action.effect}</strong>${action.approvalRules.length > 0 ? html`<br>rules: ${action.approvalRules.join(', ')}` : null}${action.reason === null ? null : html`<br>${action.reason}`}`;
  return html`<tr>
<td><code>${action.id}</code><br>${what}</td>
<td>${requester}<br><span class="muted">${action.submittedAt ?? ''}</span></td>
<td>${decision}</td>
<td>${listCell(action.reviews.map((review) => html`<strong>${review.verdict}</strong> by ${review.reviewer}<br><span class="muted">${review.at}</span>${review.comment === null ? null : html`<br>“${review.comment}”`}`))}</td>
<td>${listCell(action.refusals.map((refusal) => html`<strong>${refusal.code}</strong> by ${refusal.reviewer}<br><span class="muted">${refusal.at}</span>`))}</td>
<td>${action.status ?? 'not recorded'}${action.decidedAt === null ? null : html`<br><span class="muted">decided ${action.decidedAt}</span>`}</td>
<td class="num">${duration(action.timeToDecisionMs)}</td>
<td>${grantCell(action.grant)}</td>
<td>${action.outcome === null ? '—' : html`${action.outcome.status}<br><span class="muted">${action.outcome.at}</span>${action.outcome.detail === null ? null : html`<br>${action.outcome.detail}`}`}</td>
</tr>
`;
}

function grantCell(grant: GrantEvidence | null): Html {
  if (grant === null) return html`—`;
  return html`<code>${grant.jti}</code>
<br>issued ${grant.issuedAt ?? 'before the period'}${grant.expiresAt === null ? null : html`<br>expires ${grant.expiresAt}`}
<br>${grant.redeemedAt === null ? 'not redeemed' : `redeemed ${grant.redeemedAt}`}`;
}

function listCell(items: readonly Html[]): Html {
  if (items.length === 0) return html`—`;
  return html`<ul class="cell">${items.map((item) => html`<li>${item}</li>`)}</ul>`;
}

function refusalsTable(refusals: readonly RefusedAttempt[]): Html {
  if (refusals.length === 0) return html`<p class="muted">No refused review attempts in this period.</p>`;
  return html`<table>
<thead><tr><th scope="col">Time</th><th scope="col">Action</th><th scope="col">Reviewer</th><th scope="col">Verdict tried</th><th scope="col">Refused because</th><th scope="col">Message</th></tr></thead>
<tbody>
${refusals.map((refusal) => html`<tr><td>${refusal.at}</td><td><code>${refusal.actionId ?? '—'}</code></td><td>${refusal.reviewer}</td><td>${refusal.verdict ?? '—'}</td><td><strong>${refusal.code}</strong></td><td>${refusal.message ?? ''}</td></tr>\n`)}</tbody>
</table>`;
}

function policyLoadsTable(loads: readonly PolicyLoad[]): Html {
  if (loads.length === 0) return html`<p class="muted">No policy loads in this period.</p>`;
  return html`<table>
<thead><tr><th scope="col">Time</th><th scope="col">By</th><th scope="col">Version</th><th scope="col">Previous version</th><th scope="col">File</th></tr></thead>
<tbody>
${loads.map((load) => html`<tr><td>${load.at}</td><td>${load.actor}</td><td><code>${load.version ?? '—'}</code></td><td><code>${load.previous ?? '—'}</code></td><td>${load.file ?? '—'}</td></tr>\n`)}</tbody>
</table>`;
}

function duration(ms: number | null): string {
  if (ms === null) return '—';
  return formatDuration(Math.round(ms / 1000) * 1000);
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

// Charts -----------------------------------------------------------------------------------------------------------

const decisionColors: Readonly<Record<DecisionKind, string>> = {
  allowed: '#9ccc65',
  approved: '#2e7d32',
  denied: '#6a1b9a',
  rejected: '#c62828',
  expired: '#ef6c00',
  cancelled: '#757575',
};

function decisionsChart(days: readonly DecisionDay[]): Html {
  const total = days.reduce((sum, day) => sum + decisionKinds.reduce((daySum, kind) => daySum + day[kind], 0), 0);
  const first = days[0]?.day;
  const last = days.at(-1)?.day;
  return barChart({
    id: 'decisions-per-day',
    title: 'Decisions per day',
    description:
      first === undefined
        ? 'No days in the period.'
        : `${plural(total, 'decision', 'decisions')} from ${first} to ${last}, stacked by kind: ${decisionKinds.join(', ')}.`,
    xLabel: 'Day (UTC)',
    yLabel: 'Decisions',
    series: decisionKinds.map((kind) => ({ name: kind, color: decisionColors[kind] })),
    bars: days.map((day) => ({
      label: day.day,
      tick: day.day.slice(5),
      values: decisionKinds.map((kind) => day[kind]),
    })),
    showTotals: false,
    emptyText: 'No decisions in this period',
  });
}

function timeToDecisionChart(distribution: TimeToDecisionDistribution): Html {
  return barChart({
    id: 'time-to-decision',
    title: 'Time to decision',
    description: `${plural(distribution.decisions, 'reviewed decision', 'reviewed decisions')} by time from submission to decision: ${distribution.buckets.map((bucket) => `${bucket.label}: ${bucket.count}`).join(', ')}.`,
    xLabel: 'Time from submission to decision',
    yLabel: 'Actions',
    series: [{ name: 'actions', color: '#1565c0' }],
    bars: distribution.buckets.map((bucket) => ({ label: bucket.label, tick: bucket.label, values: [bucket.count] })),
    showTotals: true,
    emptyText: 'No reviewed decisions in this period',
  });
}

interface BarChart {
  id: string;
  title: string;
  description: string;
  xLabel: string;
  yLabel: string;
  /** Stacked bottom to top, in this order. */
  series: ReadonlyArray<{ name: string; color: string }>;
  /** `values` line up with `series`. */
  bars: ReadonlyArray<{ label: string; tick: string; values: readonly number[] }>;
  showTotals: boolean;
  emptyText: string;
}

const frame = { width: 760, height: 280, left: 56, right: 16, top: 36, bottom: 64 } as const;

/** A stacked bar chart as inline SVG, with a title, description, axes, axis labels and (for several series) a legend. */
function barChart(chart: BarChart): Html {
  const plot = {
    left: frame.left,
    right: frame.width - frame.right,
    top: frame.top,
    bottom: frame.height - frame.bottom,
  };
  const plotWidth = plot.right - plot.left;
  const plotHeight = plot.bottom - plot.top;
  const totals = chart.bars.map((bar) => bar.values.reduce((sum, value) => sum + value, 0));
  const axis = countAxis(totals.reduce((max, value) => Math.max(max, value), 0));
  const y = (value: number) => plot.bottom - (value / axis.max) * plotHeight;
  const band = plotWidth / Math.max(1, chart.bars.length);
  const barWidth = band * 0.7;
  const tickEvery = Math.max(1, Math.ceil(chart.bars.length / 12));

  const gridLines = axis.ticks.map(
    (
      tick,
    ) => html`<line x1="${coord(plot.left)}" x2="${coord(plot.right)}" y1="${coord(y(tick))}" y2="${coord(y(tick))}" stroke="#e0e0e0"/>
<text x="${coord(plot.left - 6)}" y="${coord(y(tick) + 4)}" text-anchor="end">${tick}</text>
`,
  );
  const bars = chart.bars.map((bar, i) => {
    const x = plot.left + i * band + (band - barWidth) / 2;
    let base = 0;
    const segments = bar.values.map((value, s) => {
      const series = chart.series[s];
      if (value <= 0 || series === undefined) return null;
      const top = base + value;
      const segment = html`<rect x="${coord(x)}" y="${coord(y(top))}" width="${coord(barWidth)}" height="${coord(y(base) - y(top))}" fill="${series.color}"><title>${bar.label} — ${series.name}: ${value}</title></rect>`;
      base = top;
      return segment;
    });
    const total = totals[i] ?? 0;
    const totalLabel =
      chart.showTotals && total > 0
        ? html`<text x="${coord(x + barWidth / 2)}" y="${coord(y(total) - 4)}" text-anchor="middle">${total}</text>`
        : null;
    const tick =
      i % tickEvery === 0
        ? html`<text x="${coord(x + barWidth / 2)}" y="${coord(plot.bottom + 16)}" text-anchor="middle">${bar.tick}</text>`
        : null;
    return html`<g>${segments}${totalLabel}${tick}</g>\n`;
  });
  const legend =
    chart.series.length > 1
      ? chart.series.map(
          (series, i) =>
            html`<rect x="${coord(plot.left + i * 110)}" y="8" width="12" height="12" fill="${series.color}"/><text x="${coord(plot.left + i * 110 + 16)}" y="18">${series.name}</text>`,
        )
      : null;
  const empty = totals.every((total) => total === 0)
    ? html`<text x="${coord(plot.left + plotWidth / 2)}" y="${coord(plot.top + plotHeight / 2)}" text-anchor="middle" fill="#666">${chart.emptyText}</text>`
    : null;
  const middleY = coord(plot.top + plotHeight / 2);
  return html`<figure>
<svg role="img" viewBox="0 0 ${frame.width} ${frame.height}" width="${frame.width}" height="${frame.height}" aria-labelledby="${chart.id}-title ${chart.id}-desc">
<title id="${chart.id}-title">${chart.title}</title>
<desc id="${chart.id}-desc">${chart.description}</desc>
${legend}
${gridLines}${bars}<line x1="${coord(plot.left)}" x2="${coord(plot.right)}" y1="${coord(plot.bottom)}" y2="${coord(plot.bottom)}" stroke="#333"/>
<line x1="${coord(plot.left)}" x2="${coord(plot.left)}" y1="${coord(plot.top)}" y2="${coord(plot.bottom)}" stroke="#333"/>
${empty}
<text class="axis-label" x="${coord(plot.left + plotWidth / 2)}" y="${coord(frame.height - 12)}" text-anchor="middle">${chart.xLabel}</text>
<text class="axis-label" transform="translate(16 ${middleY}) rotate(-90)" text-anchor="middle">${chart.yLabel}</text>
</svg>
</figure>`;
}

/** A count axis from 0 with whole-number ticks, at most five steps, never zero-high. */
function countAxis(maxValue: number): { max: number; ticks: number[] } {
  const step = Math.max(1, Math.ceil(maxValue / 4));
  const max = step * Math.max(1, Math.ceil(maxValue / step));
  const ticks: number[] = [];
  for (let tick = 0; tick <= max; tick += step) ticks.push(tick);
  return { max, ticks };
}

/** An SVG coordinate: one decimal, and 0 rather than NaN or Infinity should a value ever be unusable. */
function coord(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0';
}
