import { createRequire } from 'node:module';
import type { Document, LineCounter, Node } from 'yaml';
import type { z } from 'zod';
import { MaskError } from '../errors.js';

type Yaml = typeof import('yaml');

let yaml: Yaml | undefined;

/**
 * The YAML parser, loaded when a policy is first read: loading it costs about 30 ms, which every `countersign mask`
 * and `scan` run without a policy would otherwise pay. Node imports this package as CommonJS whichever way it is
 * asked for, so `require` gives the very module an `import` would.
 */
function loadYaml(): Yaml {
  yaml ??= createRequire(import.meta.url)('yaml') as Yaml;
  return yaml;
}

/** One problem in a policy file: where (`columns[2].operator`, line 14) and what. */
export interface PolicyIssue {
  path: string;
  line: number | undefined;
  message: string;
}

/** The policy's YAML with positions, so problems found by validation can name their line. */
export class PolicySource {
  readonly document: Document.Parsed;
  readonly issues: PolicyIssue[] = [];
  private readonly lines: LineCounter;

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    const { LineCounter, parseDocument } = loadYaml();
    this.lines = new LineCounter();
    this.document = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    for (const error of this.document.errors) {
      const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
      this.issues.push({ path: '', line: this.lines.linePos(error.pos[0]).line, message: `YAML: ${message}` });
    }
  }

  /** Records a problem at `path` (or the nearest node that exists on the way to it). */
  report(path: ReadonlyArray<PropertyKey>, message: string): void {
    this.issues.push({ path: formatPath(path), line: this.lineOf(path), message });
  }

  /** Throws every recorded problem as one `mask_policy_invalid` error, if there are any. */
  throwIfInvalid(): void {
    if (this.issues.length === 0) return;
    const lines = this.issues.map((issue) => {
      const where = issue.line === undefined ? this.file : `${this.file}:${issue.line}`;
      return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
    });
    throw new MaskError('mask_policy_invalid', `the masking policy is invalid; fix and reload:\n${lines.join('\n')}`, {
      file: this.file,
      issues: this.issues,
    });
  }

  private lineOf(path: ReadonlyArray<PropertyKey>): number | undefined {
    const keys = path.filter((key): key is string | number => typeof key !== 'symbol');
    for (let depth = keys.length; depth >= 0; depth--) {
      const node = this.document.getIn(keys.slice(0, depth), true) as Node | undefined;
      const offset = node?.range?.[0] ?? (depth > 0 ? this.keyOffset(keys.slice(0, depth)) : undefined);
      if (offset !== undefined) return this.lines.linePos(offset).line;
    }
    return undefined;
  }

  /** Where the key of a mapping entry is: for an unknown key, or a key whose value is empty. */
  private keyOffset(path: ReadonlyArray<string | number>): number | undefined {
    const parent = this.document.getIn(path.slice(0, -1), true) as
      | { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] | null } }> }
      | undefined;
    const name = path[path.length - 1];
    return parent?.items?.find((item) => item.key?.value === name)?.key?.range?.[0] ?? undefined;
  }
}

/** `['columns', 2, 'operator']` → `columns[2].operator`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** Turns zod's issues into problems that say what was expected, in the policy's own words. */
export function reportSchemaIssues(source: PolicySource, issues: readonly z.core.$ZodIssue[], input: unknown): void {
  for (const issue of issues) {
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          source.report([...issue.path, key], 'unknown key; check its spelling or remove it');
        }
        break;
      case 'invalid_union': {
        const options = (issue as { options?: unknown[] }).options;
        if (options) {
          // `findings: shred` is validated as `{ operator: shred }`: report it where it was written.
          const parent = issue.path.slice(0, -1);
          const shorthand = typeof valueAt(input, parent) === 'string';
          const path = shorthand ? parent : issue.path;
          const got = valueAt(input, path);
          const gotText = got === undefined ? 'it is missing' : `got ${JSON.stringify(got)}`;
          source.report(path, `expected one of ${options.join(', ')}; ${gotText}`);
        } else source.report(issue.path, issue.message);
        break;
      }
      case 'invalid_value': {
        const got = valueAt(input, issue.path);
        const expected =
          issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.join(', ')}`;
        source.report(issue.path, `expected ${expected}; got ${JSON.stringify(got)}`);
        break;
      }
      case 'invalid_type': {
        const got = valueAt(input, issue.path);
        source.report(
          issue.path,
          got === undefined
            ? `is required (expected ${issue.expected})`
            : `expected ${issue.expected}; got ${describe(got)}`,
        );
        break;
      }
      default:
        source.report(issue.path, issue.message);
    }
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
