import { maskSpans } from '../operators/index.js';
import { type ColumnOperatorConfig, fieldRuleFor, type MaskingPolicy } from '../policy/index.js';
import type { EntityType, Span } from '../types.js';
import type { ColumnPlan, FieldMasker } from './field-masker.js';
import { decodeJsonString, type JsonLineFields, JsonLineReader, ValueKind } from './json-line.js';
import { scanMany } from './scan-many.js';

/** A field path seen in the data, with what applies to it resolved once. */
interface FieldNode {
  readonly path: string;
  readonly operator: Readonly<ColumnOperatorConfig>;
  /** Set when a rule (or classification) decided the operator here or above: descendants inherit it. */
  readonly decided: boolean;
  /** Findings in the key itself (scanned only where the operator is `scan`). */
  readonly keySpans: readonly Span[];
  readonly classifiedType: EntityType | undefined;
  plan: ColumnPlan | undefined;
  children: Map<string, FieldNode> | undefined;
  /** The key this node was reached by (its last path segment). */
  readonly key: string;
  /** False for a node made afresh past {@link maxNodes}: it is not the one the next record will reach. */
  readonly kept: boolean;
  /** Read lines: the member at each position of this object in the last record, tried first for the next one. */
  members: FieldNode[] | undefined;
  /** Read lines: the object (numbered within its line) this node was last a member of, to catch a repeated key. */
  seenIn: number;
}

/** A line read in place ({@link JsonMasker.readLine}), waiting for its findings. */
export interface ReadLine {
  readonly line: string;
  /** Its values in order. */
  readonly values: LineValue[];
}

/**
 * A masked line: the line itself when nothing in it changed; else, up to `wholeLine` characters, the masked line
 * as one string; longer, the pieces it is written out as, in order (slices of the line between the values replaced,
 * and their replacements). Pieces, not one string, for a long line: joined, it is copied whole once more, and a line
 * of more than about 60,000 characters is a large object to V8, which costs several times more to allocate (see
 * `largeText` in stream-io.ts).
 */
export type MaskedLine = string | readonly string[];

/** What is done with a value of a line read in place, as {@link JsonMasker.maskRecord} would do it. */
const Treat = {
  /** Scanned with the record's other strings (`text`); an empty string is neither scanned nor counted. */
  scan: 0,
  /** Only counted: a short number or a boolean that is scanned, or anything kept. */
  count: 1,
  /** Masked by its field's rule (`text` is the value as text). */
  rule: 2,
  /** A member kept whole by a rule: counted unless it is `null`. */
  whole: 3,
  /** A member a rule drops (`start` is its key's opening quote): cut from the line with a comma beside it. */
  drop: 4,
} as const;
type Treat = (typeof Treat)[keyof typeof Treat];

interface LineValue {
  readonly node: FieldNode;
  readonly treat: Treat;
  /** Where the literal lies in the line, quotes included. */
  readonly start: number;
  readonly end: number;
  /** The value as text, for `scan` and `rule`. */
  readonly text: string;
}

type Holder = Record<string, unknown> | unknown[];

/** A value waiting to be scanned with the rest of its record. */
interface Slot {
  holder: Holder;
  key: string | number;
  text: string;
  plan: ColumnPlan;
  /** The value was a number (checked as text); it stays one unless something is found. */
  number: boolean;
}

/** Paths remembered; beyond this (keys that are ids, say) nodes are resolved afresh each time, in bounded memory. */
const maxNodes = 10_000;
/** Integers with at least this many digits are checked as text (a card number stored as a number). */
const longNumber = 1e8;

/**
 * Masks JSON records field by field: a policy rule applies to its field path (keys joined by `.`, arrays
 * transparent) and everything below it; other fields get the default (`scan` or `keep`). Keys are scanned too. What
 * applies to each path is worked out once and cached; the strings to scan in a record are scanned together in one
 * call ({@link scanMany}). A JSONL line is read and masked in place ({@link JsonMasker.readLine}) or, when that
 * declines, parsed and masked as objects ({@link JsonMasker.maskRecord}), with the same result.
 */
export class JsonMasker {
  private readonly root: FieldNode;
  private nodes = 0;
  private changed = false;
  private slots: Slot[] = [];
  /** Findings worked out ahead for the strings records will scan, in order (see {@link JsonMasker.scanAhead}). */
  private ahead: { texts: readonly string[]; found: ReadonlyArray<readonly Span[]>; next: number } | undefined;
  private readonly reader: JsonLineReader<FieldNode>;
  /** The line being read, and what it holds so far. */
  private reading: ReadLine = { line: '', values: [] };
  /** Where the member being read starts (its key's opening quote), when a rule drops it. */
  private droppedFrom = 0;

  constructor(
    private readonly masker: FieldMasker,
    private readonly policy: MaskingPolicy | undefined,
    private readonly defaultOperator: Readonly<ColumnOperatorConfig>,
    private readonly classified: ReadonlyMap<string, EntityType> = new Map(),
  ) {
    this.root = { ...blank('', ''), operator: defaultOperator };
    this.reader = new JsonLineReader(this.lineFields());
  }

  /**
   * Reads a JSONL line for masking in place, without parsing it into objects: its output is the line with the masked
   * values spliced in, the members a rule drops cut out, and everything else as it came. `undefined` when the line
   * must be parsed and masked with {@link JsonMasker.maskRecord} instead: invalid JSON, a key that holds findings,
   * repeats, or reads as an array index (a parsed object lists those first), or an unusual shape.
   */
  readLine(line: string): ReadLine | undefined {
    if (this.root.operator.operator === 'drop') return undefined;
    const reading: ReadLine = { line, values: [] };
    this.reading = reading;
    return this.reader.read(line, this.root) ? reading : undefined;
  }

  /** The strings {@link JsonMasker.maskLine} scans in `read`, in order, appended to `out`. */
  lineStrings(read: ReadLine, out: string[]): void {
    for (const value of read.values) if (value.treat === Treat.scan && value.text !== '') out.push(value.text);
  }

  /**
   * Masks a read line given the findings for its strings, `found[from]` onwards (as {@link scanMany} returns them
   * for {@link JsonMasker.lineStrings}), and returns it ({@link MaskedLine}). Values are taken in
   * the order {@link JsonMasker.maskRecord} takes them, so numbering and the report come out the same: every
   * field's plan and its rules first, then the findings.
   */
  maskLine(read: ReadLine, found: ReadonlyArray<readonly Span[]>, from: number): MaskedLine {
    this.masker.context.reset();
    const { line, values } = read;
    // What each value becomes: a string spliced in its place, or `null` for a member cut out.
    const replaced: Array<string | null | undefined> = [];
    let scanned = false;
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      // A kept member that is null is not counted, and its field not listed, as when parsed.
      if (value.treat === Treat.whole && line.startsWith('null', value.start)) continue;
      const plan = this.planOf(value.node);
      switch (value.treat) {
        case Treat.scan:
          scanned = true;
          break;
        case Treat.count:
        case Treat.whole:
          this.masker.count(plan);
          break;
        case Treat.drop:
          // Not counted; its field is listed (planned above), as when parsed.
          replaced[i] = null;
          break;
        default: {
          const masked = this.masker.mask(plan, value.text) ?? '';
          if (masked !== value.text) replaced[i] = masked;
        }
      }
    }
    if (scanned) {
      for (let i = 0; i < values.length; i++) {
        const value = values[i]!;
        if (value.treat !== Treat.scan || value.text === '') continue;
        const spans = found[from++]!;
        const masked = this.masker.maskFound(this.planOf(value.node), value.text, spans);
        if (spans.length > 0 && masked !== value.text) replaced[i] = masked;
      }
    }
    if (replaced.length === 0) return line;
    // A line of a few thousand characters is written as one string, joined as it is built: written as pieces, each
    // piece costs a call to encode it, which outweighs copying the line once more.
    const pieces: string[] | undefined = line.length > wholeLine ? [] : undefined;
    let out = '';
    let copied = 0;
    for (let i = 0; i < replaced.length; i++) {
      const masked = replaced[i];
      if (masked === undefined) continue;
      const value = values[i]!;
      if (masked === null) {
        const [from, to] = cutMember(line, value.start, value.end, copied);
        if (from > copied) {
          if (pieces) pieces.push(line.slice(copied, from));
          else out += line.slice(copied, from);
        }
        copied = to;
      } else {
        if (value.start > copied) {
          if (pieces) pieces.push(line.slice(copied, value.start));
          else out += line.slice(copied, value.start);
        }
        if (pieces) pushJsonString(masked, pieces);
        else out += JSON.stringify(masked);
        copied = value.end;
      }
    }
    if (pieces) {
      if (copied < line.length) pieces.push(line.slice(copied));
      return pieces;
    }
    return copied < line.length ? out + line.slice(copied) : out;
  }

  private lineFields(): JsonLineFields<FieldNode> {
    return {
      member: (parent, line, keyStart, keyEnd, escaped, index, object) => {
        let child = escaped ? undefined : parent.members?.[index];
        if (child === undefined || child.key.length !== keyEnd - keyStart || !line.startsWith(child.key, keyStart)) {
          const key = escaped ? decodeJsonString(line, keyStart, keyEnd) : line.slice(keyStart, keyEnd);
          const first = key.charCodeAt(0);
          if (first >= 0x30 && first <= 0x39) return undefined;
          child = this.child(parent, key);
          if (!child.kept) return undefined;
          parent.members ??= [];
          parent.members[index] = child;
        }
        if (child.keySpans.length > 0 || child.seenIn === object) return undefined;
        child.seenIn = object;
        if (child.operator.operator === 'drop') this.droppedFrom = keyStart - 1;
        return child;
      },
      // A rule's `keep` covers the whole subtree; the default's `keep` still looks inside for rules further down. A
      // dropped member is read whole too, to be cut out.
      whole: (node) => node.operator.operator === 'drop' || (node.decided && node.operator.operator === 'keep'),
      value: (node, kind, start, end) => {
        const { line, values } = this.reading;
        if (kind === ValueKind.whole) {
          if (node.operator.operator === 'drop')
            values.push({ node, treat: Treat.drop, start: this.droppedFrom, end, text: '' });
          else values.push({ node, treat: Treat.whole, start, end, text: '' });
          return;
        }
        const quoted = kind === ValueKind.plain || kind === ValueKind.escaped ? 1 : 0;
        const text =
          kind === ValueKind.plain
            ? line.slice(start, end)
            : kind === ValueKind.escaped
              ? decodeJsonString(line, start, end)
              : kind === ValueKind.boolean
                ? line.slice(start, end)
                : undefined;
        const operator = node.operator.operator;
        let treat: Treat;
        let valueText = text ?? '';
        if (operator === 'scan') {
          if (text !== undefined && kind !== ValueKind.boolean) treat = Treat.scan;
          else if (kind === ValueKind.number && mayBeLong(line, start, end) && isLong(line, start, end)) {
            treat = Treat.scan;
            valueText = String(Number(line.slice(start, end)));
          } else treat = Treat.count;
        } else if (operator === 'keep' && quoted === 0) treat = Treat.count;
        else {
          treat = Treat.rule;
          if (kind === ValueKind.number) valueText = String(Number(line.slice(start, end)));
        }
        values.push({ node, treat, start: start - quoted, end: end + quoted, text: valueText });
      },
    };
  }

  /**
   * Masks `record` (modifying it: it is the caller's freshly parsed copy). Returns the masked value and whether
   * anything changed, so an unchanged line can be written out as it came.
   */
  maskRecord(record: unknown): { value: unknown; changed: boolean } {
    this.changed = false;
    this.masker.context.reset();
    const box: unknown[] = [record];
    this.visit(box, 0, this.root);
    if (this.slots.length > 0) this.scanSlots();
    return { value: box[0], changed: this.changed };
  }

  /**
   * The strings {@link JsonMasker.maskRecord} will scan in `record`, in the order it scans them, appended to `out`;
   * nothing is masked or counted. A run scans many records' strings in one call and hands the findings over with
   * {@link JsonMasker.scanAhead}.
   */
  scannedStrings(record: unknown, out: string[]): void {
    this.collect(record, this.root, out);
  }

  /**
   * Findings for the strings the next records will scan (`texts` from `from` on, as
   * {@link JsonMasker.scannedStrings} listed them), used in order instead of scanning. A string that is not the one
   * expected is scanned as usual.
   */
  scanAhead(texts: readonly string[], found: ReadonlyArray<readonly Span[]>, from = 0): void {
    this.ahead = from < texts.length ? { texts, found, next: from } : undefined;
  }

  private collect(value: unknown, node: FieldNode, out: string[]): void {
    const scanned = node.operator.operator === 'scan';
    if (typeof value === 'string') {
      if (scanned && value.length > 0) out.push(value);
    } else if (typeof value === 'number') {
      if (scanned && Number.isInteger(value) && Math.abs(value) >= longNumber) out.push(String(value));
    } else if (Array.isArray(value)) {
      for (const item of value) this.collect(item, node, out);
    } else if (value !== null && typeof value === 'object') {
      const object = value as Record<string, unknown>;
      for (const key of Object.keys(object)) {
        const child = this.child(node, key);
        const operator = child.operator.operator;
        if (operator === 'drop' || (operator === 'keep' && child.decided)) continue;
        this.collect(object[key], child, out);
      }
    }
  }

  /** Masks `holder[key]` under `node`; scanned strings are queued as slots. */
  private visit(holder: Holder, key: string | number, node: FieldNode): void {
    const value = (holder as Record<string | number, unknown>)[key];
    switch (typeof value) {
      case 'string':
        if (value.length > 0 && node.operator.operator === 'scan') {
          this.slots.push({ holder, key, text: value, plan: this.planOf(node), number: false });
        } else this.replace(holder, key, value, this.masker.mask(this.planOf(node), value) ?? '');
        return;
      case 'number':
      case 'boolean': {
        const plan = this.planOf(node);
        const operator = node.operator.operator;
        const longDigits = typeof value === 'number' && Number.isInteger(value) && Math.abs(value) >= longNumber;
        if (operator === 'keep' || (operator === 'scan' && !longDigits)) this.masker.count(plan);
        else if (operator === 'scan') this.slots.push({ holder, key, text: String(value), plan, number: true });
        else {
          const text = String(value);
          const out = this.masker.mask(plan, text) ?? '';
          if (out !== text) this.replace(holder, key, value, out);
        }
        return;
      }
      case 'object':
        if (value === null) return;
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) this.visit(value, i, node);
          return;
        }
        this.visitObject(holder, key, value as Record<string, unknown>, node);
        return;
      default:
        return;
    }
  }

  private visitObject(holder: Holder, at: string | number, object: Record<string, unknown>, node: FieldNode): void {
    const firstSlot = this.slots.length;
    let renamed = false;
    for (const key of Object.keys(object)) {
      const child = this.child(node, key);
      const operator = child.operator.operator;
      if (operator === 'drop') {
        this.planOf(child); // so the report lists the column
        delete object[key];
        this.changed = true;
        continue;
      }
      if (child.keySpans.length > 0) renamed = true;
      // A rule's `keep` covers the whole subtree; the default's `keep` still looks inside for rules further down.
      if (operator === 'keep' && child.decided) {
        if (object[key] !== null) this.masker.count(this.planOf(child));
        continue;
      }
      this.visit(object, key, child);
    }
    if (!renamed) return;
    const { out, renames } = this.renameKeys(object, node);
    // Values queued from this object must land in its replacement, under their new keys.
    for (let i = firstSlot; i < this.slots.length; i++) {
      const slot = this.slots[i]!;
      if (slot.holder !== object) continue;
      slot.holder = out;
      slot.key = renames.get(slot.key as string) ?? slot.key;
    }
    this.replace(holder, at, object, out);
  }

  /** Scans the record's queued strings together, then masks each where something was found. */
  private scanSlots(): void {
    const slots = this.slots;
    this.slots = [];
    const found =
      this.foundAhead(slots) ??
      scanMany(
        this.masker.scanner,
        slots.map((slot) => slot.text),
      );
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      const spans = found[i]!;
      const out = this.masker.maskFound(slot.plan, slot.text, spans);
      if (spans.length > 0 && out !== slot.text) {
        this.replace(slot.holder, slot.key, undefined, out);
      }
    }
  }

  /** The findings worked out ahead for these slots, if they are the strings expected next. */
  private foundAhead(slots: readonly Slot[]): ReadonlyArray<readonly Span[]> | undefined {
    const ahead = this.ahead;
    if (ahead === undefined) return undefined;
    const from = ahead.next;
    ahead.next += slots.length;
    if (ahead.next >= ahead.texts.length) this.ahead = undefined;
    for (let i = 0; i < slots.length; i++) {
      if (ahead.texts[from + i] !== slots[i]!.text) {
        this.ahead = undefined;
        return undefined;
      }
    }
    return ahead.found.slice(from, from + slots.length);
  }

  /** Rebuilds an object whose keys hold findings, masking them; masked keys that collide get `_2`, `_3`, … */
  private renameKeys(
    object: Record<string, unknown>,
    node: FieldNode,
  ): { out: Record<string, unknown>; renames: Map<string, string> } {
    const out: Record<string, unknown> = {};
    const renames = new Map<string, string>();
    for (const [key, value] of Object.entries(object)) {
      const child = this.child(node, key);
      let outKey = key;
      if (child.keySpans.length > 0) {
        const masked = maskSpans(key, child.keySpans, this.masker.findings, this.masker.context);
        this.masker.report.addFindings(this.planOf(child).stats, child.path, masked.spans, masked.text);
        outKey = masked.text;
        for (let n = 2; Object.hasOwn(out, outKey); n++) outKey = `${masked.text}_${n}`;
        renames.set(key, outKey);
      }
      setOwn(out, outKey, value);
    }
    return { out, renames };
  }

  private replace(holder: Holder, key: string | number, before: unknown, after: unknown): void {
    if (after === before) return;
    this.changed = true;
    if (typeof key === 'number') (holder as unknown[])[key] = after;
    else setOwn(holder as Record<string, unknown>, key, after);
  }

  private planOf(node: FieldNode): ColumnPlan {
    node.plan ??= this.masker.plan(node.path || '(record)', node.operator, node.classifiedType);
    return node.plan;
  }

  private child(node: FieldNode, key: string): FieldNode {
    const known = node.children?.get(key);
    if (known) return known;
    const path = node.path ? `${node.path}.${key}` : key;
    const kept = this.nodes < maxNodes;
    let created: FieldNode;
    if (node.decided) {
      created = {
        ...blank(path, key),
        kept,
        operator: node.operator,
        decided: true,
        classifiedType: node.classifiedType,
      };
    } else {
      const rule = this.policy && fieldRuleFor(this.policy, path);
      const classifiedType = rule ? undefined : this.classified.get(path);
      const operator: Readonly<ColumnOperatorConfig> = rule
        ? rule.operator
        : classifiedType
          ? { operator: 'replace', type: classifiedType, numbered: this.policy?.numbered ?? false }
          : this.defaultOperator;
      const scanned = operator.operator === 'scan' && key.length > 0;
      created = {
        ...blank(path, key),
        kept,
        operator,
        decided: rule !== undefined || classifiedType !== undefined,
        keySpans: scanned ? this.masker.scanner.scan(key) : [],
        classifiedType,
      };
    }
    if (kept) {
      this.nodes++;
      node.children ??= new Map();
      node.children.set(key, created);
    }
    return created;
  }
}

/**
 * Masked lines up to this many characters are built as one string, longer ones as pieces ({@link MaskedLine}):
 * well under `largeText` (stream-io.ts) even once escaped.
 */
const wholeLine = 8_192;

/**
 * Characters of a long value written as JSON a piece at a time: at most six characters each once escaped (a control
 * character), so no piece is a large object to V8 even in the two-byte form.
 */
const jsonPiece = 8_192;

/**
 * `JSON.stringify(text)`, pushed onto `pieces` whole or, for a long text, a piece at a time: the same characters,
 * as no piece ends inside a surrogate pair (JSON escapes only a lone one). Stringified whole, a long masked text is
 * copied twice as a large object: once flattened from the pieces masking built it from, once escaped.
 */
function pushJsonString(text: string, pieces: string[]): void {
  if (text.length <= jsonPiece) {
    pieces.push(JSON.stringify(text));
    return;
  }
  pieces.push('"');
  for (let from = 0; from < text.length; ) {
    let to = Math.min(text.length, from + jsonPiece);
    const last = text.charCodeAt(to - 1);
    if (to < text.length && last >= 0xd800 && last <= 0xdbff) to--;
    pieces.push(JSON.stringify(text.slice(from, to)).slice(1, -1));
    from = to;
  }
  pieces.push('"');
}

/**
 * What to cut from `line` to drop the object member at `[start, end)` (key to value), given that everything before
 * `copied` is already written or cut: the member and one comma beside it, so the object stays valid JSON. A member
 * with only cut members (or none) before it in its object takes the comma after it and the spaces after that
 * (`{"a":1, "b":2}` → `{"b":2}`); any other takes the comma before it (`{"a":1, "b":2}` → `{"a":1}`). A member
 * alone in its object leaves its braces (`{ }`).
 */
function cutMember(line: string, start: number, end: number, copied: number): [number, number] {
  let before = start - 1;
  while (line.charCodeAt(before) === 0x20) before--;
  // A comma before it that is not yet cut is this member's to take. One already cut went with the members cut
  // before this one, which were first in the object: this one is first now, and takes the comma after it.
  if (line.charCodeAt(before) === 0x2c /* , */ && before >= copied) return [before, end];
  let after = end;
  while (line.charCodeAt(after) === 0x20) after++;
  if (line.charCodeAt(after) !== 0x2c /* , */) return [start, end];
  after++;
  while (line.charCodeAt(after) === 0x20) after++;
  return [start, after];
}

function blank(path: string, key: string): FieldNode {
  return {
    path,
    operator: { operator: 'keep' },
    decided: false,
    keySpans: [],
    classifiedType: undefined,
    plan: undefined,
    children: undefined,
    key,
    kept: true,
    members: undefined,
    seenIn: 0,
  };
}

/** Whether the number literal at `[start, end)` is an integer of {@link longNumber} or more (checked as text). */
function isLong(line: string, start: number, end: number): boolean {
  const number = Number(line.slice(start, end));
  return Number.isInteger(number) && Math.abs(number) >= longNumber;
}

/** Whether a number literal can be an integer of {@link longNumber} or more: nine characters, or an exponent. */
function mayBeLong(line: string, start: number, end: number): boolean {
  if (end - start >= 9) return true;
  for (let i = start; i < end; i++) if ((line.charCodeAt(i) | 0x20) === 0x65 /* e */) return true;
  return false;
}

/** Sets an own property; `defineProperty` so a `__proto__` key stays data and does not reach the prototype. */
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  } else object[key] = value;
}

/** Every string leaf of a parsed record with its path (arrays transparent): what classification samples. */
export function forEachLeaf(value: unknown, path: string, visit: (path: string, text: string) => void): void {
  if (typeof value === 'string') visit(path || '(record)', value);
  else if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) >= longNumber) {
    visit(path || '(record)', String(value));
  } else if (Array.isArray(value)) for (const item of value) forEachLeaf(item, path, visit);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) forEachLeaf(item, path ? `${path}.${key}` : key, visit);
  }
}
