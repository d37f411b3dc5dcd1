/**
 * `npm run bench -- api [--quick] [--json] [--store pglite|postgres]`: Countersign's HTTP API end to end, on PGlite
 * and on PostgreSQL, each figure beside a baseline measured in the same run.
 *
 * 1. Allowed-path submissions per second: `concurrency` keep-alive connections sending `POST /v1/actions` back to
 *    back with an agent key, for an action `testPolicy` allows (HTTP, authentication, policy, one transaction with
 *    the action, its grant and its audit record, the signed grant in the response; the audit sequencer chains the
 *    records meanwhile). Baseline: bare Fastify parsing the same body and answering 201 with a response of the
 *    same size, under the same load generator. Rounds alternate the two servers.
 * 2. Wake latency: a long poll (`GET /v1/actions/:id?wait=30`) is parked; from just before a quorum-1 approval is
 *    sent until the waiter's response has arrived. The approval's own latency is shown beside it. Baselines: a bare
 *    Fastify request parked until another releases it through an EventEmitter (the HTTP floor) and, on PostgreSQL,
 *    a raw NOTIFY round trip between two connections (the database floor).
 *
 * Each server runs in its own child process (under tsx, on the sources in the tree); the load generator and the
 * wake client run in this process, so on a 2-core machine client and server each get about one core, and a
 * PostgreSQL server shares them too. Beside the rates, each process's CPU time per request is reported (the
 * PostgreSQL backends' from /proc): unlike the rates, it hardly moves when other work shares the machine.
 * Targets (reported, not asserted): wake p99 < 10 ms; ≥ 1,000 allowed submissions/s on PostgreSQL.
 *
 * For digging: `--count-queries` lists the SQL statements per submission, `--profile DIR` writes a CPU profile of
 * the Countersign server over the timed rounds, and `--server DIR` measures another copy of packages/server (an
 * A/B comparison against a change).
 */
import { mkdir } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile } from '../policy/timing.js';
import { ownCpuUs, PostgresCpu } from './cpu.js';
import { HttpClient, metricValue } from './http.js';
import { generateLoad, type LoadResult } from './load.js';
import { type ServerProcess, type StoreKind, startServerProcess, storeKinds } from './processes.js';
import { allowedSubmission } from './scenario.js';
import {
  bareWake,
  countersignWake,
  type NotifySample,
  notifyRoundTrips,
  type WakeSample,
  type WakeTarget,
} from './wake.js';

export interface Sizes {
  /** Requests in flight (one keep-alive connection each). */
  concurrency: number;
  /** Load before the timed rounds, per server. */
  warmupMs: number;
  rounds: number;
  /** Length of each timed round… */
  roundMs?: number;
  /** …or a fixed number of requests per round (tests). */
  roundRequests?: number;
  wakes: number;
  wakeWarmup: number;
  notifies: number;
  /** Idle time between a waiter showing up as parked and its release. */
  settleMs: number;
}

export const runs: Record<'full' | 'quick', Sizes> = {
  full: {
    concurrency: 64,
    warmupMs: 2_000,
    rounds: 4,
    roundMs: 5_000,
    wakes: 300,
    wakeWarmup: 20,
    notifies: 500,
    settleMs: 10,
  },
  quick: {
    concurrency: 64,
    warmupMs: 300,
    rounds: 2,
    roundMs: 1_000,
    wakes: 30,
    wakeWarmup: 3,
    notifies: 60,
    settleMs: 5,
  },
};

export const targets = { wakeP99Ms: 10, postgresSubmissionsPerSecond: 1_000 } as const;

export interface ThroughputFigures {
  requestsPerSecond: number;
  /** Per round, to show how noisy the machine was. */
  roundRequestsPerSecond: number[];
  requests: number;
  /** Client-side latency under load (includes queueing behind the other in-flight requests). */
  p50Ms: number;
  p99Ms: number;
  /**
   * CPU milliseconds per request, by process, over the timed rounds: what each request costs regardless of how
   * busy the machine was (on 2 cores, the sum bounds the throughput at about 2,000 / sum requests per second).
   */
  cpuMsPerRequest: { server: number; loadGenerator: number; postgres?: number };
}

export interface CountersignThroughput extends ThroughputFigures {
  /** Audit records not yet chained when each timed round ended, and how long the sequencer took to catch up. */
  auditBacklog: number[];
  auditDrainMs: number[];
  /** 201s the load generator counted, warm-up included, and the server's own count of stored `allow` submissions. */
  submissionsAnswered: number;
  submissionsRecorded: number;
  /** Audit entries the server chained. */
  auditChained: number;
  /** With `--count-queries`: SQL statements per submission (sequencer included), by statement. */
  queriesPerSubmission?: Record<string, number>;
}

export interface LatencyFigures {
  samples: number;
  wakeP50Ms: number;
  wakeP99Ms: number;
  /** The releasing request's (approval's, NOTIFY's) own latency. */
  releaseP50Ms: number;
  releaseP99Ms: number;
}

export interface StoreResult {
  store: StoreKind;
  throughput: {
    countersign: CountersignThroughput;
    bare: ThroughputFigures;
    /** countersign / bare requests per second. */
    ratio: number;
  };
  wake: {
    countersign: LatencyFigures;
    bare: LatencyFigures;
    /** PostgreSQL only. */
    notify?: LatencyFigures;
  };
}

export interface ApiBenchResult {
  bench: 'api';
  quick: boolean;
  node: string;
  cpus: number;
  /** The packages/server directory measured. */
  server: string;
  /** 1-minute load average before and after: other work on the machine skews every figure but the CPU costs. */
  loadAverage: { before: number; after: number };
  sizes: Sizes;
  stores: StoreResult[];
  targets: {
    wakeP99Under10Ms: Partial<Record<StoreKind, boolean>>;
    postgresAtLeast1000PerSecond?: boolean;
  };
}

export interface RunOptions {
  /** Progress lines. */
  log?: (line: string) => void;
  /** Count SQL statements per submission (PostgreSQL). */
  countQueries?: boolean;
  /** Write a CPU profile of the Countersign server over the timed rounds to this directory. */
  profileDir?: string;
  /** Benchmark this copy of packages/server instead of the one in the tree. */
  serverRoot?: string;
}

const usage =
  'usage: npm run bench -- api [--quick] [--json] [--store pglite|postgres] [--count-queries] [--profile DIR] [--server DIR]';

export async function main(args: string[]): Promise<void> {
  const flags = { json: false, quick: false, countQueries: false };
  let stores: readonly StoreKind[] = storeKinds;
  let profileDir: string | undefined;
  let serverRoot: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') flags.json = true;
    else if (arg === '--quick') flags.quick = true;
    else if (arg === '--count-queries') flags.countQueries = true;
    else if (arg === '--store' && (args[i + 1] === 'pglite' || args[i + 1] === 'postgres')) {
      stores = [args[++i] as StoreKind];
    } else if (arg === '--profile' && args[i + 1] !== undefined) profileDir = args[++i];
    else if (arg === '--server' && args[i + 1] !== undefined) serverRoot = resolve(args[++i] as string);
    else {
      console.error(`unknown or incomplete argument ${arg}\n${usage}`);
      process.exitCode = 2;
      return;
    }
  }
  const sizes = flags.quick ? runs.quick : runs.full;
  const log = (line: string) => console.error(line);
  if (!flags.json) {
    console.log(
      `api: ${sizes.concurrency} requests in flight over keep-alive connections; each server in its own process, ` +
        `load generator in this one; ${cpus().length} CPUs, Node ${process.version}${flags.quick ? ' (--quick)' : ''}` +
        `${serverRoot ? `; server from ${serverRoot}` : ''}`,
    );
  }
  const loadBefore = loadavg()[0] as number;
  const results: StoreResult[] = [];
  for (const store of stores) {
    results.push(
      await runStore(store, sizes, {
        log,
        countQueries: flags.countQueries,
        ...(profileDir !== undefined && { profileDir }),
        ...(serverRoot !== undefined && { serverRoot }),
      }),
    );
  }
  const postgres = results.find((r) => r.store === 'postgres');
  const result: ApiBenchResult = {
    bench: 'api',
    quick: flags.quick,
    node: process.version,
    cpus: cpus().length,
    server: serverRoot ?? 'packages/server',
    loadAverage: { before: loadBefore, after: loadavg()[0] as number },
    sizes,
    stores: results,
    targets: {
      wakeP99Under10Ms: Object.fromEntries(
        results.map((r) => [r.store, r.wake.countersign.wakeP99Ms < targets.wakeP99Ms]),
      ) as Partial<Record<StoreKind, boolean>>,
      ...(postgres && {
        postgresAtLeast1000PerSecond:
          postgres.throughput.countersign.requestsPerSecond >= targets.postgresSubmissionsPerSecond,
      }),
    },
  };
  if (flags.json) console.log(JSON.stringify(result, null, 2));
  else printResult(result);
}

/** Runs every measurement against one store: starts both servers, measures, stops them. */
export async function runStore(store: StoreKind, sizes: Sizes, options: RunOptions = {}): Promise<StoreResult> {
  const log = options.log ?? (() => {});
  log(`${store}: starting Countersign and the bare baseline…`);
  const servers: ServerProcess[] = [];
  try {
    const countersign = await startServerProcess({
      kind: 'countersign',
      store,
      ...(options.countQueries && { countQueries: true }),
      ...(options.serverRoot && { serverRoot: options.serverRoot }),
    });
    servers.push(countersign);
    const { url, agentKey, reviewerToken, databaseUrl } = countersign.ready;
    if (!agentKey || !reviewerToken) throw new Error('the Countersign server process sent no credentials');

    // One submission first: it must be allowed, and its response is what the bare server answers with.
    const probe = new HttpClient(url, { token: agentKey });
    const sample = await probe.json<{ status: string; grant?: unknown }>('POST', '/v1/actions', allowedSubmission, 201);
    probe.close();
    if (sample.status !== 'approved' || sample.grant === undefined) {
      throw new Error(`the allowed-path submission was not approved with a grant: ${JSON.stringify(sample)}`);
    }
    const { endAt: _endAt, ...template } = sample;
    const bare = await startServerProcess({ kind: 'bare', template });
    servers.push(bare);

    log(`${store}: allowed-path submissions, ${sizes.rounds} rounds…`);
    const throughput = await measureThroughput({ store, countersign, bare, agentKey, sizes, log, options });

    log(`${store}: wake latency, ${sizes.wakes} approvals…`);
    const wake = await measureWakes(
      countersignWake(url, { agentKey, reviewerToken }, sizes.settleMs),
      bareWake(bare.ready.url, sizes.settleMs),
      sizes,
    );
    let notify: LatencyFigures | undefined;
    if (store === 'postgres') {
      if (!databaseUrl) throw new Error('the PostgreSQL server process sent no database URL');
      log(`${store}: raw NOTIFY round trips…`);
      notify = latencyFigures(await notifyRoundTrips(databaseUrl, sizes.notifies, Math.min(20, sizes.notifies)));
    }
    return {
      store,
      throughput,
      wake: { countersign: wake.countersign, bare: wake.bare, ...(notify && { notify }) },
    };
  } finally {
    await Promise.all(servers.map((server) => server.stop().catch(() => {})));
  }
}

type ServerName = 'countersign' | 'bare';

interface Round {
  load: LoadResult;
  cpuUs: { server: number; loadGenerator: number; postgres?: number };
}

async function measureThroughput({
  store,
  countersign,
  bare,
  agentKey,
  sizes,
  log,
  options,
}: {
  store: StoreKind;
  countersign: ServerProcess;
  bare: ServerProcess;
  agentKey: string;
  sizes: Sizes;
  log: (line: string) => void;
  options: RunOptions;
}): Promise<StoreResult['throughput']> {
  const { url, databaseUrl } = countersign.ready;
  const servers: Record<ServerName, ServerProcess> = { countersign, bare };
  const clients: Record<ServerName, HttpClient> = {
    countersign: new HttpClient(url, { connections: sizes.concurrency, token: agentKey }),
    // The same Authorization header goes to the baseline, so both receive the same bytes.
    bare: new HttpClient(bare.ready.url, { connections: sizes.concurrency, token: agentKey }),
  };
  const ops = new HttpClient(url);
  const postgresCpu = databaseUrl !== undefined ? await PostgresCpu.open(databaseUrl) : undefined;
  const request = {
    method: 'POST',
    path: '/v1/actions',
    body: Buffer.from(JSON.stringify(allowedSubmission)),
  } as const;
  const load = async (name: ServerName, length: { durationMs?: number; requests?: number }): Promise<Round> => {
    const before = {
      server: await servers[name].cpuUs(),
      loadGenerator: ownCpuUs(),
      postgres: name === 'countersign' ? await postgresCpu?.cpuUs() : undefined,
    };
    const result = await generateLoad({
      client: clients[name],
      request,
      concurrency: sizes.concurrency,
      expectStatus: 201,
      ...length,
    });
    const loadGenerator = ownCpuUs() - before.loadGenerator;
    const server = (await servers[name].cpuUs()) - before.server;
    const postgres = before.postgres !== undefined ? (await postgresCpu?.cpuUs())! - before.postgres : undefined;
    if (result.failed > 0) {
      throw new Error(`${result.failed} ${name} requests failed under load; the first: ${result.firstFailure}`);
    }
    return { load: result, cpuUs: { server, loadGenerator, ...(postgres !== undefined && { postgres }) } };
  };
  const metrics = async () => (await ops.request({ method: 'GET', path: '/metrics' })).body as string;
  const backlog = async () => metricValue(await metrics(), 'countersign_audit_unchained') ?? Number.NaN;
  const drain = async (): Promise<number> => {
    const start = performance.now();
    while ((await backlog()) > 0) {
      if (performance.now() - start > 120_000) throw new Error('the audit sequencer did not catch up within 120 s');
      await sleep(20);
    }
    return performance.now() - start;
  };

  try {
    let answered = 1; // the probe
    const warmup = { durationMs: sizes.warmupMs };
    answered += (await load('countersign', warmup)).load.completed;
    await drain();
    await load('bare', warmup);
    if (options.countQueries) await countersign.takeQueries();
    if (options.profileDir) await countersign.startProfile();

    const rounds: Record<ServerName, Round[]> = { countersign: [], bare: [] };
    const auditBacklog: number[] = [];
    const auditDrainMs: number[] = [];
    const length =
      sizes.roundRequests !== undefined ? { requests: sizes.roundRequests } : { durationMs: sizes.roundMs };
    for (let r = 0; r < sizes.rounds; r++) {
      const order: ServerName[] = r % 2 === 0 ? ['countersign', 'bare'] : ['bare', 'countersign'];
      for (const name of order) {
        const round = await load(name, length);
        rounds[name].push(round);
        if (name === 'countersign') {
          answered += round.load.completed;
          auditBacklog.push(await backlog());
          auditDrainMs.push(await drain());
        }
        log(
          `  ${store} round ${r + 1} ${name.padEnd(11)} ${Math.round(round.load.requestsPerSecond).toLocaleString('en-US')} req/s`,
        );
      }
    }
    if (options.profileDir) {
      await mkdir(options.profileDir, { recursive: true });
      const path = join(options.profileDir, `countersign-${store}.cpuprofile`);
      await countersign.stopProfile(path);
      log(`  ${store}: CPU profile of the timed Countersign rounds in ${path}`);
    }
    let queriesPerSubmission: Record<string, number> | undefined;
    if (options.countQueries) {
      const counted = rounds.countersign.reduce((sum, round) => sum + round.load.completed, 0);
      const queries = await countersign.takeQueries();
      queriesPerSubmission = Object.fromEntries(
        Object.entries(queries)
          .map(([text, n]) => [text, n / counted] as const)
          .filter(([, perRequest]) => perRequest >= 0.001)
          .sort((a, b) => b[1] - a[1]),
      );
    }
    const text = await metrics();
    const countersignFigures: CountersignThroughput = {
      ...throughputFigures(rounds.countersign),
      auditBacklog,
      auditDrainMs,
      submissionsAnswered: answered,
      submissionsRecorded:
        metricValue(text, 'countersign_actions_submitted_total{effect="allow",replay="false"}') ?? Number.NaN,
      auditChained: metricValue(text, 'countersign_audit_entries_chained_total') ?? Number.NaN,
      ...(queriesPerSubmission && { queriesPerSubmission }),
    };
    const bareFigures = throughputFigures(rounds.bare);
    return {
      countersign: countersignFigures,
      bare: bareFigures,
      ratio: countersignFigures.requestsPerSecond / bareFigures.requestsPerSecond,
    };
  } finally {
    clients.countersign.close();
    clients.bare.close();
    ops.close();
    await postgresCpu?.close();
  }
}

function throughputFigures(rounds: Round[]): ThroughputFigures {
  const results = rounds.map((round) => round.load);
  const requests = results.reduce((sum, result) => sum + result.completed, 0);
  const elapsedMs = results.reduce((sum, result) => sum + result.elapsedMs, 0);
  const latencies = results.flatMap((result) => result.latenciesMs);
  const cpuMs = (pick: (round: Round) => number | undefined) => {
    const values = rounds.map(pick);
    if (values.some((value) => value === undefined)) return undefined;
    return (values as number[]).reduce((sum, value) => sum + value, 0) / 1_000 / requests;
  };
  const postgres = cpuMs((round) => round.cpuUs.postgres);
  return {
    cpuMsPerRequest: {
      server: cpuMs((round) => round.cpuUs.server) as number,
      loadGenerator: cpuMs((round) => round.cpuUs.loadGenerator) as number,
      ...(postgres !== undefined && { postgres }),
    },
    requestsPerSecond: (requests / elapsedMs) * 1_000,
    roundRequestsPerSecond: results.map((result) => result.requestsPerSecond),
    requests,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

/** Alternates Countersign and bare wakes one by one, so drift in machine speed hits both alike. */
async function measureWakes(
  countersign: WakeTarget,
  bare: WakeTarget,
  sizes: Sizes,
): Promise<{ countersign: LatencyFigures; bare: LatencyFigures }> {
  const samples: Record<'countersign' | 'bare', WakeSample[]> = { countersign: [], bare: [] };
  try {
    for (let i = 0; i < sizes.wakeWarmup + sizes.wakes; i++) {
      const first = i % 2 === 0;
      const a = await (first ? countersign : bare).once();
      const b = await (first ? bare : countersign).once();
      if (i < sizes.wakeWarmup) continue;
      samples.countersign.push(first ? a : b);
      samples.bare.push(first ? b : a);
    }
  } finally {
    countersign.close();
    bare.close();
  }
  return { countersign: latencyFigures(samples.countersign), bare: latencyFigures(samples.bare) };
}

function latencyFigures(samples: readonly (WakeSample | NotifySample)[]): LatencyFigures {
  const wakes = samples.map((s) => s.wakeMs);
  const releases = samples.map((s) => s.releaseMs);
  return {
    samples: samples.length,
    wakeP50Ms: percentile(wakes, 0.5),
    wakeP99Ms: percentile(wakes, 0.99),
    releaseP50Ms: percentile(releases, 0.5),
    releaseP99Ms: percentile(releases, 0.99),
  };
}

function printResult(result: ApiBenchResult): void {
  const rate = (n: number) => Math.round(n).toLocaleString('en-US');
  const ms = (n: number) => n.toFixed(2);
  const cpu = (c: ThroughputFigures['cpuMsPerRequest']) =>
    `${c.server.toFixed(3)}, ${c.postgres === undefined ? '-' : c.postgres.toFixed(3)}, ${c.loadGenerator.toFixed(3)}`;
  console.log(`\nallowed-path submissions (POST /v1/actions, ${result.sizes.concurrency} in flight)`);
  console.log(
    `${'store'.padEnd(10)}${'server'.padEnd(14)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}` +
      `   CPU ms/request (server, postgres, load generator)   req/s per round`,
  );
  for (const { store, throughput } of result.stores) {
    for (const [name, figures] of [
      ['countersign', throughput.countersign],
      ['bare fastify', throughput.bare],
    ] as const) {
      console.log(
        `${(name === 'countersign' ? store : '').padEnd(10)}${name.padEnd(14)}${rate(figures.requestsPerSecond).padStart(9)}` +
          `${ms(figures.p50Ms).padStart(9)}${ms(figures.p99Ms).padStart(9)}   ${cpu(figures.cpuMsPerRequest).padEnd(52)}` +
          `${figures.roundRequestsPerSecond.map(rate).join(', ')}`,
      );
    }
    const c = throughput.countersign;
    console.log(
      `${''.padEnd(10)}countersign/bare ${throughput.ratio.toFixed(3)}× (${(1 / throughput.ratio).toFixed(1)}× slower); ` +
        `${rate(c.submissionsRecorded)} submissions stored for ${rate(c.submissionsAnswered)} 201s; audit backlog at ` +
        `round end ${c.auditBacklog.map(rate).join(', ')}, chained within ${c.auditDrainMs.map((n) => rate(n)).join(', ')} ms`,
    );
    if (c.queriesPerSubmission) {
      console.log(`${''.padEnd(10)}SQL statements per submission (sequencer included):`);
      for (const [text, n] of Object.entries(c.queriesPerSubmission)) {
        console.log(`${''.padEnd(12)}${n.toFixed(3).padStart(7)}  ${text}`);
      }
    }
  }

  console.log(`\nwake latency (long poll parked, then a quorum-1 approval; from just before sending the release)`);
  console.log(
    `${'store'.padEnd(10)}${'path'.padEnd(44)}${'n'.padStart(5)}${'wake p50'.padStart(10)}${'wake p99'.padStart(10)}` +
      `${'release p50'.padStart(13)}${'release p99'.padStart(13)}`,
  );
  for (const { store, wake } of result.stores) {
    const rows: [string, LatencyFigures][] = [
      ['countersign: GET ?wait=30 / POST …/reviews', wake.countersign],
      ['bare fastify: GET /park / POST /release', wake.bare],
      ...(wake.notify ? [['raw pg: LISTEN / NOTIFY', wake.notify] as [string, LatencyFigures]] : []),
    ];
    rows.forEach(([name, figures], i) => {
      console.log(
        `${(i === 0 ? store : '').padEnd(10)}${name.padEnd(44)}${String(figures.samples).padStart(5)}` +
          `${ms(figures.wakeP50Ms).padStart(10)}${ms(figures.wakeP99Ms).padStart(10)}` +
          `${ms(figures.releaseP50Ms).padStart(13)}${ms(figures.releaseP99Ms).padStart(13)}`,
      );
    });
    console.log(
      `${''.padEnd(10)}countersign/bare wake p50 ${(wake.countersign.wakeP50Ms / wake.bare.wakeP50Ms).toFixed(1)}×, ` +
        `p99 ${(wake.countersign.wakeP99Ms / wake.bare.wakeP99Ms).toFixed(1)}×; wake after the approval's own reply: ` +
        `p50 +${ms(wake.countersign.wakeP50Ms - wake.countersign.releaseP50Ms)} ms`,
    );
  }

  const verdict = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? 'met' : 'NOT met');
  const wakeTargets = result.stores
    .map(
      (s) => `${s.store} ${verdict(result.targets.wakeP99Under10Ms[s.store])} (${ms(s.wake.countersign.wakeP99Ms)} ms)`,
    )
    .join(', ');
  const postgres = result.stores.find((s) => s.store === 'postgres');
  console.log(
    `\ntargets: wake p99 < ${targets.wakeP99Ms} ms: ${wakeTargets}; allowed path ≥ ${rate(targets.postgresSubmissionsPerSecond)}/s on ` +
      `PostgreSQL: ${verdict(result.targets.postgresAtLeast1000PerSecond)}` +
      `${postgres ? ` (${rate(postgres.throughput.countersign.requestsPerSecond)}/s)` : ''}`,
  );
  console.log(
    `(${result.sizes.rounds} rounds per server alternating, ${result.sizes.roundMs ?? 0} ms each after ${result.sizes.warmupMs} ms ` +
      `warm-up; the load generator is a Node process too, so the bare figure is partly its own ceiling; load average ` +
      `${result.loadAverage.before.toFixed(2)} before, ${result.loadAverage.after.toFixed(2)} after: on a busy machine ` +
      'trust the CPU ms/request and the ratios more than the absolute rates)',
  );
}
