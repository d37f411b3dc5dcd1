/**
 * The world the benchmark policy and its inputs are drawn from: an AI data-preprocessing estate, as in
 * `examples/policy.yaml`. Rules and inputs share this vocabulary so that conditions actually hit.
 *
 * Every `params` key has one fixed type (integer, string or flag), so no input ever makes a condition compare
 * values of the wrong type: the inputs raise no evaluation errors in either engine.
 */

/** A family of action verbs that act on the same kind of thing and take the same parameters. */
export interface VerbFamily {
  readonly name: string;
  readonly verbs: readonly string[];
  readonly resourceTypes: readonly string[];
  /** The `params` keys actions of this family carry (each one present in most, not all, inputs). */
  readonly params: readonly ParamKey[];
}

/** Integer parameters: Cedar numbers are 64-bit integers, so no value here has a fraction. */
export const numericParams = {
  rows: { min: 0, max: 2_000_000, thresholds: [1_000, 10_000, 100_000, 500_000, 1_000_000] },
  gpus: { min: 0, max: 64, thresholds: [0, 4, 8, 16, 32] },
  nodes: { min: 1, max: 200, thresholds: [10, 50, 100] },
  replicas: { min: 1, max: 50, thresholds: [3, 10, 20] },
  ttlDays: { min: 1, max: 3_650, thresholds: [30, 90, 365] },
  evalScorePct: { min: 40, max: 100, thresholds: [70, 80, 90] },
  costUsd: { min: 0, max: 50_000, thresholds: [1_000, 5_000, 20_000] },
} as const satisfies Record<string, { min: number; max: number; thresholds: readonly number[] }>;

/** String parameters, with the values inputs use and the prefixes conditions test for. */
export const stringParams = {
  role: {
    values: ['viewer', 'editor', 'admin', 'owner', 'bigquery:admin', 'storage:viewer'],
    prefixes: ['bigquery:', 'storage:'],
  },
  vendor: { values: ['snowflake', 'databricks', 'labelbox', 'scale-ai', 'random-ai-startup'], prefixes: [] },
  destination: {
    values: [
      's3://acme-exports/q3',
      's3://acme-scratch/tmp',
      'gs://acme-ml/train',
      's3://partner-share/drop',
      'https://upload.vendor.example/x',
    ],
    prefixes: ['s3://acme-', 'gs://acme-', 'https://'],
  },
  region: { values: ['eu-west-1', 'eu-central-1', 'us-east-1', 'ap-south-1'], prefixes: ['eu-', 'us-'] },
  format: { values: ['csv', 'parquet', 'json'], prefixes: [] },
  principal: {
    values: ['svc-etl', 'svc-dashboards', 'alice@example.com', 'contractor@agency.example'],
    prefixes: ['svc-'],
  },
} as const satisfies Record<string, { values: readonly string[]; prefixes: readonly string[] }>;

export const flagParams = ['dryRun', 'force', 'encrypted'] as const;

export type NumericParamKey = keyof typeof numericParams;
export type StringParamKey = keyof typeof stringParams;
export type FlagParamKey = (typeof flagParams)[number];
export type ParamKey = NumericParamKey | StringParamKey | FlagParamKey;

export function isNumericParam(key: ParamKey): key is NumericParamKey {
  return key in numericParams;
}

export function isStringParam(key: ParamKey): key is StringParamKey {
  return key in stringParams;
}

const curatedFamilies: readonly VerbFamily[] = [
  {
    name: 'data',
    verbs: ['data.export', 'data.read', 'data.delete', 'data.copy', 'data.restore'],
    resourceTypes: ['dataset', 'table', 'bucket'],
    params: ['rows', 'destination', 'format', 'dryRun'],
  },
  {
    name: 'iam',
    verbs: ['iam.grant_role', 'iam.revoke_role', 'iam.create_key', 'iam.rotate_key'],
    resourceTypes: ['project', 'service_account'],
    params: ['role', 'principal', 'ttlDays'],
  },
  {
    name: 'cluster',
    verbs: ['cluster.create', 'cluster.delete', 'cluster.scale', 'cluster.upgrade'],
    resourceTypes: ['cluster'],
    params: ['gpus', 'nodes', 'region', 'costUsd'],
  },
  {
    name: 'service',
    verbs: ['service.restart', 'service.deploy', 'service.scale', 'service.rollback'],
    resourceTypes: ['service'],
    params: ['replicas', 'region', 'force'],
  },
  {
    name: 'model',
    verbs: ['model.deploy', 'model.train', 'model.promote', 'model.delete'],
    resourceTypes: ['model'],
    params: ['gpus', 'evalScorePct', 'region', 'costUsd'],
  },
  {
    name: 'sync',
    verbs: ['sync.push', 'sync.pull'],
    resourceTypes: ['dataset', 'table'],
    params: ['vendor', 'rows', 'encrypted'],
  },
  {
    name: 'secret',
    verbs: ['secret.read', 'secret.rotate'],
    resourceTypes: ['secret'],
    params: ['ttlDays', 'principal'],
  },
  {
    name: 'db',
    verbs: ['db.migrate', 'db.drop_table', 'db.snapshot'],
    resourceTypes: ['database', 'table'],
    params: ['rows', 'dryRun', 'force'],
  },
  {
    name: 'bucket',
    verbs: ['bucket.create', 'bucket.make_public'],
    resourceTypes: ['bucket'],
    params: ['region', 'encrypted'],
  },
];

/** Generated verbs (`pipeline.stage_01` …) bring the catalogue to the ~40 verbs a real estate has. */
const generatedFamily: VerbFamily = {
  name: 'pipeline',
  verbs: Array.from({ length: 10 }, (_, i) => `pipeline.stage_${String(i + 1).padStart(2, '0')}`),
  resourceTypes: ['job'],
  params: ['rows', 'costUsd', 'region', 'dryRun'],
};

export const verbFamilies: readonly VerbFamily[] = [...curatedFamilies, generatedFamily];

export const allVerbs: readonly string[] = verbFamilies.flatMap((family) => family.verbs);

/** Verbs no rule names exactly: they reach only wildcard rules or, failing those, the default. */
export const unknownVerbs = ['report.generate', 'ticket.close', 'data.archive', 'pipeline.stage_99', 'cache.flush'];

export const environments = ['production', 'prod-eu', 'prod-us', 'staging', 'dev', 'sandbox'] as const;
export const environmentGlobs = ['prod*', 'stag*', '*-eu', 'sand*'] as const;

export const resourceLabels = ['pii', 'phi', 'masked', 'finance', 'gdpr', 'customer', 'public', 'internal'] as const;
export const sensitivities = ['public', 'internal', 'confidential', 'restricted'] as const;
export const resourceIdPrefixes = ['prod-', 'tmp-', 'shared-'] as const;
export const resourceIdGlobs = ['prod-*', 'tmp-*', '*-pii'] as const;
export const resourceNames = ['customers', 'clickstream', 'invoices', 'support-tickets', 'embeddings', 'telemetry'];

export const agentLabels = ['trusted', 'experimental', 'ci', 'copilot', 'etl'] as const;
export const agentIds = ['etl', 'preprocess', 'ops-copilot', 'trainer', 'labelling-sync', 'retention-bot'];

/** Approver groups with their static members; quorums never exceed a group's size. */
export const approverGroups: Readonly<Record<string, readonly string[]>> = {
  'data-stewards': ['alice@example.com', 'bob@example.com', 'erin@example.com'],
  security: ['carol@example.com', 'frank@example.com'],
  'platform-oncall': ['grace@example.com', 'heidi@example.com', 'ivan@example.com'],
  'ml-leads': ['judy@example.com', 'mallory@example.com'],
  'privacy-office': ['olivia@example.com', 'peggy@example.com'],
};
