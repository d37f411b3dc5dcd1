import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

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
} as const satisfies Record<string, keyof ServerConfigInput>;

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
    if (value !== undefined && value !== '') fromEnv[key] = value;
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

function resolvePaths(values: Record<string, unknown>, base: string): Record<string, unknown> {
  const out = { ...values };
  for (const key of pathSettings) {
    const value = out[key];
    if (typeof value === 'string' && value !== '') out[key] = resolve(base, value);
  }
  return out;
}
