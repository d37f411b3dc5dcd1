import { defaultScanner } from '../detectors/index.js';
import {
  createMaskContext,
  type FindingOperatorConfig,
  type FindingOperatorName,
  type MaskContext,
  maskText,
} from '../operators/index.js';
import type { Scanner } from '../types.js';

/** How content is masked: which detectors, what each finding becomes. */
export interface MaskValueOptions {
  /** Default: {@link defaultScanner} (every built-in detector). */
  scanner?: Scanner;
  /** The operator for each finding; default `replace` (`<EMAIL>`). */
  findings?: FindingOperatorConfig | FindingOperatorName;
  /** Shorthand for `findings: { operator: 'replace', numbered: true }`. */
  numbered?: boolean;
  /** The tokenisation key, when `findings` is `tokenize` (ignored when `context` is given). */
  key?: string;
  /** Shares `<EMAIL_1>` numbering (and the key) across calls: pass one context per document. */
  context?: MaskContext;
}

/** The options resolved once, for masking many values. */
export interface ResolvedMaskOptions {
  scanner: Scanner;
  findings: FindingOperatorConfig;
  context: MaskContext;
}

export function resolveMaskOptions(options: MaskValueOptions): ResolvedMaskOptions {
  const findings: FindingOperatorConfig =
    typeof options.findings === 'string'
      ? ({ operator: options.findings } as FindingOperatorConfig)
      : (options.findings ?? { operator: 'replace' });
  return {
    scanner: options.scanner ?? defaultScanner(),
    findings: options.numbered && findings.operator === 'replace' ? { ...findings, numbered: true } : findings,
    context: options.context ?? createMaskContext({ key: options.key }),
  };
}

/**
 * Masks every finding in `text` (by default each becomes `<TYPE>`).
 *
 * @example
 * maskValue('Call 555-0100 or mail ada@example.com') // 'Call <PHONE> or mail <EMAIL>'
 * maskValue('ada@example.com', { findings: 'tokenize', key }) // 'tok_…'
 */
export function maskValue(text: string, options: MaskValueOptions = {}): string {
  const { scanner, findings, context } = resolveMaskOptions(options);
  return maskText(text, scanner, findings, context);
}
