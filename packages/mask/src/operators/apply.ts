import type { EntityType, Scanner, Span } from '../types.js';
import type { OperatorConfig } from './config.js';
import type { MaskContext } from './context.js';
import { generalise } from './generalise.js';
import { partial } from './partial.js';
import { tokenize } from './tokenize.js';

/** The type a `replace` of a whole value shows when neither the rule nor a finding names one. */
const unnamedType = 'REDACTED';

/**
 * Masks one whole value. Returns `undefined` for `drop` (the caller removes the field or column); `type` is the
 * entity type the value is known to be, used by `replace` when its config names none.
 *
 * @example
 * applyOperator('123-45-6789', { operator: 'partial' }, context) // '***-**-6789'
 * applyOperator('Ada Lovelace', { operator: 'replace', type: 'PERSON' }, context) // '<PERSON>'
 */
export function applyOperator(
  value: string,
  config: OperatorConfig,
  context: MaskContext,
  type?: EntityType,
): string | undefined {
  switch (config.operator) {
    case 'redact':
      return '';
    case 'replace': {
      const name = config.type ?? type ?? unnamedType;
      return config.numbered ? `<${name}_${context.number(name, value)}>` : `<${name}>`;
    }
    case 'partial':
      return partial(value, config.keep);
    case 'tokenize':
      return tokenize(value, context);
    case 'drop':
      return undefined;
    case 'keep':
      return value;
    case 'generalise':
      return generalise(value, config.bucket);
  }
}

/** Masked text and where each finding's replacement sits in it. */
export interface MaskedText {
  text: string;
  /** The findings, in order, with `start`/`end` locating their replacements in the masked `text`. */
  spans: Span[];
}

/**
 * Applies `operator` to each span of `text` (sorted, non-overlapping, as a scanner returns them). `drop` and
 * `redact` remove the finding; `replace` shows the span's own type.
 */
export function maskSpans(
  text: string,
  spans: readonly Span[],
  operator: OperatorConfig,
  context: MaskContext,
): MaskedText {
  if (spans.length === 0) return { text, spans: [] };
  // A long text's pieces are joined at the end, into one flat string: concatenated, they would be a tree of
  // hundreds of pieces that every later reader (escaping it as JSON, encoding it) first flattens, which costs
  // several times more.
  const pieces: string[] | undefined = text.length >= longText ? [] : undefined;
  const out: Span[] = [];
  let masked = '';
  let length = 0;
  let from = 0;
  for (const span of spans) {
    const before = text.slice(from, span.start);
    const replacement = applyOperator(text.slice(span.start, span.end), operator, context, span.type) ?? '';
    length += before.length;
    out.push({ type: span.type, start: length, end: length + replacement.length, score: span.score });
    length += replacement.length;
    if (pieces) pieces.push(before, replacement);
    else {
      masked += before;
      masked += replacement;
    }
    from = span.end;
  }
  if (pieces) {
    pieces.push(text.slice(from));
    return { text: pieces.join(''), spans: out };
  }
  return { text: masked + text.slice(from), spans: out };
}

/** Texts at least this long are masked into an array of pieces and joined once (see {@link maskSpans}). */
const longText = 4_096;

/**
 * Scans `text` and masks every finding with `operator`.
 *
 * @example
 * maskText('mail ada@example.com', scanner, { operator: 'replace' }, createMaskContext()) // 'mail <EMAIL>'
 */
export function maskText(text: string, scanner: Scanner, operator: OperatorConfig, context: MaskContext): string {
  if (text.length === 0) return text;
  return maskSpans(text, scanner.scan(text), operator, context).text;
}
