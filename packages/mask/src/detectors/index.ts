/**
 * Detectors: what in a text is personal data or a secret. The built-ins validate what they find (checksums,
 * issuing rules, libphonenumber) and run in linear time on any input; custom detectors come from configuration and
 * are refused when their pattern could backtrack. A scanner runs them all and settles overlaps.
 */
export { type BuiltinDetectorOptions, builtinDetectors } from './builtins.js';
export { type CustomDetectorConfig, createCustomDetector, customDetectorSchema } from './custom.js';
export { builtinLabels, labelsOf } from './labels.js';
export { defaultPhoneRegions } from './phone.js';
export { createScanner, defaultScanner, type ScannerOptions } from './scanner.js';
export { ibanValid, luhn, ssnValid } from './validators.js';
