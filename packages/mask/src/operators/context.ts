import { createSecretKey, type KeyObject } from 'node:crypto';
import { MaskError } from '../errors.js';
import type { EntityType } from '../types.js';

/**
 * What operators need beyond the value: the tokenisation key (per run) and the `<EMAIL_1>` numbering (per
 * document — call {@link MaskContext.reset} between records so numbers start again at 1).
 */
export interface MaskContext {
  /** The tokenisation key, if one was given. */
  readonly key: string | undefined;
  /** The key as a crypto key object; throws `mask_key_missing` when there is none. */
  hmacKey(): KeyObject;
  /** The number of `value` among the distinct values of `type` seen in this document (1, 2, …). */
  number(type: EntityType, value: string): number;
  /** Starts a new document: numbering restarts at 1. */
  reset(): void;
}

/**
 * A fresh context.
 *
 * @example
 * const context = createMaskContext({ key: process.env.COUNTERSIGN_MASK_KEY });
 */
export function createMaskContext(options: { key?: string | undefined } = {}): MaskContext {
  const key = options.key === '' ? undefined : options.key;
  let keyObject: KeyObject | undefined;
  let numbers: Map<string, Map<string, number>> | undefined;
  return {
    key,
    hmacKey() {
      if (key === undefined) {
        throw new MaskError(
          'mask_key_missing',
          'tokenize needs a key: set the environment variable named by the policy key_env (COUNTERSIGN_MASK_KEY by default) to a long random secret, or pass key',
        );
      }
      keyObject ??= createSecretKey(Buffer.from(key, 'utf8'));
      return keyObject;
    },
    number(type, value) {
      numbers ??= new Map();
      let ofType = numbers.get(type);
      if (!ofType) {
        ofType = new Map();
        numbers.set(type, ofType);
      }
      let n = ofType.get(value);
      if (n === undefined) {
        n = ofType.size + 1;
        ofType.set(value, n);
      }
      return n;
    },
    reset() {
      numbers = undefined;
    },
  };
}
