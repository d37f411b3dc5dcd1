/**
 * How the core's pass over the names (`assembly/person.ts`, see `knownWords`) finds them: names with an apostrophe
 * second (`O'Brien`) are looked up from after it, and `detect` takes the whole word back; a name is read only where
 * the whole word is one and nothing but a non-letter, non-digit comes before it. The pass reads sixteen code units
 * at a time, so names are also read at every position of its blocks and in its last, shorter one.
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

describe('at every position of the core’s blocks of sixteen code units', () => {
  // Padding of each length from 0 to 33 puts the name, and what comes before it, at every lane of a block, across
  // the edge between two blocks and in the shorter last block.
  const pads = Array.from({ length: 34 }, (_, n) => ' '.repeat(n));

  it.each(pads.map((pad) => [pad.length, pad]))('a name after %i spaces is read', (_, pad) => {
    expect(names(`${pad}Dear Grace,`)).toEqual(['Grace']);
    expect(names(`${pad}Signed by Sean O'Brien`)).toEqual(["Sean O'Brien"]);
    expect(names(`${pad}Jürgen Müller`)).toEqual(['Jürgen Müller']);
    expect(names(`${pad}John Smith`)).toEqual(['John Smith']);
    // The accent is the last unit of the text.
    expect(names(`${pad}Dear José`)).toEqual(['José']);
    // U+00C0, the first letter with an accent.
    expect(names(`${pad}Dear Àlvaro`)).toEqual(['Àlvaro']);
  });

  it.each(pads.map((pad) => [pad.length, pad]))('a name stuck to what comes before it is not, after %i', (_, pad) => {
    for (const before of ['x', 'Q', '7', 'é', 'Ā', "'", '’', "x'", '’O’']) {
      expect(names(`${pad}Dear ${before}Grace,`)).toEqual([]);
    }
  });

  it.each(pads.map((pad) => [pad.length, pad]))('a word that goes on past a name is not one, after %i', (_, pad) => {
    for (const after of ['son', 'é', '-Jones', "'t", '’d']) {
      expect(names(`${pad}Dear Grace${after} today`)).toEqual([]);
    }
    expect(names(`${pad}Dear Grace's dog`)).toEqual(['Grace']);
    expect(names(`${pad}Dear Grace’s dog`)).toEqual(['Grace']);
  });

  it('reads a name that ends the text at any length', () => {
    for (let n = 0; n < 34; n++) {
      expect(names(`${'x '.repeat(n)}Dear Grace`)).toEqual(['Grace']);
      expect(names(`${'x '.repeat(n)}Dear Grace`.slice(0, -1))).toEqual([]);
    }
  });
});
