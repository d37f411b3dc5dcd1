export { applyOperator, type MaskedText, maskSpans, maskText } from './apply.js';
export {
  dropConfigSchema,
  entityTypeNameSchema,
  type FindingOperatorConfig,
  type FindingOperatorName,
  findingOperatorNames,
  findingOperatorSchema,
  generaliseConfigSchema,
  keepConfigSchema,
  type OperatorConfig,
  type OperatorName,
  operatorConfigSchema,
  partialConfigSchema,
  redactConfigSchema,
  replaceConfigSchema,
  tokenizeConfigSchema,
} from './config.js';
export { createMaskContext, type MaskContext } from './context.js';
export { generalise, generalisedUnknown } from './generalise.js';
export { partial } from './partial.js';
export { tokenize } from './tokenize.js';
