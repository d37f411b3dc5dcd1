import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { HttpClient, metricValue, type TimedResponse } from './http.js';
import { wakeSubmission } from './scenario.js';

/** One wake: from just before the releasing request is sent. */
export interface WakeSample {
  /** Until the parked waiter's response has fully arrived. */
  wakeMs: number;
  /** Until the releasing request's own response has fully arrived. */
  releaseMs: number;
}

/** One wake iteration against one server: park a waiter, make sure it is parked, release it, time both. */
export interface WakeTarget {
  once(): Promise<WakeSample>;
  close(): void;
}

/** How long to let a parked waiter settle after the server reports it parked, so it is idle when released. */
export const defaultSettleMs = 10;

/**
 * Countersign: the agent submits a `bench.wake` action (pending), long-polls `GET /v1/actions/:id?wait=30` on its
 * own connection, and once `/metrics` shows the waiter parked (plus `settleMs`), the reviewer approves it
 * (quorum 1) on another connection. The waiter's response must be the approved action with its grant.
 */
export function countersignWake(
  url: string,
  credentials: { agentKey: string; reviewerToken: string },
  settleMs = defaultSettleMs,
): WakeTarget {
  const agent = new HttpClient(url, { token: credentials.agentKey });
  const waiter = new HttpClient(url, { token: credentials.agentKey });
  const reviewer = new HttpClient(url, { token: credentials.reviewerToken });
  const ops = new HttpClient(url);
  const body = Buffer.from(JSON.stringify(wakeSubmission));
  const approve = Buffer.from(JSON.stringify({ verdict: 'approve' }));
  return {
    async once() {
      const submitted = await agent.request({ method: 'POST', path: '/v1/actions', body });
      const action = submitted.body as { id: string; status: string };
      if (submitted.status !== 201 || action.status !== 'pending') {
        throw new Error(`the wake submission was not left pending: ${submitted.status} ${JSON.stringify(action)}`);
      }
      const parked = waiter.request({ method: 'GET', path: `/v1/actions/${action.id}?wait=30` });
      await until(async () => {
        const metrics = await ops.request({ method: 'GET', path: '/metrics' });
        return (metricValue(metrics.body as string, 'countersign_waiters') ?? 0) >= 1;
      }, parked);
      await sleep(settleMs);
      const sentAt = performance.now();
      const [woken, review] = await Promise.all([
        parked,
        reviewer.request({ method: 'POST', path: `/v1/actions/${action.id}/reviews`, body: approve }),
      ]);
      const approved = woken.body as { status?: string; grant?: unknown };
      if (review.status !== 200) throw new Error(`the review failed: ${review.status} ${JSON.stringify(review.body)}`);
      if (woken.status !== 200 || approved.status !== 'approved' || approved.grant === undefined) {
        throw new Error(`the waiter did not get the approved action with its grant: ${JSON.stringify(woken.body)}`);
      }
      return sample(sentAt, woken, review);
    },
    close() {
      for (const client of [agent, waiter, reviewer, ops]) client.close();
    },
  };
}

/** The bare baseline: `GET /park/:id` parked until `POST /release/:id` emits on an in-process EventEmitter. */
export function bareWake(url: string, settleMs = defaultSettleMs): WakeTarget {
  const waiter = new HttpClient(url);
  const releaser = new HttpClient(url);
  const ops = new HttpClient(url);
  let next = 0;
  return {
    async once() {
      next += 1;
      const id = `w${next}`;
      const parked = waiter.request({ method: 'GET', path: `/park/${id}` });
      await until(async () => {
        const response = await ops.request({ method: 'GET', path: '/parked' });
        return (response.body as { parked: number }).parked >= 1;
      }, parked);
      await sleep(settleMs);
      const sentAt = performance.now();
      const [woken, release] = await Promise.all([
        parked,
        releaser.request({ method: 'POST', path: `/release/${id}` }),
      ]);
      if (woken.status !== 200 || release.status !== 200) {
        throw new Error(`the bare park/release failed: ${woken.status} / ${release.status}`);
      }
      return sample(sentAt, woken, release);
    },
    close() {
      for (const client of [waiter, releaser, ops]) client.close();
    },
  };
}

function sample(sentAt: number, woken: TimedResponse, release: TimedResponse): WakeSample {
  return { wakeMs: woken.endAt - sentAt, releaseMs: release.endAt - sentAt };
}

/** Polls `condition` every 2 ms; fails if `settled` (the parked request) answers first or 10 s pass. */
async function until(condition: () => Promise<boolean>, settled: Promise<TimedResponse>): Promise<void> {
  let answered: TimedResponse | undefined;
  void settled.then(
    (response) => {
      answered = response;
    },
    () => {},
  );
  const giveUp = performance.now() + 10_000;
  while (!(await condition())) {
    if (answered) throw new Error(`the waiter answered before it was released: ${JSON.stringify(answered.body)}`);
    if (performance.now() > giveUp) throw new Error('the waiter never showed up as parked');
    await sleep(2);
  }
}

/** One NOTIFY round trip: from just before sending NOTIFY to the notification's arrival on the LISTEN connection. */
export interface NotifySample {
  /** Until the notification arrived at the listener. */
  wakeMs: number;
  /** Until the NOTIFY statement's own reply arrived. */
  releaseMs: number;
}

/**
 * The database floor under a cross-replica wake: a pg client LISTENs on one connection, another sends NOTIFY
 * (autocommit, so it is delivered at once), and the time to the notification is measured.
 */
export async function notifyRoundTrips(databaseUrl: string, count: number, warmup: number): Promise<NotifySample[]> {
  const listener = new pg.Client({ connectionString: databaseUrl });
  const notifier = new pg.Client({ connectionString: databaseUrl });
  await listener.connect();
  await notifier.connect();
  try {
    await listener.query('LISTEN countersign_bench');
    const samples: NotifySample[] = [];
    for (let i = 0; i < warmup + count; i++) {
      const payload = `n${i}`;
      const arrived = new Promise<number>((resolve) => {
        const onNotification = (message: pg.Notification) => {
          if (message.payload !== payload) return;
          listener.off('notification', onNotification);
          resolve(performance.now());
        };
        listener.on('notification', onNotification);
      });
      const sentAt = performance.now();
      await notifier.query(`NOTIFY countersign_bench, '${payload}'`);
      const repliedAt = performance.now();
      const arrivedAt = await arrived;
      if (i >= warmup) samples.push({ wakeMs: arrivedAt - sentAt, releaseMs: repliedAt - sentAt });
      await sleep(1);
    }
    return samples;
  } finally {
    await listener.end().catch(() => {});
    await notifier.end().catch(() => {});
  }
}
