import { coreFunction, place } from '../detectors/scan-core.js';

/** What kind of value {@link JsonLineFields.value} is handed. */
export const ValueKind = {
  /** A string literal with no escapes: the text between the quotes is the value. */
  plain: 0,
  /** A string literal with escapes: the value is the literal decoded. */
  escaped: 1,
  number: 2,
  boolean: 3,
  /** A member's whole value (any JSON), which {@link JsonLineFields.whole} asked to be given in one piece. */
  whole: 4,
} as const;
export type ValueKind = (typeof ValueKind)[keyof typeof ValueKind];

/**
 * What a {@link JsonLineReader} tells as it reads a line. `N` is the caller's node for a field path: the reader
 * passes the parent's node down and asks for each member's.
 */
export interface JsonLineFields<N> {
  /**
   * The node for member number `index` of an object under `parent`, whose key lies between `keyStart` and
   * `keyEnd` (inside the quotes; `escaped` when it holds escapes); `undefined` to give the line up. `object`
   * numbers the objects read (never twice), so a key repeated within one object can be told from one in the next.
   */
  member(
    parent: N,
    line: string,
    keyStart: number,
    keyEnd: number,
    escaped: boolean,
    index: number,
    object: number,
  ): N | undefined;
  /**
   * A string, number or boolean under `node` (`null` is not reported). For a string, inside the quotes. Or, for a
   * member whose node is {@link JsonLineFields.whole}, its whole value, `null` included.
   */
  value(node: N, kind: ValueKind, start: number, end: number): void;
  /** Whether a member under `node` is wanted as one piece: it is still read (to check it), but nothing inside it is told. */
  whole(node: N): boolean;
}

/** The events the core's pass writes (`assembly/json-line.ts` describes them), by their tags. */
const Event = {
  /** An object with members opens. */
  open: 0,
  close: 1,
  /** A member: its key's start and end, then its value's end, the index of the event after it, objects in it. */
  member: 2,
  escapedMember: 3,
  /** A value of kind `tag - value`: its start and end. */
  value: 4,
} as const;

const jsonLineEvents = coreFunction<(text: number, length: number, out: number) => number>('jsonLineEvents');

/**
 * Reads one JSON Lines record in place, without building it: checks the line is strict JSON and reports where each
 * member and value lies, so a masker can splice its output into the line instead of parsing and re-serialising the
 * whole record (which costs more than reading it). One pass of the core walks the line (long string contents eight
 * code units a compare) and writes events; the reader replays them into the callbacks, as they came in the line.
 *
 * `read` returns `false` for a line it does not take — invalid JSON (only spaces count as whitespace), control
 * characters, nesting past 256, or a member the caller declined — and the caller parses that line the ordinary way
 * (which also gives the error message). It never returns `true` for a line `JSON.parse` refuses (a differential test
 * checks that). A line that fails is still told up to where it fails, unless it holds a control character.
 */
export class JsonLineReader<N> {
  /** Objects read so far, over all lines: each object's number is unique. */
  private objects = 0;
  /** For each object open in the line: the node it is the value of, members read so far, its number. */
  private readonly nodes: N[] = [];
  private readonly counts: number[] = [];
  private readonly numbers: number[] = [];
  /** The events of the line being read, copied out of the core. */
  private events = new Int32Array(1024);

  constructor(private readonly fields: JsonLineFields<N>) {}

  /** Reads `line` (one record) under `root`; `false` when the line is left to the caller. */
  read(line: string, root: N): boolean {
    // A key of its own for each line: the core then places every line, not just the first.
    const { textAt, length, outAt, out } = place({}, line);
    const result = jsonLineEvents(textAt, length, outAt);
    const end = result < 0 ? ~result : result;
    // Copied out: a callback may scan (the masker scans a key it has not seen), which overwrites the core's memory.
    // Into an array kept from line to line: a fresh typed array for each line cost 2-4 µs to allocate and collect.
    if (this.events.length < end) this.events = new Int32Array(Math.max(end, this.events.length * 2));
    const events = this.events;
    events.set(out.subarray(0, end));
    const { fields, nodes, counts, numbers } = this;
    let depth = 0;
    // The node a value or an object is under: the last member's, or, after an object, the node that object was under.
    let node = root;
    for (let i = 0; i < end; ) {
      const tag = events[i]!;
      if (tag >= Event.value) {
        fields.value(node, (tag - Event.value) as ValueKind, events[i + 1]!, events[i + 2]!);
        i += 3;
      } else if (tag >= Event.member) {
        const top = depth - 1;
        const keyEnd = events[i + 2]!;
        const child = fields.member(
          nodes[top]!,
          line,
          events[i + 1]!,
          keyEnd,
          tag === Event.escapedMember,
          counts[top]!++,
          numbers[top]!,
        );
        if (child === undefined) return false;
        if (fields.whole(child)) {
          // Told in one piece, and nothing inside it: the events it holds are stepped over.
          const valueEnd = events[i + 3]!;
          this.objects += events[i + 5]!;
          if (valueEnd < 0) return false;
          fields.value(child, ValueKind.whole, valueStart(line, keyEnd), valueEnd);
          i = events[i + 4]!;
        } else {
          node = child;
          i += 6;
        }
      } else if (tag === Event.open) {
        nodes[depth] = node;
        counts[depth] = 0;
        numbers[depth] = ++this.objects;
        depth++;
        i++;
      } else {
        node = nodes[--depth]!;
        i++;
      }
    }
    return result >= 0;
  }
}

/** Where the value of the member whose key ends at `keyEnd` starts: past the quote, the colon and spaces. */
function valueStart(line: string, keyEnd: number): number {
  let at = line.indexOf(':', keyEnd + 1) + 1;
  while (line.charCodeAt(at) === 0x20) at++;
  return at;
}

/**
 * Literals at least this long are decoded by `JSON.parse`, into one flat string. Built from slices, a long text with
 * many escapes is a tree of hundreds of pieces that every later reader walks (joining it for the scan, masking it):
 * on records of 200 KB of text that cost more than decoding it natively.
 */
const longLiteral = 1024;

/**
 * The value of the string literal between `start` and `end` (inside the quotes) of `line`, which a
 * {@link JsonLineReader} found valid. The text between escapes of a short literal is sliced, not copied: cheaper
 * than `JSON.parse` on the literal, which a record's texts with a newline or two would otherwise each pay.
 */
export function decodeJsonString(line: string, start: number, end: number): string {
  if (end - start >= longLiteral) return JSON.parse(line.slice(start - 1, end + 1)) as string;
  let out = '';
  let from = start;
  for (let at = line.indexOf('\\', start); at !== -1 && at < end; at = line.indexOf('\\', from)) {
    out += line.slice(from, at);
    const e = line.charCodeAt(at + 1);
    if (e === 0x75 /* u */) {
      out += String.fromCharCode(Number.parseInt(line.slice(at + 2, at + 6), 16));
      from = at + 6;
    } else {
      out += simpleEscape(e);
      from = at + 2;
    }
  }
  return out + line.slice(from, end);
}

function simpleEscape(c: number): string {
  switch (c) {
    case 0x62:
      return '\b';
    case 0x66:
      return '\f';
    case 0x6e:
      return '\n';
    case 0x72:
      return '\r';
    case 0x74:
      return '\t';
    default:
      return String.fromCharCode(c); // " \ /
  }
}
