import { type CountryCode, isSupportedCountry } from 'libphonenumber-js/max';
import { z } from 'zod';
import { customDetectorSchema } from '../detectors/index.js';
import {
  dropConfigSchema,
  findingOperatorSchema,
  generaliseConfigSchema,
  keepConfigSchema,
  partialConfigSchema,
  redactConfigSchema,
  replaceConfigSchema,
  tokenizeConfigSchema,
} from '../operators/index.js';
import { builtinEntityTypes } from '../types.js';

/** `email`, `*_ssn`, `customer.email`, `items.*.card`: compared case-insensitively. */
const matchSchema = z
  .string()
  .min(1, 'expected a column name, a glob such as *_ssn, or a dotted path such as customer.email')
  .max(512);

const match = { match: matchSchema };

/** Scan the column's text with the detectors, whatever the policy's `default`. */
export const scanColumnSchema = z.strictObject({ ...match, operator: z.literal('scan') });

/** One `columns:` entry: which column or field, and how to mask it. */
export const columnRuleSchema = z.discriminatedUnion('operator', [
  scanColumnSchema,
  redactConfigSchema.extend(match),
  replaceConfigSchema.extend(match),
  partialConfigSchema.extend(match),
  tokenizeConfigSchema.extend(match),
  dropConfigSchema.extend(match),
  keepConfigSchema.extend(match),
  generaliseConfigSchema.extend(match),
]);
export type ColumnRuleConfig = z.infer<typeof columnRuleSchema>;

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'expected an environment variable name');

export const classifySchema = z.union(
  [
    z.boolean(),
    z.strictObject({
      sample: z.number().int().min(1).max(1_000_000).optional(),
      threshold: z.number().gt(0).max(1).optional(),
    }),
  ],
  { error: 'expected true, false, or a mapping with sample (records) and threshold (0-1)' },
);

/** The masking policy file, as written. */
export const maskingPolicyFileSchema = z.strictObject({
  version: z.literal(1),
  key_env: envName.optional(),
  key: z.string().min(1).optional(),
  default: z.enum(['scan', 'keep']).default('scan'),
  // `findings: replace` is shorthand for `findings: { operator: replace }`.
  findings: z
    .preprocess((value) => (typeof value === 'string' ? { operator: value } : value), findingOperatorSchema)
    .optional(),
  numbered: z.boolean().default(false),
  classify: classifySchema.default(false),
  detectors: z
    .strictObject({
      types: z.array(z.enum(builtinEntityTypes)).min(1).optional(),
      phone_regions: z
        .array(
          z
            .string()
            .refine(
              (code) => isSupportedCountry(code as CountryCode),
              'expected a two-letter region code such as US or GB',
            ),
        )
        .min(1)
        .optional(),
      custom: z.array(customDetectorSchema).optional(),
      min_score: z.number().min(0).max(1).optional(),
    })
    .default({}),
  columns: z.array(columnRuleSchema).default([]),
});
export type MaskingPolicyFile = z.infer<typeof maskingPolicyFileSchema>;
