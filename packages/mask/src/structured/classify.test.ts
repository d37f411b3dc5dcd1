import { describe, expect, it } from 'vitest';
import { classifyColumns } from './index.js';

describe('classifyColumns', () => {
  const rows = [
    { email: 'ada@example.com', note: 'met at the conference, wants a follow up call', code: 'A1', mixed: 'x' },
    { email: 'bob@example.org', note: 'asked about pricing for the enterprise plan', code: 'B2', mixed: 'c@d.io' },
    { email: '', note: 'write to carol@example.net about the renewal', code: 'C3', mixed: 'y' },
    { email: 'dan@example.com', note: 'no answer on the phone, try again next week', code: 'D4', mixed: 'z' },
  ];

  it('finds the dominant type, its share of non-empty values, labels and a suggestion', () => {
    const result = classifyColumns(rows);
    const byColumn = Object.fromEntries(result.map((c) => [c.column, c]));
    expect(byColumn.email).toMatchObject({ type: 'EMAIL', share: 1, values: 3, suggested: 'tokenize' });
    expect(byColumn.email?.labels).toEqual(expect.arrayContaining(['contact', 'pii']));
    expect(byColumn.note).toMatchObject({ type: 'EMAIL', share: 0.25, values: 4, suggested: 'scan' });
    expect(byColumn.code).toMatchObject({ type: undefined, share: 0, suggested: 'keep', labels: [] });
    expect(byColumn.mixed).toMatchObject({ type: 'EMAIL', share: 0.25, suggested: 'scan' });
  });

  it('takes arrays with a header row, and a threshold', () => {
    const result = classifyColumns(
      [
        ['card', 'who'],
        ['4111111111111111', 'ada@example.com'],
        ['4111111111111111', 'nobody'],
      ],
      { threshold: 0.5 },
    );
    expect(result.map((c) => [c.column, c.type, c.share, c.suggested])).toEqual([
      ['card', 'CREDIT_CARD', 1, 'partial'],
      ['who', 'EMAIL', 0.5, 'tokenize'],
    ]);
    expect(classifyColumns([['who'], ['ada@example.com'], ['nobody']], { threshold: 0.6 })[0]?.suggested).toBe('scan');
  });

  it('samples only the first rows', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ v: i < 10 ? 'plain' : `u${i}@example.com` }));
    expect(classifyColumns(many, { sample: 10 })[0]).toMatchObject({ values: 10, type: undefined });
  });
});
