import { describe, expect, it } from 'vitest';
import type { Span } from '../types.js';
import { emailDetector } from './email.js';

const detector = emailDetector();

function emails(text: string): string[] {
  const spans: Span[] = [];
  detector.detect(text, spans);
  return spans.map((span) => text.slice(span.start, span.end));
}

describe('EMAIL', () => {
  it('finds addresses in prose, brackets and logs, scored 0.95', () => {
    const text = 'Reply to ann.lee+billing@example.co.uk, <bob_o-neil@mail.example.com> or to=ops%team@x.io.';
    expect(emails(text)).toEqual(['ann.lee+billing@example.co.uk', 'bob_o-neil@mail.example.com', 'ops%team@x.io']);
    const spans: Span[] = [];
    detector.detect('a@b.co', spans);
    expect(spans).toEqual([{ type: 'EMAIL', start: 0, end: 6, score: 0.95 }]);
  });

  it('leaves a sentence’s full stop and a mailto: scheme out', () => {
    expect(emails('Write to mailto:ann@example.com.')).toEqual(['ann@example.com']);
  });

  it('takes the well-formed part of a local part with leading or doubled dots', () => {
    expect(emails('x..ann@example.com and .bob@example.com')).toEqual(['ann@example.com', 'bob@example.com']);
  });

  it.each([
    ['a local part ending in a dot', 'ann.@example.com'],
    ['a one-label domain', 'ann@localhost'],
    ['a numeric top-level label', 'ann@example.123'],
    ['a one-letter top-level label', 'ann@example.c'],
    ['a 25-letter top-level label', `ann@example.${'a'.repeat(25)}`],
    ['a doubled dot in the domain', 'ann@example..com'],
    ['a label starting with a hyphen', 'ann@-example.com'],
    ['a label ending with a hyphen', 'ann@example-.com'],
    ['a domain glued to more word', 'ann@example.com3'],
    ['an IP literal', 'ann@10.0.0.1'],
    ['a decorator', '@Component'],
    ['a local part of 65 characters', `${'a'.repeat(65)}@example.com`],
    ['the password in a URL', 'https://x-access-token:ghp_abc123@github.com/acme/api.git'],
    ['the user in a URL', 'postgres://app@db.example.com/main'],
  ])('refuses %s', (_, text) => {
    expect(emails(text)).toEqual([]);
  });

  it('accepts a 64-character local part', () => {
    const local = 'a'.repeat(64);
    expect(emails(`${local}@example.com`)).toEqual([`${local}@example.com`]);
  });

  it('finds the address after a stray @', () => {
    expect(emails('a@b@c.com')).toEqual(['b@c.com']);
  });
});
