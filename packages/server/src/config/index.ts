import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** A name used in notify targets (`teams:NAME`, `webhook:NAME`). */
const targetName = z.string().regex(/^[\w.-]{1,64}$/, 'names are letters, digits, _ . - (at most 64)');
const httpUrl = z.url({ protocol: /^https?$/ });

export const slackConfigSchema = z.strictObject({
  /** The bot token (`xoxb-…`) messages are posted with. */
  botToken: z.string().min(1, 'botToken is the Slack app’s bot token (xoxb-…)'),
  /** The app's signing secret: every interactivity request is verified with it. */
  signingSecret: z.string().min(8, 'signingSecret is the Slack app’s signing secret'),
  /** The Web API base URL (tests point the official client at a local server). */
  apiUrl: httpUrl.default('https://slack.com/api/'),
  /** Map an unlinked Slack user to the reviewer with their profile's email (needs `users:read.email`). */
  linkByEmail: z.boolean().default(false),
});

export const teamsConversationSchema = z.strictObject({
  /** The Bot Connector service URL of the conversation (from an activity the bot received there). */
  serviceUrl: httpUrl,
  /** The conversation (a channel `19:…@thread.tacv2`, a group chat, a personal chat). */
  conversationId: z.string().min(1),
});

export const teamsConfigSchema = z.strictObject({
  /** The bot's Microsoft app id: the audience of every inbound token. */
  appId: z.string().min(1),
  /** The bot's client secret, for outbound tokens. */
  appPassword: z.string().min(1),
  /** The bot's tenant for a single-tenant app (outbound tokens come from it); multi-tenant bots leave it unset. */
  tenantId: z.string().min(1).optional(),
  /** Where the Bot Framework's signing keys are published (OpenID metadata with a `jwks_uri`). */
  openIdMetadataUrl: httpUrl.default('https://login.botframework.com/v1/.well-known/openidconfiguration'),
  /** The OAuth token endpoint for outbound calls (default: login.microsoftonline.com for the tenant). */
  tokenUrl: httpUrl.optional(),
  /** `teams:NAME` targets → conversations. */
  conversations: z.record(targetName, teamsConversationSchema).default({}),
});

export const webhookConfigSchema = z.strictObject({
  /** Where events are POSTed; redirects are not followed, so this is the final URL. */
  url: httpUrl,
  /** The Standard Webhooks signing secret (`whsec_` + base64 of 24–64 random bytes), shared with the receiver. */
  secret: z
    .string()
    .regex(
      /^whsec_(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
      'secret must be whsec_ followed by padded base64 (openssl rand -base64 32)',
    )
    .refine((secret) => {
      const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64').length;
      return bytes >= 24 && bytes <= 64;
    }, 'secret must encode 24 to 64 random bytes (openssl rand -base64 32)'),
});

export const channelsConfigSchema = z
  .strictObject({
    slack: slackConfigSchema.optional(),
    teams: teamsConfigSchema.optional(),
    /** `webhook:NAME` targets → endpoints. */
    webhooks: z.record(targetName, webhookConfigSchema).default({}),
    /** A reminder goes to pending requests' threads this long before they expire (half the timeout if shorter). */
    reminderBefore: z
      .string()
      .regex(/^\d+(ms|s|m|h)$/, 'reminderBefore is a duration such as 10m')
      .default('10m'),
  })
  .default({ webhooks: {}, reminderBefore: '10m' });

export const outboxConfigSchema = z
  .strictObject({
    /** Attempts before a notification is dead-lettered. */
    maxAttempts: z.coerce.number().int().min(1).max(100).default(12),
    /** The first retry's delay; each later one doubles, with jitter, up to `maxDelayMs`. */
    baseDelayMs: z.coerce.number().int().min(10).max(600_000).default(1000),
    maxDelayMs: z.coerce.number().int().min(100).max(86_400_000).default(300_000),
    /** How long a worker owns a claimed notification; a worker that dies mid-send is taken over after this. */
    leaseMs: z.coerce.number().int().min(500).max(600_000).default(60_000),
    /** How often due retries are looked for. */
    intervalMs: z.coerce.number().int().min(10).max(60_000).default(1000),
    /** Notifications delivered at once by one process. */
    concurrency: z.coerce.number().int().min(1).max(100).default(8),
  })
  .default({
    maxAttempts: 12,
    baseDelayMs: 1000,
    maxDelayMs: 300_000,
    leaseMs: 60_000,
    intervalMs: 1000,
    concurrency: 8,
  });

export const maskingConfigSchema = z
  .strictObject({
    /**
     * Fields masked wherever they appear in what channels show: a key name (`ssn`), a glob over key names
     * (`*_token`), or a dotted path (`params.customer.email`, `context.*`).
     */
    sensitiveFields: z.array(z.string().min(1)).default([]),
  })
  .default({ sensitiveFields: [] });

/**
 * Server configuration: validated once at start-up and frozen. Every setting can come from a config file (YAML or
 * JSON, camelCase keys, paths relative to the file), an environment variable, or a `countersign serve` flag; flags
 * win over the environment, which wins over the file. `.env.example` lists every variable.
 */
export const serverConfigSchema = z.strictObject({
  /** The policy file (YAML). */
  policy: z.string().min(1, 'policy must name a policy file'),
  /** Where the embedded database, signing keys and generated admin token live. */
  dataDir: z.string().min(1),
  /** A PostgreSQL server instead of the embedded PGlite: `postgres://user:pass@host:5432/db`. */
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'databaseUrl must start with postgres:// or postgresql://')
    .optional(),
  databaseSsl: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  /** A CA bundle (PEM file) to verify the PostgreSQL server with (`verify-full`). */
  databaseSslCa: z.string().optional(),
  databasePoolMax: z.coerce.number().int().min(1).max(500).default(20),
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  /** The admin bearer token; generated into `dataDir/admin.token` on first start when not given. */
  adminToken: z.string().min(24, 'adminToken must be at least 24 characters').optional(),
  /** `iss` of grants. */
  issuer: z.string().min(1).default('countersign'),
  /** `aud` of grants: what executors expect. */
  grantAudience: z.string().min(1).default('countersign'),
  /** Directory of Ed25519 signing keys (default `dataDir/keys`); replicas must share it. */
  keysDir: z.string().optional(),
  /** One private Ed25519 JWK (JSON) instead of a keys directory, e.g. from a secret manager. */
  signingKey: z.string().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest request body, in bytes. */
  bodyLimit: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(1024 * 1024),
  /** How often expiries and escalations are looked for, in milliseconds. */
  sweepIntervalMs: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** An append-only file every signed audit checkpoint is also written to (a copy outside the database). */
  witnessFile: z.string().optional(),
  /** An HTTP endpoint every signed audit checkpoint is POSTed to (JSONL). */
  witnessUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** A bearer token for the witness endpoint. */
  witnessToken: z.string().optional(),
  /** Where approval requests are sent: Slack, Microsoft Teams and signed webhooks (`docs/channels.md`). */
  channels: channelsConfigSchema,
  /** How notifications are delivered: claimed by workers, retried with backoff, dead-lettered at the end. */
  outbox: outboxConfigSchema,
  /** What never reaches a channel in clear (see `channels/redaction.ts`). */
  masking: maskingConfigSchema,
});

export type ServerConfig = Readonly<z.output<typeof serverConfigSchema>>;
export type ServerConfigInput = z.input<typeof serverConfigSchema>;

/** Environment variable → setting. */
export const environmentVariables = {
  COUNTERSIGN_POLICY: 'policy',
  COUNTERSIGN_DATA_DIR: 'dataDir',
  DATABASE_URL: 'databaseUrl',
  DATABASE_SSL: 'databaseSsl',
  DATABASE_SSL_CA: 'databaseSslCa',
  DATABASE_POOL_MAX: 'databasePoolMax',
  COUNTERSIGN_HOST: 'host',
  COUNTERSIGN_PORT: 'port',
  COUNTERSIGN_ADMIN_TOKEN: 'adminToken',
  COUNTERSIGN_ISSUER: 'issuer',
  COUNTERSIGN_GRANT_AUDIENCE: 'grantAudience',
  COUNTERSIGN_KEYS_DIR: 'keysDir',
  COUNTERSIGN_SIGNING_KEY: 'signingKey',
  COUNTERSIGN_LOG_LEVEL: 'logLevel',
  COUNTERSIGN_BODY_LIMIT: 'bodyLimit',
  COUNTERSIGN_SWEEP_INTERVAL_MS: 'sweepIntervalMs',
  COUNTERSIGN_WITNESS_FILE: 'witnessFile',
  COUNTERSIGN_WITNESS_URL: 'witnessUrl',
  COUNTERSIGN_WITNESS_TOKEN: 'witnessToken',
  COUNTERSIGN_SLACK_BOT_TOKEN: 'channels.slack.botToken',
  COUNTERSIGN_SLACK_SIGNING_SECRET: 'channels.slack.signingSecret',
  COUNTERSIGN_SLACK_API_URL: 'channels.slack.apiUrl',
  COUNTERSIGN_TEAMS_APP_ID: 'channels.teams.appId',
  COUNTERSIGN_TEAMS_APP_PASSWORD: 'channels.teams.appPassword',
  COUNTERSIGN_TEAMS_TENANT_ID: 'channels.teams.tenantId',
  COUNTERSIGN_OUTBOX_MAX_ATTEMPTS: 'outbox.maxAttempts',
  COUNTERSIGN_OUTBOX_LEASE_MS: 'outbox.leaseMs',
} as const satisfies Record<string, keyof ServerConfigInput | `${'channels' | 'outbox'}.${string}`>;

/** Settings whose values are paths, resolved against the config file's directory or the working directory. */
const pathSettings = ['policy', 'dataDir', 'databaseSslCa', 'keysDir', 'witnessFile'] as const;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  /** A config file (YAML or JSON). */
  file?: string | undefined;
  flags?: Partial<Record<keyof ServerConfigInput, string | number | undefined>>;
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
}

/** Merges the sources, validates, and returns a frozen config; throws {@link ConfigError} naming the bad key. */
export async function resolveServerConfig(sources: ConfigSources): Promise<ServerConfig> {
  const cwd = sources.cwd ?? process.cwd();
  const merged: Record<string, unknown> = {};
  let base = cwd;
  if (sources.file) {
    const path = resolve(cwd, sources.file);
    base = dirname(path);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new ConfigError(`cannot read the config file ${sources.file}: ${(error as NodeJS.ErrnoException).code}`);
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (error) {
      throw new ConfigError(`the config file ${sources.file} is not valid YAML or JSON: ${(error as Error).message}`);
    }
    if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new ConfigError(`the config file ${sources.file} must hold a mapping of settings`);
    }
    Object.assign(merged, resolvePaths((parsed ?? {}) as Record<string, unknown>, base));
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [variable, key] of Object.entries(environmentVariables)) {
    const value = sources.env?.[variable];
    if (value !== undefined && value !== '') setPath(key.includes('.') ? merged : fromEnv, key, value);
  }
  Object.assign(merged, resolvePaths(fromEnv, cwd));
  const flags = Object.fromEntries(Object.entries(sources.flags ?? {}).filter(([, value]) => value !== undefined));
  Object.assign(merged, resolvePaths(flags, cwd));
  merged.dataDir ??= resolve(base, '.countersign');
  if (merged.policy === undefined) {
    throw new ConfigError(
      'no policy given: pass --policy FILE, set COUNTERSIGN_POLICY, or set policy in the config file',
    );
  }
  const result = serverConfigSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(config)';
      const variable = Object.entries(environmentVariables).find(([, setting]) => setting === key)?.[0];
      return `${key}${variable ? ` (${variable})` : ''}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return Object.freeze(result.data);
}

/** Sets a dotted setting (`channels.slack.botToken`) inside `target`, creating the objects on the way. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}

function resolvePaths(values: Record<string, unknown>, base: string): Record<string, unknown> {
  const out = { ...values };
  for (const key of pathSettings) {
    const value = out[key];
    if (typeof value === 'string' && value !== '') out[key] = resolve(base, value);
  }
  return out;
}
