/**
 * What the API benchmark asks of the server. The policy is the integration tests' `testPolicy` with one rule
 * appended for the wake measurement; the allowed-path submissions hit `testPolicy`'s `reads` rule (allow).
 */

/** Appended to `testPolicy`'s `rules:` list: one approval from `security` approves a `bench.wake` action. */
export const wakeRule = `  - id: bench-wake
    match: { action: bench.wake }
    decision: require_approval
    approval: { approvers: [security], quorum: 1, timeout: 1h, grantTtl: 5m }
`;

export const benchAgent = { id: 'bench-agent', owner: 'bench-owner@example.com' } as const;

/** A member of `security` in `testPolicy`, so eligible for `bench-wake`. */
export const benchReviewer = 'carol@example.com';

/** The allowed-path submission: `data.read` is allowed by `testPolicy`'s `reads` rule. */
export const allowedSubmission = {
  action: 'data.read',
  resource: { type: 'dataset', id: 'customers', labels: ['crm'] },
  environment: 'staging',
  params: { rows: 250, columns: ['id', 'region', 'created_at'] },
  justification: 'nightly revenue report',
  context: { pipeline: 'revenue-report', run: '2026-11-22T02:00:00Z' },
} as const;

/** The submission each wake iteration approves. */
export const wakeSubmission = {
  action: 'bench.wake',
  resource: { type: 'service', id: 'billing-api' },
  environment: 'production',
  params: { replicas: 3 },
  justification: 'wake latency benchmark',
} as const;
