/**
 * What the PERSON names regex leaves to `detect` to check (see `knownWordPattern`): names with an apostrophe second
 * (`O'Brien`) are matched from after it, and the look-behind lets a name follow the digit 5. Either way a name is
 * read only where the whole word is one and nothing but a non-letter, non-digit comes before it.
 */
import { describe, expect, it } from 'vitest';
import type { Span } from '../types.js';
import { nameSets } from './names.js';
import { personDetector } from './person.js';

const detector = personDetector();

function names(text: string): string[] {
  const spans: Span[] = [];
  detector.detect(text, spans);
  return spans.map((span) => text.slice(span.start, span.end));
}

const { given, surnames } = nameSets();
const withApostrophe = [...given, ...surnames].filter((name) => /^.['\u2019]/.test(name));

describe('names with an apostrophe second', () => {
  it('are on the lists', () => {
    expect(withApostrophe).toContain("O'Brien");
  });

  it.each(withApostrophe)('%s is found whole, alone and after a given name', (name) => {
    expect(names(`Dear ${name},`)).toEqual([name]);
    expect(names(`Signed by Sean ${name} today`)).toEqual([`Sean ${name}`]);
    expect(names(`Dear ${name}'s family`)).toEqual([name]);
  });

  it.each(withApostrophe)('%s is not read stuck to a letter or digit', (name) => {
    expect(names(`Dear x${name},`)).toEqual([]);
    expect(names(`Dear 3${name},`)).toEqual([]);
    expect(names(`Dear é${name},`)).toEqual([]);
  });

  const endsOnly = withApostrophe.map((name) => name.slice(2)).filter((end) => !given.has(end) && !surnames.has(end));

  it.each(endsOnly)('%s, the end of one, is no name of its own', (end) => {
    expect(names(`Dear ${end},`)).toEqual([]);
    expect(names(`Patient: ${end}`)).toEqual([]);
  });

  it('is not any name after a lone letter and apostrophe', () => {
    expect(names("Dear O'John,")).toEqual([]);
    expect(names("Dear O'Smith,")).toEqual([]);
    expect(names("Dear 'Grace',")).toEqual([]);
  });
});

describe('a name stuck to a digit', () => {
  it.each([...'0123456789'])('is not read after %s', (digit) => {
    expect(names(`Dear ${digit}Grace,`)).toEqual([]);
    expect(names(`ID ${digit}John Smith`)).toEqual([]);
    expect(names(`ID ${digit} John Smith`)).toEqual(['John Smith']);
  });
});

describe('accented names', () => {
  it('are read between × and ÷, which are not letters', () => {
    expect(names('×Jürgen Müller÷')).toEqual(['Jürgen Müller']);
  });
});
