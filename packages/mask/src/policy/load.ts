import { readFile } from 'node:fs/promises';
import type { CountryCode } from 'libphonenumber-js/max';
import { createScanner, type ScannerOptions } from '../detectors/index.js';
import { MaskError } from '../errors.js';
import type { FindingOperatorConfig, OperatorConfig } from '../operators/index.js';
import type { Scanner } from '../types.js';
import { type ColumnPattern, compileColumnPattern } from './pattern.js';
import { type MaskingPolicyFile, maskingPolicyFileSchema } from './schema.js';
import { PolicySource, reportSchemaIssues } from './source.js';

/** How a column or field is masked: an operator, or `scan` (detectors on its text, findings masked). */
export type ColumnOperatorConfig = OperatorConfig | { readonly operator: 'scan' };

/** One compiled `columns:` entry. */
export interface ColumnRule {
  /** Position in the policy's `columns:` list (first match wins). */
  readonly index: number;
  readonly match: string;
  readonly operator: Readonly<ColumnOperatorConfig>;
  readonly pattern: ColumnPattern;
}

/** A loaded masking policy: validated, with defaults resolved and the scanner built. Immutable. */
export interface MaskingPolicy {
  readonly version: 1;
  /** What a column no rule names gets: `scan` its text, or `keep` it. */
  readonly default: 'scan' | 'keep';
  /** The operator applied to each finding in scanned text. */
  readonly findings: Readonly<FindingOperatorConfig>;
  /** `<EMAIL_1>` numbering for `replace` (findings and rules that do not say otherwise), per record. */
  readonly numbered: boolean;
  /** The environment variable the key came from (or would have). */
  readonly keyEnv: string;
  /** The tokenisation key; present whenever some rule tokenises. */
  readonly key: string | undefined;
  /** True when some rule (or `findings`) tokenises. */
  readonly tokenizes: boolean;
  /** Sample the first `sample` records and treat columns that are mostly one type as `replace` with it. */
  readonly classify: Readonly<{ sample: number; threshold: number }> | undefined;
  readonly detectors: Readonly<ScannerOptions>;
  readonly scanner: Scanner;
  readonly columns: readonly ColumnRule[];
}

export interface ParseMaskingPolicyOptions {
  /** Where `key_env` is looked up; `process.env` when not given. */
  env?: Readonly<Record<string, string | undefined>>;
  /** A key that takes precedence over `key_env` and `key:` (from a secret store, a CLI flag, …). */
  key?: string;
  /** The file name errors mention. */
  file?: string;
}

const defaultKeyEnv = 'COUNTERSIGN_MASK_KEY';
const classifyDefaults = { sample: 1000, threshold: 0.5 } as const;

/**
 * Parses, validates and compiles a masking policy. Throws `MaskError` `mask_policy_invalid` listing every problem
 * with its path and line (`policy.yaml:14: columns[2].operator: expected one of …`), or `mask_key_missing` when a
 * rule tokenises and no key is available.
 *
 * @example
 * const policy = parseMaskingPolicy('version: 1\ncolumns:\n  - { match: email, operator: tokenize }\n', {
 *   env: { COUNTERSIGN_MASK_KEY: secret },
 * });
 */
export function parseMaskingPolicy(text: string, options: ParseMaskingPolicyOptions = {}): MaskingPolicy {
  const source = new PolicySource(text, options.file ?? '<masking policy>');
  source.throwIfInvalid();
  const raw: unknown = source.document.toJS() ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    source.report([], 'expected a mapping that starts with `version: 1`');
    source.throwIfInvalid();
  }
  const parsed = maskingPolicyFileSchema.safeParse(raw);
  if (!parsed.success) {
    reportSchemaIssues(source, parsed.error.issues, raw);
    source.throwIfInvalid();
  }
  const file = parsed.data as MaskingPolicyFile;
  if (file.key !== undefined && file.key_env !== undefined) {
    source.report(['key'], 'give key_env (recommended) or key, not both');
  }
  const detectors: ScannerOptions = {
    ...(file.detectors.types && { types: file.detectors.types }),
    ...(file.detectors.custom && { custom: file.detectors.custom }),
    ...(file.detectors.phone_regions && { phoneRegions: file.detectors.phone_regions as CountryCode[] }),
    ...(file.detectors.min_score !== undefined && { minScore: file.detectors.min_score }),
  };
  const scanner = buildScanner(source, detectors);
  source.throwIfInvalid();

  const findings: FindingOperatorConfig = file.findings ?? { operator: 'replace' };
  if (findings.operator === 'replace' && findings.numbered === undefined && file.numbered) {
    Object.assign(findings, { numbered: true });
  }
  const columns = file.columns.map((entry, index): ColumnRule => {
    const { match, ...operator } = entry;
    if (operator.operator === 'replace' && operator.numbered === undefined && file.numbered) operator.numbered = true;
    return Object.freeze({
      index,
      match,
      operator: Object.freeze(operator as ColumnOperatorConfig),
      pattern: compileColumnPattern(match),
    });
  });

  const tokenizes = findings.operator === 'tokenize' || columns.some((rule) => rule.operator.operator === 'tokenize');
  const keyEnv = file.key_env ?? defaultKeyEnv;
  const env = options.env ?? process.env;
  const key = nonEmpty(options.key) ?? nonEmpty(file.key) ?? nonEmpty(env[keyEnv]);
  if (tokenizes && key === undefined) {
    const where =
      findings.operator === 'tokenize'
        ? 'findings'
        : `columns[${columns.find((r) => r.operator.operator === 'tokenize')?.index}]`;
    throw new MaskError(
      'mask_key_missing',
      `${where} tokenizes but no key is set: export ${keyEnv} with a long random secret (e.g. \`openssl rand -hex 32\`) and keep it stable so tokens stay joinable across runs`,
      { keyEnv },
    );
  }

  return Object.freeze({
    version: 1,
    default: file.default,
    findings: Object.freeze(findings),
    numbered: file.numbered,
    keyEnv,
    key: tokenizes ? key : undefined,
    tokenizes,
    classify:
      file.classify === false
        ? undefined
        : Object.freeze({ ...classifyDefaults, ...(file.classify === true ? {} : file.classify) }),
    detectors: Object.freeze(detectors),
    scanner,
    columns: Object.freeze(columns),
  });
}

/**
 * Reads and parses a masking policy file; the key comes from `process.env` unless `options.env` says otherwise.
 *
 * @example
 * const policy = await loadMaskingPolicy('masking.yaml');
 */
export async function loadMaskingPolicy(
  path: string,
  options: Omit<ParseMaskingPolicyOptions, 'file'> = {},
): Promise<MaskingPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new MaskError(
      'mask_policy_invalid',
      `cannot read the masking policy ${path}: check the path and permissions`,
      {
        file: path,
        cause: (error as Error).message,
      },
    );
  }
  return parseMaskingPolicy(text, { ...options, file: path });
}

/** The first rule whose pattern matches a CSV column name, if any. */
export function columnRuleFor(policy: MaskingPolicy, column: string): ColumnRule | undefined {
  return policy.columns.find((rule) => rule.pattern.matchesColumn(column));
}

/** The first rule whose pattern matches a JSON field path (`customer.email`, arrays transparent), if any. */
export function fieldRuleFor(policy: MaskingPolicy, path: string): ColumnRule | undefined {
  return policy.columns.find((rule) => rule.pattern.matchesPath(path));
}

function buildScanner(source: PolicySource, detectors: ScannerOptions): Scanner {
  try {
    return createScanner(detectors);
  } catch (error) {
    if (!(error instanceof MaskError)) throw error;
    // Name the custom detector at fault: build each one alone.
    const custom = detectors.custom ?? [];
    const culprit = custom.findIndex((config) => {
      try {
        createScanner({ types: [], custom: [config] });
        return false;
      } catch {
        return true;
      }
    });
    source.report(culprit >= 0 ? ['detectors', 'custom', culprit, 'pattern'] : ['detectors'], error.message);
    return undefined as never;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
