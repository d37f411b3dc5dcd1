import { createHmac } from 'node:crypto';
import type { MaskContext } from './context.js';

/**
 * A deterministic, keyed token: `tok_` + the first 24 hex characters (96 bits) of HMAC-SHA256(key, value). The
 * entity type is not mixed in, so an email in a column and the same email inside free text give the same token
 * and joins across tables still work. Throws `mask_key_missing` when the context has no key.
 *
 * @example
 * tokenize('ada@example.com', createMaskContext({ key })) // 'tok_3f1c…' (same key, same token, every run)
 */
export function tokenize(value: string, context: MaskContext): string {
  return `tok_${createHmac('sha256', context.hmacKey()).update(value, 'utf8').digest('hex').slice(0, 24)}`;
}
