import { z } from 'zod';

/** An entity type name as masked text shows it: `EMAIL`, `EMPLOYEE_ID`. */
export const entityTypeNameSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'expected an upper-case type name such as PERSON or EMPLOYEE_ID');

/** Blank the value (a whole value becomes `''`; a finding in text is removed). */
export const redactConfigSchema = z.strictObject({ operator: z.literal('redact') });

/**
 * Replace with `<TYPE>` (the finding's type, or `type` for a whole value). With `numbered`, equal values within one
 * document share a number: `<EMAIL_1>`, the next distinct value `<EMAIL_2>`.
 */
export const replaceConfigSchema = z.strictObject({
  operator: z.literal('replace'),
  type: entityTypeNameSchema.optional(),
  numbered: z.boolean().optional(),
});

/** Keep the last `keep` characters (default 4), mask the rest with `*`, keeping separators so the shape shows. */
export const partialConfigSchema = z.strictObject({
  operator: z.literal('partial'),
  keep: z.number().int().min(0).max(64).optional(),
});

/** A keyed, deterministic token: `tok_` + 24 hex characters of HMAC-SHA256(key, value). Joins still work. */
export const tokenizeConfigSchema = z.strictObject({ operator: z.literal('tokenize') });

/** Remove the field or column altogether. */
export const dropConfigSchema = z.strictObject({ operator: z.literal('drop') });

/** Pass the value through unchanged. */
export const keepConfigSchema = z.strictObject({ operator: z.literal('keep') });

/** Dates become their year, numbers a bucket of width `bucket` (default 10); anything else `<REDACTED>`. */
export const generaliseConfigSchema = z.strictObject({
  operator: z.literal('generalise'),
  bucket: z.number().int().positive().optional(),
});

/** How to mask a value or a finding. */
export const operatorConfigSchema = z.discriminatedUnion('operator', [
  redactConfigSchema,
  replaceConfigSchema,
  partialConfigSchema,
  tokenizeConfigSchema,
  dropConfigSchema,
  keepConfigSchema,
  generaliseConfigSchema,
]);
export type OperatorConfig = z.infer<typeof operatorConfigSchema>;
export type OperatorName = OperatorConfig['operator'];

/** The operators that make sense for a finding inside scanned text. */
export const findingOperatorSchema = z.discriminatedUnion('operator', [
  replaceConfigSchema,
  redactConfigSchema,
  partialConfigSchema,
  tokenizeConfigSchema,
]);
export type FindingOperatorConfig = z.infer<typeof findingOperatorSchema>;
export type FindingOperatorName = FindingOperatorConfig['operator'];
export const findingOperatorNames = [
  'replace',
  'redact',
  'partial',
  'tokenize',
] as const satisfies readonly FindingOperatorName[];
