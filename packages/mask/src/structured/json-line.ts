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

/**
 * Any control character. Raw in a string it makes the line invalid; outside one it is whitespace (a tab), which
 * this reader leaves to `JSON.parse`. One native search per line costs less than looking at every character.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const controlCharacter = /[\u0000-\u001f]/;
/** Nesting past this is left to `JSON.parse` (which recurses natively). */
const maxDepth = 256;

const quote = 0x22;
const backslash = 0x5c;
const space = 0x20;

/**
 * Reads one JSON Lines record in place, without building it: checks the line is strict JSON and reports where each
 * member and value lies, so a masker can splice its output into the line instead of parsing and re-serialising the
 * whole record (which costs more than reading it). String contents are skipped with native searches for the next
 * quote and backslash, so a record's long texts cost little.
 *
 * `read` returns `false` for a line it does not take — invalid JSON, control characters, deep nesting, or a member
 * the caller declined — and the caller parses that line the ordinary way (which also gives the error message).
 * It never returns `true` for a line `JSON.parse` refuses (a differential test checks that).
 */
export class JsonLineReader<N> {
  private line = '';
  /** The first backslash at or after `at` (-1: none): a string up to its closing quote without one is plain. */
  private nextBackslash = -1;
  private at = 0;
  /** Objects read so far, over all lines: each object's number is unique. */
  private objects = 0;
  /** Inside a value read whole: nothing is told. */
  private silent = 0;

  constructor(private readonly fields: JsonLineFields<N>) {}

  /** Reads `line` (one record) under `root`; `false` when the line is left to the caller. */
  read(line: string, root: N): boolean {
    if (controlCharacter.test(line)) return false;
    this.line = line;
    this.at = 0;
    this.silent = 0;
    this.nextBackslash = line.indexOf('\\');
    this.skipSpaces();
    if (!this.value(root, 0)) return false;
    this.skipSpaces();
    return this.at === line.length;
  }

  private skipSpaces(): void {
    const line = this.line;
    while (line.charCodeAt(this.at) === space) this.at++;
  }

  private value(node: N, depth: number): boolean {
    const line = this.line;
    const c = line.charCodeAt(this.at);
    if (c === quote) {
      const start = this.at + 1;
      const escaped = this.string();
      if (escaped === undefined) return false;
      if (this.silent === 0) this.fields.value(node, escaped ? ValueKind.escaped : ValueKind.plain, start, this.at - 1);
      return true;
    }
    if (c === 0x7b /* { */) return depth < maxDepth && this.object(node, depth + 1);
    if (c === 0x5b /* [ */) return depth < maxDepth && this.array(node, depth + 1);
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const start = this.at;
      if (!this.number()) return false;
      if (this.silent === 0) this.fields.value(node, ValueKind.number, start, this.at);
      return true;
    }
    if (c === 0x74 /* t */ && line.startsWith('true', this.at)) {
      this.at += 4;
      if (this.silent === 0) this.fields.value(node, ValueKind.boolean, this.at - 4, this.at);
      return true;
    }
    if (c === 0x66 /* f */ && line.startsWith('false', this.at)) {
      this.at += 5;
      if (this.silent === 0) this.fields.value(node, ValueKind.boolean, this.at - 5, this.at);
      return true;
    }
    if (c === 0x6e /* n */ && line.startsWith('null', this.at)) {
      this.at += 4;
      return true;
    }
    return false;
  }

  /**
   * Reads the string literal starting at `at` (a quote) and leaves `at` past its closing quote. Native searches
   * for the next quote and backslash skip the text between: a loop over characters costs several times more.
   * @returns whether it holds escapes; `undefined` when it is not a valid literal.
   */
  private string(): boolean | undefined {
    const line = this.line;
    let from = this.at + 1;
    let escaped = false;
    // The first quote from `from` on, looked for again only when an escape passed it (`\"`): a long text with many
    // escapes would otherwise be searched to its end once for each of them.
    let close = line.indexOf('"', from);
    for (;;) {
      if (close === -1) return undefined;
      const backslashAt = this.nextBackslash;
      if (backslashAt === -1 || backslashAt > close) {
        this.at = close + 1;
        return escaped;
      }
      // An escape comes first: check it, step over it, and look again from there.
      escaped = true;
      const e = line.charCodeAt(backslashAt + 1);
      if (e === 0x75 /* u */) {
        if (!isHex(line, backslashAt + 2)) return undefined;
        from = backslashAt + 6;
      } else if (isSimpleEscape(e)) from = backslashAt + 2;
      else return undefined;
      this.nextBackslash = line.indexOf('\\', from);
      if (close < from) close = line.indexOf('"', from);
    }
  }

  /** Reads a number literal (JSON's grammar exactly) starting at `at`. */
  private number(): boolean {
    const line = this.line;
    let at = this.at;
    if (line.charCodeAt(at) === 0x2d) at++;
    const first = line.charCodeAt(at);
    if (first === 0x30) at++;
    else if (first >= 0x31 && first <= 0x39) at = digitsEnd(line, at + 1);
    else return false;
    if (line.charCodeAt(at) === 0x2e /* . */) {
      const end = digitsEnd(line, at + 1);
      if (end === at + 1) return false;
      at = end;
    }
    const e = line.charCodeAt(at);
    if (e === 0x65 || e === 0x45 /* e E */) {
      at++;
      const sign = line.charCodeAt(at);
      if (sign === 0x2b || sign === 0x2d) at++;
      const end = digitsEnd(line, at);
      if (end === at) return false;
      at = end;
    }
    this.at = at;
    return true;
  }

  private object(node: N, depth: number): boolean {
    const line = this.line;
    this.at++;
    this.skipSpaces();
    if (line.charCodeAt(this.at) === 0x7d /* } */) {
      this.at++;
      return true;
    }
    const object = ++this.objects;
    for (let index = 0; ; index++) {
      if (line.charCodeAt(this.at) !== quote) return false;
      const keyStart = this.at + 1;
      const escaped = this.string();
      if (escaped === undefined) return false;
      const keyEnd = this.at - 1;
      this.skipSpaces();
      if (line.charCodeAt(this.at) !== 0x3a /* : */) return false;
      this.at++;
      this.skipSpaces();
      const child = this.silent === 0 ? this.fields.member(node, line, keyStart, keyEnd, escaped, index, object) : node;
      if (child === undefined) return false;
      if (this.silent === 0 && this.fields.whole(child)) {
        const start = this.at;
        this.silent++;
        const read = this.value(child, depth);
        this.silent--;
        if (!read) return false;
        this.fields.value(child, ValueKind.whole, start, this.at);
      } else if (!this.value(child, depth)) return false;
      this.skipSpaces();
      const next = line.charCodeAt(this.at++);
      if (next === 0x7d /* } */) return true;
      if (next !== 0x2c /* , */) return false;
      this.skipSpaces();
    }
  }

  private array(node: N, depth: number): boolean {
    const line = this.line;
    this.at++;
    this.skipSpaces();
    if (line.charCodeAt(this.at) === 0x5d /* ] */) {
      this.at++;
      return true;
    }
    for (;;) {
      if (!this.value(node, depth)) return false;
      this.skipSpaces();
      const next = line.charCodeAt(this.at++);
      if (next === 0x5d /* ] */) return true;
      if (next !== 0x2c /* , */) return false;
      this.skipSpaces();
    }
  }
}

function digitsEnd(line: string, at: number): number {
  for (let c = line.charCodeAt(at); c >= 0x30 && c <= 0x39; c = line.charCodeAt(at)) at++;
  return at;
}

/** `"` `\` `/` `b` `f` `n` `r` `t`: the escapes JSON allows besides `\u`. */
function isSimpleEscape(c: number): boolean {
  return (
    c === quote || c === backslash || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74
  );
}

function isHex(line: string, at: number): boolean {
  for (let i = at; i < at + 4; i++) {
    const c = line.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
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
