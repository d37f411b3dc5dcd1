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
