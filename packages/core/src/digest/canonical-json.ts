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
  return serialize(value, []);
}

/**
 * Where the serialiser is, as a stack of member names and indexes; it is turned into text (`$.params.rows`) only
 * when something fails, because building a path string for every member costs more than serialising it.
 */
type Path = Array<string | number>;

function serialize(value: unknown, path: Path): string {
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

function serializeArray(items: readonly unknown[], path: Path): string {
  let text = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) text += ',';
    const item = items[i];
    path.push(i);
    if (item === undefined) fail(path, 'undefined is not JSON');
    text += serialize(item, path);
    path.pop();
  }
  return `${text}]`;
}

function serializeObject(object: object, path: Path): string {
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
    path.push(key);
    text += `${JSON.stringify(key)}:${serialize(member, path)}`;
    path.pop();
  }
  return `${text}}`;
}

function fail(path: Path, why: string): never {
  const where = path.reduce<string>(
    (text, step) => (typeof step === 'number' ? `${text}[${step}]` : `${text}.${step}`),
    '$',
  );
  throw new CountersignError('canonicalization_failed', `cannot canonicalise ${where}: ${why}`, { path: where });
}
