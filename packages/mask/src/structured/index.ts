export {
  type ClassifyOptions,
  type ColumnClassification,
  classifyColumns,
  type SuggestedOperator,
} from './classify.js';
export { CsvReader, type CsvReaderOptions, formatCsvRow } from './csv.js';
export { LineSplitter } from './lines.js';
export { type MaskStreamOptions, maskStream } from './mask-stream.js';
export { type MaskObjectOptions, maskObject, redactedValue } from './object.js';
export {
  type ColumnReport,
  type MaskReport,
  otherColumns,
  type ScanFormat,
  type ScanReport,
  type StreamFormat,
} from './report.js';
export { type ScanStreamOptions, scanStream } from './scan-stream.js';
export { isCredentialKey } from './sensitive-keys.js';
export { fileChunkBytes, type StreamInput } from './stream-io.js';
export { type MaskValueOptions, maskValue } from './value.js';
