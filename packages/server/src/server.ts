import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Policy, parseDuration, signCheckpoint } from '@countersign/core';
import type { FastifyInstance } from 'fastify';
import { ActionService } from './actions/service.js';
import { Sweeper } from './actions/sweeper.js';
import { AuditSequencer, appendAuditRecords, countUnchained } from './audit/index.js';
import { FileWitness, HttpWitness, WitnessPump, type WitnessPumpOptions, type WitnessSink } from './audit/witness.js';
import { type ChannelDeps, ChannelRegistry, purgeReceipts } from './channels/index.js';
import { SlackChannel } from './channels/slack/index.js';
import { TeamsChannel } from './channels/teams/index.js';
import { WebhookChannel } from './channels/webhook/index.js';
import { type Clock, systemClock } from './clock.js';
import type { ServerConfig } from './config/index.js';
import { ActionEvents } from './events/index.js';
import { KeyRing } from './grants/index.js';
import { buildApp } from './http/app.js';
import type { ApiContext, ChannelSetup, WitnessSetup } from './http/context.js';
import { createMetrics } from './http/metrics.js';
import { Authenticator } from './identity/index.js';
import { countOutbox, OutboxPump, type OutboxPumpOptions } from './outbox/index.js';
import { PolicyHolder, reloadPolicy } from './policy/index.js';
import { type Database, openDatabase, type StoreTarget } from './store/database.js';

export const serverVersion = '0.1.0';

export interface StartOptions {
  /** A controllable clock for tests; the system clock otherwise. */
  clock?: Clock;
  /** `false` silences logs (tests); otherwise pino at the configured level. */
  logger?: boolean;
  /** Start the sweeper and sequencer timers (default true; tests drive them by hand). */
  background?: boolean;
}

/** A started server. */
export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Where the data lives, for start-up output. */
  readonly storeDescription: string;
  readonly adminToken: string;
  /** `COUNTERSIGN_ADMIN_TOKEN`, `config`, or the path of the generated token file. */
  readonly adminTokenSource: string;
  readonly app: FastifyInstance;
  readonly context: ApiContext;
  /** Re-reads the policy file (as on SIGHUP); a bad file throws `policy_invalid` and the policy in force stays. */
  reloadPolicy(): Promise<Policy>;
  /** Stops accepting requests, answers waiters, finishes background work and closes the store. */
  close(): Promise<void>;
}

/**
 * Starts Countersign: opens the store (PGlite in `dataDir`, or PostgreSQL at `databaseUrl`) and applies its
 * migrations, loads the policy and signing keys, starts the sweeper and audit sequencer, and listens.
 *
 * @example
 * const server = await startServer(await resolveServerConfig({ flags: { policy: 'examples/policy.yaml' } }));
 * console.log(server.url); // http://127.0.0.1:8080
 */
export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const policy = await PolicyHolder.load(config.policy);
  const keys = config.signingKey
    ? await KeyRing.fromJwk(config.signingKey)
    : await KeyRing.fromDirectory(config.keysDir ?? join(config.dataDir, 'keys'), clock.now());
  const admin = await adminToken(config);
  const target: StoreTarget = config.databaseUrl
    ? {
        kind: 'postgres',
        url: config.databaseUrl,
        poolMax: config.databasePoolMax,
        ssl: {
          mode: config.databaseSsl,
          ...(config.databaseSslCa !== undefined && { ca: await readFile(config.databaseSslCa, 'utf8') }),
        },
      }
    : { kind: 'pglite', dataDir: config.dataDir };
  const database = await openDatabase(target);
  try {
    return await listen(config, options, { clock, policy, keys, admin, database });
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}

async function listen(
  config: ServerConfig,
  options: StartOptions,
  parts: {
    clock: Clock;
    policy: PolicyHolder;
    keys: KeyRing;
    admin: { token: string; source: string };
    database: Database;
  },
): Promise<RunningServer> {
  const { clock, policy, keys, admin, database } = parts;
  const events = await ActionEvents.listen(database);
  const authenticator = new Authenticator(database.db, admin.token);
  await authenticator.listen(database);
  const shutdown = new AbortController();
  const metrics = createMetrics({
    waiters: () => events.waiting,
    unchained: () => countUnchained(database.db),
    outbox: () => countOutbox(database.db),
  });
  const channelDeps: ChannelDeps = {
    db: database.db,
    policy,
    clock,
    // The app is built below; channels log through it once they deliver.
    log: {
      warn: (object, message) => app.log.warn(object, message),
      error: (object, message) => app.log.error(object, message),
    },
  };
  const channels = channelSetup(config, channelDeps, {
    onAttempt: (kind, result) => metrics.outboxAttempts.inc({ channel: kind, result }),
    onFailure: ({ id, target, attempt, result, error }) =>
      app.log.warn(
        { err: error, notification: id, target, attempt, result },
        result === 'dead' ? 'notification dead-lettered' : 'notification failed; it will be retried',
      ),
    onError: (error) => {
      metrics.errors.inc({ where: 'outbox' });
      app.log.error({ err: error }, 'outbox delivery failed; it will retry');
    },
  });
  const witness = witnessPump(config, database, {
    onError: (sink, error) => {
      metrics.errors.inc({ where: 'witness' });
      app.log.error({ err: error, sink }, 'handing checkpoints to a witness failed; it will retry');
    },
    onDelivered: (sink, count) => metrics.witnessDelivered.inc({ sink }, count),
  });
  const sequencer = new AuditSequencer(database.db, {
    checkpoints: {
      signer: {
        get kid() {
          return keys.currentKid;
        },
        sign: (checkpoint) => signCheckpoint(checkpoint, keys.keyObject(checkpoint.kid)),
      },
      every: 100,
      maxAgeMs: 60_000,
      now: () => clock.now(),
    },
    onChained: (count) => {
      metrics.auditChained.inc(count);
      witness.pump.poke();
    },
    onCheckpoint: () => witness.pump.poke(),
    onError: (error) => {
      metrics.errors.inc({ where: 'sequencer' });
      app.log.error({ err: error }, 'audit sequencer failed; it will retry');
    },
  });
  const grants = { issuer: config.issuer, audience: config.grantAudience };
  const service = new ActionService({
    db: database.db,
    clock,
    policy,
    keys,
    grants,
    reminderBeforeMs: parseDuration(config.channels.reminderBefore),
    masking: { sensitiveFields: config.masking.sensitiveFields },
    onCommit: (kind, count) => {
      metrics.transitions.inc({ kind }, count);
      sequencer.poke();
      channels.outbox.poke();
    },
  });
  const sweeper = new Sweeper(service, {
    intervalMs: config.sweepIntervalMs,
    onError: (error) => {
      metrics.errors.inc({ where: 'sweeper' });
      app.log.error({ err: error }, 'sweeper failed; it will retry');
    },
  });
  const context: ApiContext = {
    database,
    service,
    events,
    policy,
    keys,
    grants,
    clock,
    sequencer,
    sweeper,
    witness,
    channels,
    metrics,
    authenticator,
    shutdown: shutdown.signal,
    version: serverVersion,
  };
  const app = buildApp(context, {
    bodyLimit: config.bodyLimit,
    logger:
      options.logger === false
        ? false
        : {
            level: config.logLevel,
            redact: {
              paths: ['req.headers.authorization', 'req.headers.cookie', '*.token', '*.key', '*.adminToken'],
              censor: '[redacted]',
            },
          },
  });
  app.addHook('preClose', async () => {
    shutdown.abort();
    events.wakeAll();
  });
  await database.db.transaction((tx) =>
    appendAuditRecords(tx, [
      {
        ts: clock.now(),
        type: 'policy.loaded',
        actor: { kind: 'system', id: 'server', via: 'startup' },
        data: { version: policy.current.version, file: policy.path },
      },
    ]),
  );
  warnUnservedTargets(policy.current, channels, app.log);
  if (options.background !== false) {
    sequencer.start();
    sweeper.start();
    witness.pump.start();
    channels.outbox.start();
    const purge = setInterval(() => {
      purgeReceipts(database.db, new Date(clock.now().getTime() - 3_600_000)).catch(() => {});
    }, 600_000);
    purge.unref();
    app.addHook('onClose', async () => clearInterval(purge));
  }
  await database.listen('countersign_keys', {
    message: () => {
      keys.reload().catch((error) => app.log.error({ err: error }, 'cannot re-read the signing keys'));
    },
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  app.log.info({ url, store: database.description, policy: policy.current.version }, 'countersign is listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    storeDescription: database.description,
    adminToken: admin.token,
    adminTokenSource: admin.source,
    app,
    context,
    async reloadPolicy() {
      const loaded = await reloadPolicy(policy, database.db, clock, { kind: 'system', id: 'operator', via: 'signal' });
      sequencer.poke();
      warnUnservedTargets(loaded, channels, app.log);
      return loaded;
    },
    close() {
      closing ??= (async () => {
        await app.close();
        await sweeper.stop();
        await sequencer.stop();
        await sequencer.flush().catch(() => {});
        await witness.pump.stop();
        await channels.outbox.stop();
        await database.close();
      })();
      return closing;
    },
  };
}

/** The witness sinks configured (a file, an HTTP endpoint, both or none) and the pump that feeds them. */
function witnessPump(config: ServerConfig, database: Database, options: WitnessPumpOptions): WitnessSetup {
  const file = config.witnessFile !== undefined ? new FileWitness(config.witnessFile) : undefined;
  const sinks: WitnessSink[] = [
    ...(file ? [file] : []),
    ...(config.witnessUrl !== undefined ? [new HttpWitness(config.witnessUrl, config.witnessToken)] : []),
  ];
  return { pump: new WitnessPump(database.db, sinks, options), ...(file && { file }) };
}

/**
 * Logs each notify target of the policy that no configured channel serves. Not an error — a policy may be shared by
 * environments with different channels — but its notifications will be dead-lettered, so say so at start-up.
 */
function warnUnservedTargets(policy: Policy, channels: ChannelSetup, log: FastifyInstance['log']): void {
  const targets = new Set(policy.rules.flatMap((rule) => rule.notify));
  for (const target of targets) {
    const problem = channels.registry.check(target);
    if (problem !== undefined) log.warn({ target }, `${problem}; its notifications will be dead-lettered`);
  }
}

/** The channels configured and the outbox pump that delivers notifications to them. */
function channelSetup(
  config: ServerConfig,
  deps: ChannelDeps,
  hooks: Pick<OutboxPumpOptions, 'onAttempt' | 'onFailure' | 'onError'>,
): ChannelSetup {
  const registry = new ChannelRegistry([
    ...(config.channels.slack ? [new SlackChannel(config.channels.slack, deps)] : []),
    ...(config.channels.teams ? [new TeamsChannel(config.channels.teams, deps)] : []),
    new WebhookChannel(config.channels.webhooks, { userAgent: `Countersign/${serverVersion}` }),
  ]);
  const redaction = { sensitiveFields: config.masking.sensitiveFields };
  const outbox = new OutboxPump({
    db: deps.db,
    clock: deps.clock,
    channels: registry,
    redaction,
    settings: config.outbox,
    ...hooks,
  });
  return { registry, config: config.channels, redaction, outbox };
}

/** The admin token: configured, or read from / generated into `dataDir/admin.token` (mode 0600). */
async function adminToken(config: ServerConfig): Promise<{ token: string; source: string }> {
  if (config.adminToken) {
    return {
      token: config.adminToken,
      source: process.env.COUNTERSIGN_ADMIN_TOKEN === config.adminToken ? 'COUNTERSIGN_ADMIN_TOKEN' : 'config',
    };
  }
  const file = join(config.dataDir, 'admin.token');
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token.length >= 24) return { token, source: file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = `csa_${randomBytes(32).toString('base64url')}`;
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return { token, source: file };
}
