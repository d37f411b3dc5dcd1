export {
  type ColumnOperatorConfig,
  type ColumnRule,
  columnRuleFor,
  fieldRuleFor,
  loadMaskingPolicy,
  type MaskingPolicy,
  type ParseMaskingPolicyOptions,
  parseMaskingPolicy,
} from './load.js';
export { type ColumnPattern, compileColumnPattern } from './pattern.js';
export { type ColumnRuleConfig, columnRuleSchema, type MaskingPolicyFile, maskingPolicyFileSchema } from './schema.js';
export type { PolicyIssue } from './source.js';
