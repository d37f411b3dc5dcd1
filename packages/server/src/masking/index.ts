import type { Action, JsonValue } from '@countersign/core';
import { isCredentialKey, maskValue, redactedValue } from '@countersign/mask';

/**
 * The one place where what people and logs see of an action is masked: every notification's action passes through
 * {@link maskAction} before a channel sees it, and the audit trail records submissions, comments and outcome details
 * through it, so chat, webhook receivers and the audit log never hold raw personal data or secrets. Fields named
 * sensitive (in config, or by a credential-like name) are replaced whole; every other string, and every long
 * integer, is scanned by the masking toolkit's detectors (`@countersign/mask`), each finding replaced by `<TYPE>`.
 *
 * Everything here runs on text an agent chose; the toolkit's detectors are linear in the length of their input, so
 * crafted text cannot stall a submission or a notification.
 */
export interface MaskingRules {
  /**
   * Fields masked whole, matched without regard to case: a key name anywhere (`ssn`), a glob over key names
   * (`*_ssn`), or a dotted path with globs per segment (`params.customer.*`). A dotted path that starts at
   * `params` or `context` is anchored there; any other dotted path matches wherever it ends (`customer.email`).
   * Array elements share their array's path (`params.rows.ssn` covers `params.rows[3].ssn`; `[]` may be written).
   */
  sensitiveFields: readonly string[];
}

/** What a sensitive field shows instead of its value (`<REDACTED>`). */
export { redactedValue };

/**
 * Key names masked whatever the config says — the masking toolkit's credential names, compared lower-cased with
 * everything but letters and digits removed (`X-Api-Key`, `api_key` and `apiKey` are all `apikey`): credentials
 * are never worth showing a reviewer.
 */
export const isCredentialName: (key: string) => boolean = isCredentialKey;

/**
 * An action as channels see it: masked, and carrying its digest only when masking changed nothing the digest
 * covers. The digest is an unsalted SHA-256 over the action's name, resource, environment and parameters as
 * submitted; beside the masked rest it would let a receiver confirm guesses of a masked value (a PIN, an SSN) by
 * hashing candidates. The authenticated API still gives the digest to those allowed to see the action.
 */
export type MaskedAction = Omit<Action, 'digest'> & { digest?: string };

/**
 * The action with sensitive fields and values masked: a new object; the input is not changed. Parameters and
 * context go through the field rules and the detectors (keys included, as a key can be an email); the resource id,
 * labels, justification, review comments and outcome detail through the detectors. Who asked (requester, owner,
 * on-behalf-of) and why the policy asked (rule names, reason, written by the policy's authors) are shown as they
 * are: a reviewer cannot judge a request without them, and eligibility reads them.
 *
 * @example
 * maskAction(action, { sensitiveFields: ['*_ssn'] }).params
 * // { holder_ssn: '<REDACTED>', contact: '<EMAIL>', rows: 5000 }
 */
export function maskAction(action: Action, rules: MaskingRules): MaskedAction {
  const configured = rules.sensitiveFields.map(fieldRule);
  const sensitive: FieldTest = (path) =>
    isCredentialName(path[path.length - 1] ?? '') || configured.some((matches) => matches(path));
  const { digest, ...rest } = action;
  const resource = {
    ...action.resource,
    id: maskText(action.resource.id),
    labels: action.resource.labels.map(maskText),
  };
  const params = redactObject(action.params, ['params'], sensitive);
  const unchanged =
    JSON.stringify(resource) === JSON.stringify(action.resource) &&
    JSON.stringify(params) === JSON.stringify(action.params);
  return {
    ...rest,
    ...(unchanged && { digest }),
    resource,
    params,
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

/** Whether the field at a path (`['params', 'customer', 'email']`) is masked whole. */
type FieldTest = (path: readonly string[]) => boolean;

function redactObject(
  value: Record<string, JsonValue>,
  path: readonly string[],
  sensitive: FieldTest,
): Record<string, JsonValue> {
  const entries = new Map<string, JsonValue>();
  const keys = new Set(Object.keys(value));
  for (const [key, item] of Object.entries(value)) {
    let name = maskText(key);
    // Two keys masked alike (two emails) would collide: number the later ones rather than lose one.
    if (name !== key) {
      const masked = name;
      for (let n = 2; entries.has(name) || keys.has(name); n++) name = `${masked} (${n})`;
    }
    entries.set(name, redactValue(item, [...path, key], sensitive));
  }
  // fromEntries defines own properties, so a `__proto__` key stays a plain key.
  return Object.fromEntries(entries);
}

function redactValue(value: JsonValue, path: readonly string[], sensitive: FieldTest): JsonValue {
  if (sensitive(path)) return value === null ? null : redactedValue;
  if (typeof value === 'string') return maskText(value);
  // A card number or an SSN sent as a JSON number is still one.
  if (typeof value === 'number') return maskNumber(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, path, sensitive));
  if (value !== null && typeof value === 'object') return redactObject(value, path, sensitive);
  return value;
}

function maskNumber(value: number): JsonValue {
  if (!Number.isSafeInteger(value) || Math.abs(value) < 100_000_000) return value;
  const text = String(value);
  const masked = maskText(text);
  return masked === text ? value : masked;
}

/**
 * A field rule as a test over paths. Each segment is a glob (`*` = any run of characters) compared lower-cased;
 * a rule anchored at `params`/`context` must match from the root, any other matches the end of the path.
 */
function fieldRule(rule: string): FieldTest {
  const segments = rule
    .replace(/\[(?:\*|\d*)\]/g, '')
    .toLowerCase()
    .split('.')
    .filter((segment) => segment !== '');
  if (segments.length === 0) return () => false;
  const anchored = segments.length > 1 && (segments[0] === 'params' || segments[0] === 'context');
  return (path) => {
    if (path.length < segments.length) return false;
    // Anchored rules also cover what is below the path they name (its ancestors were masked whole already).
    const offset = anchored ? 0 : path.length - segments.length;
    return segments.every((segment, i) => globMatches(segment, (path[offset + i] ?? '').toLowerCase()));
  };
}

/**
 * `*` wildcard matching in O(text × glob) at worst, without regular expressions: a glob from config over a key an
 * agent chose must not be able to backtrack exponentially.
 */
export function globMatches(glob: string, text: string): boolean {
  let g = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (g < glob.length && glob[g] !== '*' && glob[g] === text[t]) {
      g++;
      t++;
    } else if (g < glob.length && glob[g] === '*') {
      star = g++;
      resume = t;
    } else if (star >= 0) {
      g = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (glob[g] === '*') g++;
  return g === glob.length;
}

/**
 * `text` with every finding of the masking toolkit's default detectors replaced by `<TYPE>`.
 *
 * @example
 * maskText('mail jane@example.com, card 4111 1111 1111 1111') // 'mail <EMAIL>, card <CREDIT_CARD>'
 */
export function maskText(text: string): string {
  return maskValue(text);
}
