/**
 * The shapes every part of the masking toolkit shares: what a detector finds (a typed span), what a detector is,
 * and the sensitivity labels a scan attaches to data.
 */

/** The built-in entity types. Masked text shows them as `<EMAIL>`, `<EMAIL_1>`, … */
export const builtinEntityTypes = [
  'EMAIL',
  'PHONE',
  'US_SSN',
  'CREDIT_CARD',
  'IBAN',
  'IP_ADDRESS',
  'DATE_OF_BIRTH',
  'US_PASSPORT',
  'US_DRIVER_LICENSE',
  'AWS_ACCESS_KEY',
  'GITHUB_TOKEN',
  'SLACK_TOKEN',
  'STRIPE_KEY',
  'JWT',
  'PRIVATE_KEY',
  'SECRET',
  'PERSON',
] as const;

export type BuiltinEntityType = (typeof builtinEntityTypes)[number];

/** A built-in type or a custom detector's (upper case: `[A-Z][A-Z0-9_]*`). */
export type EntityType = BuiltinEntityType | (string & {});

/**
 * Labels a scan attaches to data, so policy can tell a masked export from a raw one: `pii` (anything about a
 * person), `secrets` (credentials), `financial` (cards, bank accounts), `government_id` (SSN, passport, licence),
 * `contact` (email, phone), `network` (IP addresses).
 */
export const sensitivityLabels = ['pii', 'secrets', 'financial', 'government_id', 'contact', 'network'] as const;
export type SensitivityLabel = (typeof sensitivityLabels)[number];

/**
 * A finding: `text.slice(start, end)` is a value of `type`. `score` (0–1) is the detector's confidence — near 1
 * for a format with a checksum that validated, lower for one found by its shape and a cue word.
 */
export interface Span {
  type: EntityType;
  start: number;
  end: number;
  score: number;
}

/**
 * One kind of finding. `detect` appends what it finds in `text` to `spans` (unsorted, overlaps allowed: the
 * scanner resolves them). It must run in time linear in `text.length` on any input — no regex that can backtrack
 * catastrophically — because it sees untrusted data inline in pipelines.
 */
export interface Detector {
  readonly type: EntityType;
  readonly labels: readonly SensitivityLabel[];
  detect(text: string, spans: Span[]): void;
}

/** Finds everything in a text, overlaps resolved (longer, then higher score, wins), sorted by `start`. */
export interface Scanner {
  readonly detectors: readonly Detector[];
  scan(text: string): Span[];
}
