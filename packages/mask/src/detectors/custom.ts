import { z } from 'zod';
import { MaskError } from '../errors.js';
import { builtinEntityTypes, type Detector, type SensitivityLabel, type Span, sensitivityLabels } from '../types.js';
import { digitsOf, isAsciiLetter, isDigit } from './characters.js';
import { cueWindow, recordBoundary } from './cues.js';
import { unsafePatternReason } from './pattern-safety.js';
import { luhn, mod97 } from './validators.js';

/**
 * A detector from configuration: a type name, a regex, and optionally cue words, a checksum and labels.
 *
 * @example
 * { type: 'EMPLOYEE_ID', pattern: 'EMP-\\d{6}', cues: ['employee'], labels: ['pii'], score: 0.9 }
 */
export const customDetectorSchema = z.strictObject({
  /** Upper case, `[A-Z][A-Z0-9_]*`, not a built-in type's name. */
  type: z
    .string()
    .max(64)
    .regex(/^[A-Z][A-Z0-9_]*$/, 'expected an upper-case type name such as EMPLOYEE_ID'),
  /** A JavaScript regex source, run with the `g` flag; refused when it could backtrack (see below). */
  pattern: z.string().min(1).max(1000),
  /** `i` for case-insensitive; no other flag. */
  flags: z.literal('i').optional(),
  /** Words one of which must appear within 40 characters before a match (case-insensitive); none: no cue needed. */
  cues: z.array(z.string().min(1).max(64)).min(1).optional(),
  /** A checksum a match must pass: `luhn` over its digits, `mod97` as IBANs compute it over its letters and digits. */
  validator: z.enum(['none', 'luhn', 'mod97']).optional(),
  /** Default `['pii']`. */
  labels: z.array(z.enum(sensitivityLabels)).min(1).optional(),
  /** 0.5–1; default 0.8. */
  score: z.number().min(0.5).max(1).optional(),
});

export type CustomDetectorConfig = z.infer<typeof customDetectorSchema>;

const builtinTypes = new Set<string>(builtinEntityTypes);

/**
 * Builds a custom detector, or throws `MaskError('mask_detector_invalid')` naming the detector and what is wrong:
 * a malformed config, a pattern that does not compile, or one that could backtrack — backreferences, lookarounds,
 * unbounded or nested repetition, repeated alternation, adjacent variable repetitions over the same characters
 * (the rules are in `pattern-safety.ts`). A safe pattern costs at most O(n · 256) on n characters.
 *
 * @example
 * const detector = createCustomDetector({ type: 'EMPLOYEE_ID', pattern: 'EMP-\\d{6}' });
 */
export function createCustomDetector(config: unknown): Detector {
  const parsed = customDetectorSchema.safeParse(config);
  const named = typeNamed(config);
  const name = named === undefined ? 'a custom detector' : `custom detector ${named}`;
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join('.');
    throw new MaskError('mask_detector_invalid', `${name}: ${path === '' ? '' : `${path}: `}${issue.message}`, {
      type: named,
      path: issue.path.map(String),
    });
  }
  const { type, pattern, flags, cues, validator = 'none', labels = ['pii'], score = 0.8 } = parsed.data;
  if (builtinTypes.has(type)) {
    const message = `${name}: ${type} is a built-in type; give the custom one its own name`;
    throw new MaskError('mask_detector_invalid', message, { type });
  }
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, flags === 'i' ? 'gi' : 'g');
  } catch (error) {
    throw new MaskError('mask_detector_invalid', `${name}: the pattern does not compile: ${(error as Error).message}`, {
      type,
    });
  }
  const reason = unsafePatternReason(pattern, flags === 'i');
  if (reason !== undefined) {
    throw new MaskError('mask_detector_invalid', `${name}: the pattern is refused because of ${reason}`, {
      type,
      reason,
    });
  }

  const cueWords = cues?.map((cue) => cue.toLowerCase());
  const passes = validators[validator];
  return Object.freeze({
    type,
    labels: Object.freeze([...new Set(labels)]) as readonly SensitivityLabel[],
    detect(text: string, spans: Span[]): void {
      regex.lastIndex = 0;
      for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
        const value = match[0];
        if (value.length === 0) {
          regex.lastIndex++;
          continue;
        }
        if (cueWords !== undefined && !hasCueWord(text, match.index, cueWords)) continue;
        if (!passes(value)) continue;
        spans.push({ type, start: match.index, end: match.index + value.length, score });
      }
    },
  });
}

const validators: Record<'none' | 'luhn' | 'mod97', (value: string) => boolean> = {
  none: () => true,
  luhn: (value) => luhn(digitsOf(value)),
  mod97: (value) => mod97(value.replace(/[^0-9A-Za-z]/g, '').toUpperCase()) === 1,
};

/** One of `cues` as a whole word within the 40 characters before `start`, in the same record. */
function hasCueWord(text: string, start: number, cues: readonly string[]): boolean {
  let window = text.slice(Math.max(0, start - cueWindow), start).toLowerCase();
  const boundary = window.lastIndexOf(recordBoundary);
  if (boundary !== -1) window = window.slice(boundary + recordBoundary.length);
  for (const cue of cues) {
    for (let at = window.indexOf(cue); at !== -1; at = window.indexOf(cue, at + 1)) {
      const before = window.charCodeAt(at - 1);
      const after = window.charCodeAt(at + cue.length);
      if (!isWordCode(before) && !isWordCode(after)) return true;
    }
  }
  return false;
}

function isWordCode(code: number): boolean {
  return isDigit(code) || isAsciiLetter(code);
}

/** The config's `type`, when it has a plausible one to name it by in a message. */
function typeNamed(config: unknown): string | undefined {
  const type = (config as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.length <= 64 ? type : undefined;
}
