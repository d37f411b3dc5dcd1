import { type Document, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import { CountersignError } from '../errors/index.js';

export type PolicyPath = ReadonlyArray<string | number>;

/** One problem found while loading a policy, placed at file:line:column. */
export interface PolicyIssue {
  severity: 'error' | 'warning';
  message: string;
  file: string;
  line: number;
  column: number;
  /** Where in the document the problem is, as keys and indexes (`rules.3.when`). */
  path: string;
}

/** `policy.yaml:12:7: error: …`, the form editors and CI annotations understand. */
export function formatPolicyIssue(issue: PolicyIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.severity}: ${issue.message}`;
}

/** A policy that could not be loaded. `issues` holds every error (and warning) found, in file order. */
export class PolicyError extends CountersignError {
  readonly issues: readonly PolicyIssue[];

  constructor(issues: PolicyIssue[]) {
    const errors = issues.filter((issue) => issue.severity === 'error');
    super('policy_invalid', errors.map(formatPolicyIssue).join('\n'), { issues });
    this.name = 'PolicyError';
    this.issues = issues;
  }
}

/**
 * The YAML text of a policy, kept with its syntax tree so any problem found later (schema, CEL, semantics) can be
 * reported at the line and column it comes from.
 */
export class PolicySource {
  readonly text: string;
  readonly file: string;
  readonly document: Document.Parsed;
  readonly issues: PolicyIssue[] = [];
  private readonly lines: LineCounter;

  constructor(text: string, file: string) {
    this.text = text;
    this.file = file;
    this.lines = new LineCounter();
    this.document = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    for (const error of this.document.errors) {
      this.issueAtOffset('error', error.pos[0], yamlMessage(error.message), '');
    }
    for (const warning of this.document.warnings) {
      this.issueAtOffset('warning', warning.pos[0], yamlMessage(warning.message), '');
    }
  }

  get hasErrors(): boolean {
    return this.issues.some((issue) => issue.severity === 'error');
  }

  /** Records a problem at the node `path` points to (or its nearest existing ancestor). */
  report(severity: PolicyIssue['severity'], path: PolicyPath, message: string): void {
    this.issueAtOffset(severity, this.offsetOf(path), message, path.join('.'));
  }

  /** The line and column (1-based) of the node `path` points to, or of its nearest existing ancestor. */
  positionOf(path: PolicyPath): { line: number; column: number } {
    const { line, col } = this.lines.linePos(this.offsetOf(path));
    return { line, column: col };
  }

  /** Records a problem about a mapping key itself (an unknown key), at the key rather than its value. */
  reportKey(severity: PolicyIssue['severity'], path: PolicyPath, message: string): void {
    const key = this.keyNode(path);
    if (key?.range) this.issueAtOffset(severity, key.range[0], message, path.join('.'));
    else this.report(severity, path, message);
  }

  /**
   * Records a problem inside a string scalar, `offset` characters into its value: a CEL error lands on the
   * character it is about, for plain, quoted and block scalars alike (falling back to the scalar's start when the
   * value cannot be lined up with its source text, as in a folded block with escapes).
   */
  reportInScalar(severity: PolicyIssue['severity'], path: PolicyPath, offset: number, message: string): void {
    const node = this.document.getIn(path, true);
    const start = this.offsetOf(path);
    const located = isScalar(node) && node.range ? this.locateInScalar(node, offset) : undefined;
    this.issueAtOffset(severity, located ?? start, message, path.join('.'));
  }

  private locateInScalar(
    node: Node & { type?: string | undefined; value: unknown },
    offset: number,
  ): number | undefined {
    if (!node.range || typeof node.value !== 'string') return undefined;
    const [start, end] = node.range;
    const raw = this.text.slice(start, end);
    const value = node.value;
    const verbatim = raw.indexOf(value);
    if (verbatim >= 0 && value.length > 0) return start + verbatim + Math.min(offset, value.length);
    if (node.type === 'BLOCK_LITERAL') {
      const before = value.slice(0, offset).split('\n');
      const lineIndex = before.length - 1;
      const column = before[lineIndex]?.length ?? 0;
      const rawLines = raw.split('\n');
      const contentLines = rawLines.slice(1);
      const indent = Math.min(
        ...contentLines.filter((line) => line.trim() !== '').map((line) => line.length - line.trimStart().length),
      );
      const target = contentLines[lineIndex];
      if (target === undefined || !Number.isFinite(indent)) return undefined;
      let lineStart = start + (rawLines[0]?.length ?? 0) + 1;
      for (let i = 0; i < lineIndex; i++) lineStart += (contentLines[i]?.length ?? 0) + 1;
      return lineStart + indent + column;
    }
    return undefined;
  }

  private offsetOf(path: PolicyPath): number {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.document.getIn(path.slice(0, depth), true) as Node | undefined;
      if (node?.range) return node.range[0];
      // A mapping's key carries the position when the value is missing or empty.
      const key = depth > 0 ? this.keyNode(path.slice(0, depth)) : undefined;
      if (key?.range) return key.range[0];
    }
    return 0;
  }

  private keyNode(path: PolicyPath): { range?: [number, number, number] | null | undefined } | undefined {
    const parent = this.document.getIn(path.slice(0, -1), true) as
      | { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] | null } }> }
      | undefined;
    const name = path[path.length - 1];
    return parent?.items?.find((item) => item.key?.value === name)?.key;
  }

  private issueAtOffset(severity: PolicyIssue['severity'], offset: number, message: string, path: string): void {
    const { line, col } = this.lines.linePos(offset);
    this.issues.push({ severity, message, file: this.file, line, column: col, path });
  }
}

function yamlMessage(message: string): string {
  const firstLine = message.split('\n')[0] ?? message;
  return `YAML: ${firstLine.replace(/ at line \d+, column \d+:?$/, '')}`;
}
