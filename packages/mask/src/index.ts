/**
 * `@countersign/mask`: find and mask personal data and secrets in text, JSON, CSV and JSONL. Validated detectors
 * (checksums, issuing rules, libphonenumber) run in linear time on any input; operators replace, redact, partially
 * mask, tokenise with a key, drop, keep or generalise what they find; a masking policy says which per column; the
 * streams mask gigabyte files in constant memory with a report of what was masked. No server dependencies.
 *
 * @example
 * import { maskValue, maskObject, defaultScanner } from '@countersign/mask';
 * maskValue('mail ada@example.com, card 4111 1111 1111 1111'); // 'mail <EMAIL>, card <CREDIT_CARD>'
 * maskObject({ password: 'hunter2', note: 'SSN 123-45-6789' }); // { password: '<REDACTED>', note: 'SSN <US_SSN>' }
 * defaultScanner().scan('ip 203.0.113.9'); // [{ type: 'IP_ADDRESS', start: 3, end: 14, score: … }]
 */
export {
  type BuiltinDetectorOptions,
  builtinDetectors,
  builtinLabels,
  type CustomDetectorConfig,
  createScanner,
  customDetectorSchema,
  defaultPhoneRegions,
  defaultScanner,
  ibanValid,
  labelsOf,
  luhn,
  type ScannerOptions,
  ssnValid,
} from './detectors/index.js';
export { isMaskError, MaskError, type MaskErrorCode, maskErrorCodes, skipInvalidAdvice } from './errors.js';
export {
  createMaskContext,
  type FindingOperatorConfig,
  type FindingOperatorName,
  generalise,
  type MaskContext,
  type OperatorConfig,
  type OperatorName,
  operatorConfigSchema,
  partial,
  tokenize,
} from './operators/index.js';
export {
  loadMaskingPolicy,
  type MaskingPolicy,
  type MaskingPolicyFile,
  maskingPolicyFileSchema,
  type ParseMaskingPolicyOptions,
  parseMaskingPolicy,
} from './policy/index.js';
export {
  type ClassifyOptions,
  type ColumnClassification,
  type ColumnReport,
  classifyColumns,
  fileChunkBytes,
  isCredentialKey,
  type MaskObjectOptions,
  type MaskReport,
  type MaskStreamOptions,
  type MaskValueOptions,
  maskObject,
  maskStream,
  maskValue,
  redactedValue,
  type ScanFormat,
  type ScanReport,
  type ScanStreamOptions,
  type StreamFormat,
  type StreamInput,
  scanStream,
} from './structured/index.js';
export {
  type BuiltinEntityType,
  builtinEntityTypes,
  type Detector,
  type EntityType,
  type Scanner,
  type SensitivityLabel,
  type Span,
  sensitivityLabels,
} from './types.js';

import { defaultScanner } from './detectors/index.js';
import type { Span } from './types.js';

/**
 * Every finding in `text` with the default detectors: typed spans, overlaps resolved, sorted by start.
 *
 * @example scan('mail ada@example.com') // [{ type: 'EMAIL', start: 5, end: 20, score: 0.95 }]
 */
export function scan(text: string): Span[] {
  return defaultScanner().scan(text);
}
