import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The Prometheus metrics a server exposes at `/metrics`. */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  submissions: Counter<'effect' | 'replay'>;
  transitions: Counter<'kind'>;
  auditChained: Counter;
  auditVerifications: Counter<'result'>;
  witnessDelivered: Counter<'sink'>;
  outboxAttempts: Counter<'channel' | 'result'>;
  errors: Counter<'where'>;
}

export function createMetrics(gauges: {
  waiters: () => number;
  unchained: () => Promise<number>;
  outbox: () => Promise<Record<'pending' | 'dead', number>>;
}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics: Metrics = {
    registry,
    httpRequests: new Counter({
      name: 'countersign_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'countersign_http_request_duration_seconds',
      help: 'HTTP request duration (long polls and event streams excluded)',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    submissions: new Counter({
      name: 'countersign_actions_submitted_total',
      help: 'Submitted actions by policy effect; replay="true" for idempotent resubmissions',
      labelNames: ['effect', 'replay'],
      registers: [registry],
    }),
    transitions: new Counter({
      name: 'countersign_action_transitions_total',
      help: 'Lifecycle transitions by kind (approval_recorded, approved, rejected, escalated, expired, cancelled, outcome)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    auditChained: new Counter({
      name: 'countersign_audit_entries_chained_total',
      help: 'Audit entries linked into the hash chain by this process',
      registers: [registry],
    }),
    auditVerifications: new Counter({
      name: 'countersign_audit_verifications_total',
      help: 'Runs of /v1/audit/verify by result (ok, failed)',
      labelNames: ['result'],
      registers: [registry],
    }),
    witnessDelivered: new Counter({
      name: 'countersign_witness_checkpoints_total',
      help: 'Checkpoints handed to each witness sink',
      labelNames: ['sink'],
      registers: [registry],
    }),
    outboxAttempts: new Counter({
      name: 'countersign_outbox_attempts_total',
      help: 'Notification delivery attempts by channel and result (delivered, skipped, retry, dead)',
      labelNames: ['channel', 'result'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'countersign_background_errors_total',
      help: 'Errors in background work (sequencer, sweeper, witness)',
      labelNames: ['where'],
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'countersign_waiters',
    help: 'Long polls and event streams waiting on an action in this process',
    registers: [registry],
    collect() {
      this.set(gauges.waiters());
    },
  });
  new Gauge({
    name: 'countersign_audit_unchained',
    help: 'Committed audit records not yet linked into the chain',
    registers: [registry],
    async collect() {
      this.set(await gauges.unchained());
    },
  });
  new Gauge({
    name: 'countersign_outbox_notifications',
    help: 'Notifications not delivered, by status: pending (waiting or retrying) and dead (gave up; see GET /v1/outbox?status=dead)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const counts = await gauges.outbox();
      this.set({ status: 'pending' }, counts.pending);
      this.set({ status: 'dead' }, counts.dead);
    },
  });
  return metrics;
}
