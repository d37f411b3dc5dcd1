import { describe, expect, it } from 'vitest';
import type { Span } from '../types.js';
import { nameSets } from './names.js';
import { personDetector } from './person.js';

const detector = personDetector();

/** The names found in `text`, with their scores. */
function people(text: string): Array<{ text: string; score: number }> {
  const spans: Span[] = [];
  detector.detect(text, spans);
  for (const span of spans) expect(span.type).toBe('PERSON');
  return spans.map((span) => ({ text: text.slice(span.start, span.end), score: span.score }));
}

const names = (text: string) => people(text).map((found) => found.text);

describe('the names list', () => {
  it('holds several hundred given names and surnames from many regions', () => {
    const { given, surnames } = nameSets();
    expect(given.size).toBeGreaterThan(500);
    expect(surnames.size).toBeGreaterThan(500);
    for (const name of ['James', 'Siobhan', 'Jurgen', 'Giulia', 'Alejandro', 'Priya', 'Wei', 'Hiroshi', 'Fatima']) {
      expect(given.has(name)).toBe(true);
    }
    for (const name of ['Smith', 'Garcia', 'Patel', 'Nguyen', 'Muller', 'Kowalski', 'Okafor', 'Tanaka', 'Zhang']) {
      expect(surnames.has(name)).toBe(true);
    }
  });
});

describe('PERSON: given name and surname', () => {
  it.each([
    ['Please ask John Smith about it.', 'John Smith'],
    ['Signed off: Priya Sharma, Finance', 'Priya Sharma'],
    ['Meeting with Alejandro Gonzalez and team', 'Alejandro Gonzalez'],
    ['Escalated to Wei Zhang yesterday', 'Wei Zhang'],
    ['Invoice approved by Siobhan Murphy', 'Siobhan Murphy'],
    ['Our contact is Hiroshi Tanaka.', 'Hiroshi Tanaka'],
  ])('%s → %s at 0.85', (text, name) => {
    expect(people(text)).toEqual([{ text: name, score: 0.85 }]);
  });

  it('accepts a middle initial, a second given name, apostrophes, hyphens and a possessive', () => {
    expect(names('Report by John Q. Smith on Tuesday')).toEqual(['John Q. Smith']);
    expect(names('Mary Ann Smith signed')).toEqual(['Mary Ann Smith']);
    expect(names('Thanks to Sean O\u2019Brien and Emma Smith-Jones')).toEqual([
      'Sean O\u2019Brien',
      'Emma Smith-Jones',
    ]);
    expect(names("Kevin McDonald's notes")).toEqual(['Kevin McDonald']);
  });

  it('reads a name only as a whole word', () => {
    expect(people('Dear Johnson, thanks')).toEqual([{ text: 'Johnson', score: 0.75 }]);
    expect(names('Dear Smithson, thanks')).toEqual([]);
    expect(names('9John Smith and xJohn Smith')).toEqual([]);
    // An underscore or a hyphen does not join words here.
    expect(names('user_John Smith called')).toEqual(['John Smith']);
    expect(names('ticket-John Smith called')).toEqual(['John Smith']);
  });

  it('takes an unambiguous given name with any capitalised word at 0.7', () => {
    expect(people('Call Priya Venkataraman today')).toEqual([{ text: 'Priya Venkataraman', score: 0.7 }]);
    expect(people('Élodie and Jurgen Überhuber')).toEqual([{ text: 'Jurgen Überhuber', score: 0.7 }]);
  });

  it('reads names through their accents (the lists are romanised)', () => {
    expect(people('Ask Jürgen Müller')).toEqual([{ text: 'Jürgen Müller', score: 0.85 }]);
    expect(names('Spoke with François Lefèvre and João Gonçalves')).toEqual(['François Lefèvre', 'João Gonçalves']);
    expect(names('Zoë Okafor approved')).toEqual(['Zoë Okafor']);
  });

  it('takes a third word after a second given name, and a second surname', () => {
    expect(people('Spoke with Nancy Gabriela Novak today')).toEqual([{ text: 'Nancy Gabriela Novak', score: 0.7 }]);
    expect(people('Maria Garcia Lopez called')).toEqual([{ text: 'Maria Garcia Lopez', score: 0.85 }]);
    // ...but not an everyday word or a month
    expect(names('Thanks Mary Ann Monday')).toEqual(['Mary Ann']);
  });

  it('keeps surname particles with the surname', () => {
    expect(people('Emergency contact: Lena van der Berg')).toEqual([{ text: 'Lena van der Berg', score: 0.85 }]);
    expect(names('Ana de la Cruz signed')).toEqual(['Ana de la Cruz']);
    expect(names('Lucas and the rest')).toEqual([]);
  });

  it('does not take a company for a person', () => {
    expect(names('Account: Wayne Enterprises (Austin)')).toEqual([]);
    expect(names('Jordan Industries and Chase Holdings')).toEqual([]);
  });

  it('takes an unlisted given name before a known surname after a cue', () => {
    expect(people('Owner: Ximenez Nair')).toEqual([{ text: 'Ximenez Nair', score: 0.75 }]);
    expect(names('The Nair report')).toEqual([]);
  });

  it('needs a known surname after a given name that is also a word', () => {
    expect(names('Will Smith and Mark Johnson attended')).toEqual(['Will Smith', 'Mark Johnson']);
    expect(names('Will Microsoft ship it? Mark Down the price.')).toEqual([]);
    expect(names('Grant Thornton audited us; Rose Garden caters.')).toEqual([]);
    // ...and a surname that is not a word itself
    expect(names('Will Young Professionals join?')).toEqual([]);
  });
});

describe('PERSON: honorifics', () => {
  it.each([
    ['Dr. Jane Okafor will see you', 'Jane Okafor'],
    ['Mr Brown called', 'Brown'],
    ['Ask Mrs. Featherstonehaugh', 'Featherstonehaugh'],
    ['Prof. J. R. Tolkien wrote', 'J. R. Tolkien'],
    ['Ms Zanele Dlamini, CFO', 'Zanele Dlamini'],
    ['Mx. Quinn', 'Quinn'],
  ])('%s → %s at 0.85, the honorific outside', (text, name) => {
    expect(people(text)).toEqual([{ text: name, score: 0.85 }]);
  });

  it('does not take a following function word, day or month', () => {
    expect(names('Dr. The')).toEqual([]);
    expect(names('Mr. Monday')).toEqual([]);
    expect(names('Mr. and Mrs. are titles')).toEqual([]);
  });
});

describe('PERSON: a known name after a cue', () => {
  it.each([
    ['Dear Grant,', 'Grant'],
    ['Hi Will, thanks', 'Will'],
    ['patient: Nguyen', 'Nguyen'],
    ['{"name": "Rose"}', 'Rose'],
    ['customer Bill called', 'Bill'],
    ['Signed by Mark', 'Mark'],
    ['From: Priya', 'Priya'],
    ['employee: Kowalski', 'Kowalski'],
  ])('%s → %s at 0.75', (text, name) => {
    expect(people(text)).toEqual([{ text: name, score: 0.75 }]);
  });

  it('does not read "by May" or "from April" as people', () => {
    expect(names('Payment is due by May and the plan runs from April.')).toEqual([]);
    expect(names('Delivered by Friday from Green Street')).toEqual([]);
    expect(names('The budget must be approved by May.')).toEqual([]);
  });

  it('does not flag a lone known name without a cue', () => {
    expect(names('Thanks again to Priya for the figures.')).toEqual([]);
    expect(names('The Smith account renews in June.')).toEqual([]);
  });
});

describe('PERSON: ordinary prose', () => {
  it('finds no one in business prose full of words that are also names', () => {
    const prose = `In May the board approved a grant for the new research program. Will the finance team be ready to
close the books by June? The bill for the consulting work arrived in April, and we paid it within thirty days.
Please mark the date: the annual review takes place on Monday, 14 October, in the New York office. Mark the date
in your calendar as well.

Grant applications are due at the end of the quarter. Our Sales Report for Europe shows steady growth, and the
Customer Success team closed more tickets than in March. May we remind everyone that expense claims must include
receipts? Bill payments above the approval limit need a second signature from Finance. Will it rain on the day?

The Summer Offsite moves to San Francisco this year, near the Golden Gate Bridge. Will anyone from Engineering
present the Product Roadmap? We expect Microsoft Teams and Google Sheets to remain our main tools, and Rose Garden
Catering will provide lunch. Georgia Pacific has confirmed the paper order, Hong Kong sales are flat, and August
figures arrive on Friday. Hope to see you all there. Grant, Will, Bill and Mark are all common English words.`;
    expect(people(prose)).toEqual([]);
  });

  it('does not take place names and sentence-initial words for people', () => {
    expect(names('San Jose Airport and Santa Clara County, Los Angeles, St Helena Island')).toEqual([]);
    expect(names('Jordan River flows south. Victoria Station is busy. Sydney Harbour.')).toEqual([]);
    expect(names('January February March April May June July August')).toEqual([]);
  });
});

describe('PERSON: words read straight from the text, not sliced out', () => {
  it('compares cue words in any case, but only whole and without accents', () => {
    expect(people('APPROVED BY Mark')).toEqual([{ text: 'Mark', score: 0.75 }]);
    expect(people('DEAR Grant,')).toEqual([{ text: 'Grant', score: 0.75 }]);
    expect(people('NAME: Rose')).toEqual([{ text: 'Rose', score: 0.75 }]);
    expect(names('Renamed Will')).toEqual([]);
    expect(names('named Will')).toEqual([]);
    expect(names('approvéd by Mark')).toEqual([]);
  });

  it('compares place prefixes and surname particles exactly', () => {
    expect(names('San Jose Smith')).toEqual([]);
    expect(names('SAN Jose Smith')).toEqual(['Jose Smith']);
    expect(names('Lena van der Berg')).toEqual(['Lena van der Berg']);
    expect(names('Lena VAN der Berg')).toEqual([]);
    expect(names('Lena vän der Berg')).toEqual([]);
  });

  it("is not kept from an accented name by another detector's span already in the list", () => {
    const spans: Span[] = [{ type: 'EMAIL', start: 0, end: 40, score: 1 }];
    detector.detect('Ask Jürgen Müller', spans);
    expect(spans.slice(1)).toEqual([{ type: 'PERSON', start: 4, end: 17, score: 0.85 }]);
  });

  it('is not kept from an accented name by PERSON spans of an earlier text in the same list', () => {
    const spans: Span[] = [{ type: 'PERSON', start: 0, end: 40, score: 0.85 }];
    detector.detect('Ask Jürgen Müller', spans);
    expect(spans.slice(1)).toEqual([{ type: 'PERSON', start: 4, end: 17, score: 0.85 }]);
  });
});

describe('PERSON: adversarial input runs in linear time', () => {
  const size = 200_000;
  it.each([
    'Mr. ',
    'Dr ',
    'John ',
    'John Q. ',
    'A ',
    'Aa',
    'Dear ',
    'Dear John ',
    "O'",
    'a',
    'Prof. J. ',
    'Abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz ',
  ])(
    '%j repeated to 200 KB',
    (unit) => {
      const text = unit.repeat(Math.ceil(size / unit.length));
      const spans: Span[] = [];
      detector.detect(text, spans);
      for (const span of spans) expect(span.end).toBeGreaterThan(span.start);
    },
    3000,
  );
});
