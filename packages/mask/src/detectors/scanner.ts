import { type CountryCode, isSupportedCountry } from 'libphonenumber-js/max';
import { MaskError } from '../errors.js';
import { builtinEntityTypes, type Detector, type EntityType, type Scanner, type Span } from '../types.js';
import { builtinDetectors } from './builtins.js';
import { type CustomDetectorConfig, createCustomDetector } from './custom.js';
import { resolveOverlaps } from './overlaps.js';
import { isIndexedDetector, TextIndex } from './text-index.js';

export interface ScannerOptions {
  /** Only these built-in types (`[]`: none); default all. */
  types?: readonly EntityType[];
  /** Detectors from configuration, validated and checked for unsafe patterns. */
  custom?: readonly CustomDetectorConfig[];
  /** Regions whose national phone formats are read; default US, GB, DE, FR, IN, BR, AU, CA. */
  phoneRegions?: readonly CountryCode[];
  /** Findings scoring below this are dropped before overlaps are resolved; default 0. */
  minScore?: number;
}

const builtinTypes = new Set<string>(builtinEntityTypes);

/**
 * A scanner over the built-in detectors (all, or `types`) and any custom ones. Its `scan` runs every detector,
 * drops findings under `minScore`, and resolves overlaps: longer span, then higher score, then earlier start, then
 * type name; the result is sorted by start and non-overlapping. Throws `MaskError('mask_detector_invalid')` for an
 * unknown type or region, a bad `minScore`, or a custom detector that is malformed, unsafe or a duplicate.
 *
 * @example
 * const scanner = createScanner({ types: ['EMAIL'], custom: [{ type: 'EMPLOYEE_ID', pattern: 'EMP-\\d{6}' }] });
 * scanner.scan('mail ann@example.com about EMP-004211');
 * // [{ type: 'EMAIL', start: 5, end: 20, score: 0.95 }, { type: 'EMPLOYEE_ID', start: 27, end: 37, score: 0.8 }]
 */
export function createScanner(options: ScannerOptions = {}): Scanner {
  const { types, custom = [], phoneRegions, minScore = 0 } = options;
  for (const type of types ?? []) {
    if (!builtinTypes.has(type)) {
      throw new MaskError(
        'mask_detector_invalid',
        `unknown built-in type ${type}: expected one of ${builtinEntityTypes.join(', ')}`,
        {
          type,
        },
      );
    }
  }
  for (const region of phoneRegions ?? []) {
    if (!isSupportedCountry(region)) {
      throw new MaskError(
        'mask_detector_invalid',
        `unknown phone region ${region}: expected a two-letter region such as US or GB`,
        {
          region,
        },
      );
    }
  }
  if (typeof minScore !== 'number' || !(minScore >= 0 && minScore <= 1)) {
    throw new MaskError('mask_detector_invalid', `minScore must be a number from 0 to 1, got ${String(minScore)}`);
  }
  const customDetectors = custom.map((config) => createCustomDetector(config));
  const seen = new Set<string>();
  for (const detector of customDetectors) {
    if (seen.has(detector.type)) {
      throw new MaskError('mask_detector_invalid', `custom detector ${detector.type} is defined twice`, {
        type: detector.type,
      });
    }
    seen.add(detector.type);
  }
  const detectors: readonly Detector[] = Object.freeze([
    ...builtinDetectors({ ...(types && { types }), ...(phoneRegions && { phoneRegions }) }),
    ...customDetectors,
  ]);

  // The built-ins share one index of the text; the others see the text.
  const indexed = detectors.filter(isIndexedDetector);
  const plain = detectors.filter((detector) => !isIndexedDetector(detector));
  return Object.freeze({
    detectors,
    scan(text: string): Span[] {
      if (text.length === 0) return [];
      const index = new TextIndex(text);
      const spans: Span[] = [];
      for (const detector of indexed) detector.detectIn(index, spans);
      for (const detector of plain) detector.detect(text, spans);
      return resolveOverlaps(minScore > 0 ? spans.filter((span) => span.score >= minScore) : spans);
    },
  });
}

let memoised: Scanner | undefined;

/** The scanner with every built-in detector and default options, built once. */
export function defaultScanner(): Scanner {
  memoised ??= createScanner();
  return memoised;
}
