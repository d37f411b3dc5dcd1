import { createHash } from 'node:crypto';

/**
 * RFC 8785 (JSON Canonicalization Scheme) text of a JSON value: object members sorted by UTF-16 code units, no
 * insignificant white space, ECMAScript string and number serialisation. The same output as
 * `canonicalJson` in `@countersign/core` (a test holds them together), kept here so executors do not load core.
 * Throws a `TypeError` for what JCS cannot represent (non-finite numbers, lone surrogates, bigints, functions,
 * non-plain objects) rather than quietly changing it; `undefined` object members are omitted as `JSON.stringify`
 * does.
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
      if (!Number.isFinite(value)) return fail(path, `${value} is not a finite number`);
      // RFC 8785 §3.2.2.3: ECMAScript Number::toString, which is what String() gives; -0 becomes "0".
      return String(value);
    case 'string':
      if (!value.isWellFormed()) return fail(path, 'the string holds a lone surrogate');
      return JSON.stringify(value);
    case 'object':
      return Array.isArray(value) ? serializeArray(value, path) : serializeObject(value as object, path);
    default:
      return fail(path, `a ${typeof value} is not JSON`);
  }
}

function serializeArray(items: readonly unknown[], path: string): string {
  const parts: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === undefined) fail(`${path}[${i}]`, 'undefined is not JSON');
    parts.push(serialize(item, `${path}[${i}]`));
  }
  return `[${parts.join(',')}]`;
}

function serializeObject(object: object, path: string): string {
  const prototype = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    fail(path, `a ${object.constructor?.name ?? 'non-plain'} object is not plain JSON`);
  }
  const record = object as Record<string, unknown>;
  // sort() without a comparator orders by UTF-16 code units, as RFC 8785 §3.2.3 asks.
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined) continue;
    if (!key.isWellFormed()) fail(path, 'a member name holds a lone surrogate');
    parts.push(`${JSON.stringify(key)}:${serialize(member, `${path}.${key}`)}`);
  }
  return `{${parts.join(',')}}`;
}

function fail(path: string, why: string): never {
  throw new TypeError(`cannot canonicalise ${path}: ${why}`);
}

/** What an executor is about to run: the fields an approval (and its grant's digest) covers. */
export interface ExecutedAction {
  /** The action verb, e.g. `data.export`. */
  action: string;
  resource: {
    type: string;
    id: string;
    /** Absent counts as `[]`, as on submission. */
    labels?: readonly string[] | undefined;
    sensitivity?: string | undefined;
  };
  environment: string;
  /** Absent counts as `{}`, as on submission. */
  params?: Record<string, unknown> | undefined;
}

/**
 * The action digest, computed as the server does on submission: `sha256:` and the hex SHA-256 of the RFC 8785
 * canonical JSON of `{action, resource, environment, params}`, with the submission's defaults applied (absent
 * `resource.labels` is `[]`, absent `params` is `{}`).
 *
 * @example actionDigest({ action: 'data.read', resource: { type: 'dataset', id: 'sales' }, environment: 'staging' })
 */
export function actionDigest(action: ExecutedAction): `sha256:${string}` {
  const canonical = canonicalJson({
    action: action.action,
    resource: { ...action.resource, labels: action.resource.labels ?? [] },
    environment: action.environment,
    params: action.params ?? {},
  });
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}
