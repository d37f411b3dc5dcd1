import { CountersignError } from '../errors/index.js';

/**
 * Serialises a JSON value as RFC 8785 (JSON Canonicalization Scheme) text: object members sorted by UTF-16 code
 * units, no insignificant white space, ECMAScript number and string serialisation. Refuses what JCS cannot
 * represent (non-finite numbers, lone surrogates, functions, bigints) rather than quietly changing it; `undefined`
 * object members are omitted as `JSON.stringify` does.
 *
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, '$');
}

function serialize(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) fail(path, `${value} is not a finite number`);
      // ECMAScript Number::toString is exactly JCS's number format; -0 becomes "0".
      return JSON.stringify(value);
    case 'string':
      if (!value.isWellFormed()) fail(path, 'the string holds a lone surrogate');
      return JSON.stringify(value);
    case 'object':
      return Array.isArray(value) ? serializeArray(value, path) : serializeObject(value as object, path);
    default:
      return fail(path, `a ${typeof value} is not JSON`);
  }
}

function serializeArray(items: readonly unknown[], path: string): string {
  let text = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) text += ',';
    const item = items[i];
    if (item === undefined) fail(`${path}[${i}]`, 'undefined is not JSON');
    text += serialize(item, `${path}[${i}]`);
  }
  return `${text}]`;
}

function serializeObject(object: object, path: string): string {
  const prototype = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    fail(path, `a ${object.constructor?.name ?? 'non-plain'} object is not plain JSON`);
  }
  const record = object as Record<string, unknown>;
  // Array.prototype.sort without a comparator orders by UTF-16 code units, which is what RFC 8785 §3.2.3 asks.
  const keys = Object.keys(record).sort();
  let text = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    if (!key.isWellFormed()) fail(path, 'a member name holds a lone surrogate');
    if (!first) text += ',';
    first = false;
    text += `${JSON.stringify(key)}:${serialize(member, `${path}.${key}`)}`;
  }
  return `${text}}`;
}

function fail(path: string, why: string): never {
  throw new CountersignError('canonicalization_failed', `cannot canonicalise ${path}: ${why}`, { path });
}
