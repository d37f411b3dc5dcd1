import type { Action, JsonValue } from '@countersign/core';

/**
 * The one place where what channels show is masked: every notification's action passes through
 * {@link redactForChannels} before a channel sees it, so chat and webhook receivers never hold raw personal data or
 * secrets. Fields named sensitive in config are replaced whole; every other string is scanned by the value
 * detectors. The masking toolkit (`packages/mask`) will plug its full detectors in here.
 */
export interface RedactionRules {
  /** Key names (`ssn`), globs over key names (`*_token`) or dotted paths (`params.customer.email`, `context.*`). */
  sensitiveFields: readonly string[];
}

/** Key names masked whatever the config says: credentials are never worth showing a reviewer. */
const alwaysSensitive = [
  'password',
  'passwd',
  'secret',
  '*_secret',
  'token',
  '*_token',
  'api_key',
  'apikey',
  'authorization',
];

/** The action with sensitive fields and values masked (a new object; the input is not changed). */
export function redactForChannels(action: Action, rules: RedactionRules): Action {
  const matchers = [...alwaysSensitive, ...rules.sensitiveFields].map(fieldMatcher);
  const sensitive = (path: readonly string[]) => matchers.some((matches) => matches(path));
  return {
    ...action,
    resource: { ...action.resource, id: maskText(action.resource.id) },
    params: redactObject(action.params, ['params'], sensitive),
    context: redactObject(action.context, ['context'], sensitive),
    ...(action.justification !== undefined && { justification: maskText(action.justification) }),
    reviews: action.reviews.map((review) =>
      review.comment === undefined ? review : { ...review, comment: maskText(review.comment) },
    ),
    ...(action.outcome?.detail !== undefined && {
      outcome: { ...action.outcome, detail: maskText(action.outcome.detail) },
    }),
  };
}

type FieldTest = (path: readonly string[]) => boolean;

function redactObject(
  value: Record<string, JsonValue>,
  path: readonly string[],
  sensitive: FieldTest,
): Record<string, JsonValue> {
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, redactValue(item, [...path, key], sensitive)]),
  );
}

function redactValue(value: JsonValue, path: readonly string[], sensitive: FieldTest): JsonValue {
  if (sensitive(path)) return value === null ? null : '<REDACTED>';
  if (typeof value === 'string') return maskText(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, path, sensitive));
  if (value !== null && typeof value === 'object') return redactObject(value, path, sensitive);
  return value;
}

/** A field rule: a dotted path (glob per segment) matches the whole path; a bare name matches the last key. */
function fieldMatcher(rule: string): FieldTest {
  const segments = rule.split('.').map(globPattern);
  if (segments.length === 1) {
    const [name] = segments as [RegExp];
    return (path) => name.test(path[path.length - 1] ?? '');
  }
  return (path) => path.length >= segments.length && segments.every((segment, i) => segment.test(path[i] ?? ''));
}

function globPattern(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

/** Value detectors, most specific first: each finding is replaced by `<TYPE>`. */
const detectors: ReadonlyArray<{ type: string; pattern: RegExp; valid?: (match: string) => boolean }> = [
  { type: 'PRIVATE_KEY', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g },
  { type: 'JWT', pattern: /\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}/g },
  { type: 'AWS_ACCESS_KEY', pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g },
  { type: 'SECRET', pattern: /\b(?:xox[abposr]-[\w-]{10,}|gh[pousr]_[A-Za-z0-9]{30,}|[sr]k_live_[A-Za-z0-9]{16,})\b/g },
  { type: 'EMAIL', pattern: /\b[\w.%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}\b/g },
  { type: 'CREDIT_CARD', pattern: /\b\d(?:[ -]?\d){12,18}\b/g, valid: (match) => luhn(match.replace(/\D/g, '')) },
  { type: 'US_SSN', pattern: /\b\d{3}-\d{2}-\d{4}\b/g, valid: validSsn },
];

/** `text` with every detected value replaced by `<TYPE>`. */
export function maskText(text: string): string {
  let out = text;
  for (const { type, pattern, valid } of detectors) {
    out = out.replace(pattern, (match) => (valid === undefined || valid(match) ? `<${type}>` : match));
  }
  return out;
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return digits.length >= 13 && sum % 10 === 0;
}

function validSsn(ssn: string): boolean {
  const [area, group, serial] = ssn.split('-') as [string, string, string];
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}
