import { describe, expect, it } from 'vitest';
import type { LabelledSpan } from './corpus.js';
import { alignRedaction, PeerRedactor } from './peer.js';
import { f2, overlapRatio, QualityTally, spansMatch } from './quality.js';

const truth = (start: number, end: number, type: LabelledSpan['type'] = 'EMAIL'): LabelledSpan => ({
  type,
  start,
  end,
});

describe('the match rule: same type and |∩| / max(len) ≥ 0.9', () => {
  it('matches an exact span and rejects a disjoint one', () => {
    expect(overlapRatio(truth(10, 20), truth(10, 20))).toBe(1);
    expect(overlapRatio(truth(10, 20), truth(20, 30))).toBe(0);
    expect(spansMatch(truth(10, 20), truth(10, 20))).toBe(true);
  });

  it('rejects a span covering 89% of the value and accepts one covering 91%', () => {
    expect(spansMatch(truth(0, 100), truth(0, 89))).toBe(false);
    expect(spansMatch(truth(0, 100), truth(0, 91))).toBe(true);
    expect(spansMatch(truth(0, 100), truth(11, 100))).toBe(false);
    expect(spansMatch(truth(0, 100), truth(9, 100))).toBe(true);
  });

  it('measures against the longer span, so a found span ~11% too long no longer counts', () => {
    expect(spansMatch(truth(0, 100), truth(0, 111))).toBe(true); // 100/111 = 0.901
    expect(spansMatch(truth(0, 100), truth(0, 112))).toBe(false); // 100/112 = 0.893
    expect(spansMatch(truth(5, 105), truth(0, 110))).toBe(true); // 100/110 = 0.909
  });

  it('never matches a span of another type', () => {
    expect(spansMatch(truth(0, 10, 'EMAIL'), truth(0, 10, 'PHONE'))).toBe(false);
  });
});

describe('precision, recall and F2 per type', () => {
  it('scores a perfect finder 1, 1, 1', () => {
    const tally = new QualityTally();
    tally.add([truth(0, 10), truth(20, 30, 'PHONE')], [truth(0, 10), truth(20, 30, 'PHONE')]);
    expect(tally.byType('EMAIL')).toMatchObject({ precision: 1, recall: 1, f2: 1 });
    expect(tally.overall()).toMatchObject({ truths: 2, found: 2, matched: 2 });
  });

  it('counts a span found twice once', () => {
    const tally = new QualityTally();
    const comparison = tally.add([truth(0, 10)], [truth(0, 10), truth(0, 10)]);
    expect(tally.byType('EMAIL')).toMatchObject({ found: 1, matched: 1, precision: 1, recall: 1 });
    expect(comparison).toEqual({ missed: [], spurious: [] });
  });

  it('matches one to one: a second, slightly different span on the same value is a false positive', () => {
    const tally = new QualityTally();
    const comparison = tally.add([truth(0, 100)], [truth(0, 100), truth(0, 99)]);
    expect(tally.byType('EMAIL')).toMatchObject({ found: 2, matched: 1, precision: 0.5, recall: 1 });
    expect(comparison.spurious).toEqual([truth(0, 99)]);
  });

  it('charges a wrong type as a miss of the truth type and a false positive of the found type', () => {
    const tally = new QualityTally();
    const comparison = tally.add([truth(0, 10, 'US_SSN')], [truth(0, 10, 'PHONE')]);
    expect(tally.byType('US_SSN')).toMatchObject({ truths: 1, found: 0, precision: undefined, recall: 0, f2: 0 });
    expect(tally.byType('PHONE')).toMatchObject({ truths: 0, found: 1, precision: 0, recall: undefined });
    expect(comparison.missed).toEqual([truth(0, 10, 'US_SSN')]);
  });

  it('weighs recall four times precision', () => {
    expect(f2(0.5, 1)).toBeCloseTo(0.8333, 4);
    expect(f2(1, 0.5)).toBeCloseTo(0.5556, 4);
    expect(f2(0, 0)).toBe(0);
    const tally = new QualityTally();
    tally.add([truth(0, 10), truth(20, 30)], [truth(0, 10), truth(40, 50), truth(60, 70)]);
    const score = tally.byType('EMAIL');
    expect(score).toMatchObject({ precision: 1 / 3, recall: 0.5 });
    expect(score.f2).toBeCloseTo(f2(1 / 3, 0.5), 10);
  });

  it('micro-averages over the types asked for', () => {
    const tally = new QualityTally();
    tally.add([truth(0, 10), truth(20, 30, 'PHONE')], [truth(0, 10)]);
    expect(tally.overall()).toMatchObject({ truths: 2, found: 1, matched: 1, recall: 0.5 });
    expect(tally.overall(['PHONE'])).toMatchObject({ truths: 1, found: 0, recall: 0 });
  });
});

describe("recovering the peer's spans from its redacted text", () => {
  it('aligns placeholders with the stretches they replaced', () => {
    expect(alignRedaction('mail a@b.co now', 'mail EMAIL_ADDRESS now')).toEqual([{ type: 'EMAIL', start: 5, end: 11 }]);
    expect(alignRedaction('x 1 y 2', 'x PHONE_NUMBER y US_SOCIAL_SECURITY_NUMBER')).toEqual([
      { type: 'PHONE', start: 2, end: 3 },
      { type: 'US_SSN', start: 6, end: 7 },
    ]);
  });

  it('backtracks when the text after a placeholder also occurs inside the replaced stretch', () => {
    expect(alignRedaction('QaRa', 'PHONE_NUMBERa')).toEqual([{ type: 'PHONE', start: 0, end: 3 }]);
  });

  it('gives up on output that is not the input with stretches replaced', () => {
    expect(alignRedaction('hello world', 'hello EMAIL_ADDRESS!')).toBeUndefined();
    expect(alignRedaction('same', 'same')).toEqual([]);
  });

  it("finds the peer's own examples, with the name trimmed of the greeting its pattern consumes", () => {
    const peer = new PeerRedactor();
    const text = 'Hi David Johnson, call 555-555-5555 or write to jane@example.com';
    expect(peer.spans(text)).toEqual([
      { type: 'PERSON', start: 3, end: 16 },
      { type: 'PHONE', start: 23, end: 35 },
      { type: 'EMAIL', start: 48, end: 64 },
    ]);
    expect(peer.unaligned).toBe(0);
  });
});
