import { maskText } from '../operators/index.js';
import { sensitiveKeyTest } from './sensitive-keys.js';
import { type MaskValueOptions, resolveMaskOptions } from './value.js';

/** What a field with a sensitive key name becomes. */
export const redactedValue = '<REDACTED>';

export interface MaskObjectOptions extends MaskValueOptions {
  /**
   * More keys to redact whole, beyond the credential names that always are (password, secret, token, api_key,
   * authorization, cookie, …): names, globs (`*_ssn`) or dotted paths (`customer.dob`, arrays transparent).
   */
  sensitiveKeys?: readonly string[];
}

/** Integers with at least this many digits are checked as text (a card number stored as a number). */
const longNumber = 1e8;

/**
 * Returns a masked copy of a JSON value; the input is never modified. A field whose key is sensitive becomes
 * `<REDACTED>` whole (unless it is `null`); every other string is masked by content, keys included; integers of 9
 * or more digits are checked as text and replaced by their masked text if anything is found. One numbering
 * context covers the whole value.
 *
 * @example
 * maskObject({ user: { email: 'ada@example.com', password: 'hunter2' }, n: 4111111111111111 })
 * // { user: { email: '<EMAIL>', password: '<REDACTED>' }, n: '<CREDIT_CARD>' }
 */
export function maskObject(value: unknown, options: MaskObjectOptions = {}): unknown {
  const { scanner, findings, context } = resolveMaskOptions(options);
  const isSensitive = sensitiveKeyTest(options.sensitiveKeys);
  const mask = (text: string) => (text.length === 0 ? text : maskText(text, scanner, findings, context));

  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') return mask(node);
    if (typeof node === 'number') {
      if (!Number.isInteger(node) || Math.abs(node) < longNumber) return node;
      const text = String(node);
      const masked = mask(text);
      return masked === text ? node : masked;
    }
    if (typeof node === 'bigint') {
      const text = node.toString();
      const masked = mask(text);
      return masked === text ? node : masked;
    }
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) return node.map((item) => walk(item, path));
    const json = (node as { toJSON?: () => unknown }).toJSON;
    if (typeof json === 'function') return walk(json.call(node), path);

    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      const childPath = path ? `${path}.${key}` : key;
      const masked = isSensitive(key, childPath) ? (child === null ? null : redactedValue) : walk(child, childPath);
      const maskedKey = mask(key);
      let outKey = maskedKey;
      // Two keys masked to the same text (`<EMAIL>`) must not overwrite each other.
      if (maskedKey !== key) for (let n = 2; Object.hasOwn(out, outKey); n++) outKey = `${maskedKey}_${n}`;
      // defineProperty, not assignment: a `__proto__` key must stay an own property (and be masked).
      Object.defineProperty(out, outKey, { value: masked, enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  return walk(value, '');
}
