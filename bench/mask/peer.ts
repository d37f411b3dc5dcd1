/**
 * The peer the benchmark compares against: @redactpii/node, a regex redactor (default, non-aggressive mode, all five
 * of its rules). It returns redacted text only, so its spans are recovered by aligning that text against the input:
 * what it left is copied verbatim, each placeholder (`EMAIL_ADDRESS`, `PHONE_NUMBER`, …) stands for one replaced
 * stretch of the input, and its name gives the type.
 */
import { Redactor } from '@redactpii/node';
import type { EntityType } from '../../packages/mask/src/types.js';

export interface FoundSpan {
  type: EntityType;
  start: number;
  end: number;
}

/** The peer's placeholders and the entity types they stand for; every other type it does not detect. */
export const peerPlaceholders: Readonly<Record<string, EntityType>> = {
  CREDIT_CARD_NUMBER: 'CREDIT_CARD',
  EMAIL_ADDRESS: 'EMAIL',
  PERSON_NAME: 'PERSON',
  PHONE_NUMBER: 'PHONE',
  US_SOCIAL_SECURITY_NUMBER: 'US_SSN',
};

export const peerTypes: ReadonlySet<EntityType> = new Set(Object.values(peerPlaceholders));

const placeholderPattern = new RegExp(Object.keys(peerPlaceholders).join('|'), 'g');

type Part = { literal: string } | { placeholders: string[] };

function partsOf(output: string): Part[] {
  const parts: Part[] = [];
  let at = 0;
  for (const match of output.matchAll(placeholderPattern)) {
    if (match.index > at) parts.push({ literal: output.slice(at, match.index) });
    const last = parts[parts.length - 1];
    if (last && 'placeholders' in last && match.index === at) last.placeholders.push(match[0]);
    else parts.push({ placeholders: [match[0]] });
    at = match.index + match[0].length;
  }
  if (at < output.length) parts.push({ literal: output.slice(at) });
  return parts;
}

/**
 * The spans a redactor replaced, given its input and output: `undefined` when the output cannot be explained as the
 * input with stretches replaced by placeholders. Placeholders next to each other share one stretch, which
 * `split(stretch, placeholders)` divides (the peer is asked which split it redacts that way).
 */
export function alignRedaction(
  input: string,
  output: string,
  split: (stretch: string, placeholders: string[]) => number[] | undefined = () => undefined,
): FoundSpan[] | undefined {
  const parts = partsOf(output);
  const spans: FoundSpan[] = [];
  let budget = 10_000;

  const place = (from: number, end: number, placeholders: string[]): boolean => {
    if (placeholders.length === 1) {
      spans.push({ type: peerPlaceholders[placeholders[0] as string] as EntityType, start: from, end });
      return true;
    }
    const cuts = split(input.slice(from, end), placeholders);
    if (!cuts || cuts.length !== placeholders.length - 1) return false;
    let start = from;
    placeholders.forEach((placeholder, i) => {
      const stop = i < cuts.length ? from + (cuts[i] as number) : end;
      spans.push({ type: peerPlaceholders[placeholder] as EntityType, start, end: stop });
      start = stop;
    });
    return true;
  };

  // Depth-first over where each replaced stretch ends: usually the first candidate is right.
  const align = (index: number, at: number): boolean => {
    if (--budget < 0) return false;
    const part = parts[index];
    if (part === undefined) return at === input.length;
    if ('literal' in part) return input.startsWith(part.literal, at) && align(index + 1, at + part.literal.length);
    const next = parts[index + 1];
    const mark = spans.length;
    if (next === undefined) {
      if (at < input.length && place(at, input.length, part.placeholders)) return true;
      spans.length = mark;
      return false;
    }
    const literal = (next as { literal: string }).literal;
    for (let end = input.indexOf(literal, at + 1); end >= 0; end = input.indexOf(literal, end + 1)) {
      if (place(at, end, part.placeholders) && align(index + 1, end)) return true;
      spans.length = mark;
      if (budget < 0) return false;
    }
    return false;
  };

  return align(0, 0) ? spans : undefined;
}

const greeting = /^[.\s]*(?:(?:dear|hi|hello|greetings|hey there|hey)\s+)?/i;

/**
 * The peer as the benchmark drives it. Its name rule captures the name in a group but replaces the whole match
 * (`. Hi Jane Doe`), so a PERSON span is trimmed to the name — the charitable reading of what it meant to mask.
 */
export class PeerRedactor {
  private readonly redactor = new Redactor();
  /** Outputs that could not be aligned with their input (their spans are left out of the score). */
  unaligned = 0;

  redact(text: string): string {
    return this.redactor.redact(text);
  }

  spans(text: string): FoundSpan[] {
    const output = this.redactor.redact(text);
    const spans = alignRedaction(text, output, (stretch, placeholders) => this.split(stretch, placeholders));
    if (!spans) {
      this.unaligned += 1;
      return [];
    }
    for (const span of spans) {
      if (span.type !== 'PERSON') continue;
      const trimmed = greeting.exec(text.slice(span.start, span.end))?.[0].length ?? 0;
      if (trimmed < span.end - span.start) span.start += trimmed;
    }
    return spans;
  }

  /** Where to cut a stretch that became two or more adjacent placeholders: the cuts the peer itself agrees with. */
  private split(stretch: string, placeholders: string[]): number[] | undefined {
    if (placeholders.length !== 2) return undefined;
    for (let cut = 1; cut < stretch.length; cut++) {
      if (
        this.redactor.redact(stretch.slice(0, cut)) === placeholders[0] &&
        this.redactor.redact(stretch.slice(cut)) === placeholders[1]
      ) {
        return [cut];
      }
    }
    return undefined;
  }
}
