import { MaskError, skipInvalidAdvice } from '../errors.js';

export interface CsvReaderOptions {
  /** One character; default `,`. */
  delimiter?: string;
  /** `error` (default) throws on a row whose field count differs from the header's; `skip` counts it in `invalid`. */
  onInvalid?: 'error' | 'skip';
  /** The longest field accepted, in characters (default 16 MiB): a runaway quote must not take all memory. */
  maxFieldLength?: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** The reader's states (plain numbers: this is the hot loop). */
const State = {
  /** At the start of a field (and maybe of a row). */
  FieldStart: 0,
  Unquoted: 1,
  Quoted: 2,
  /** Just after a `"` inside a quoted field: either `""` (a quote) or the end of the field. */
  QuoteInQuoted: 3,
  /** Just after a CR that ended a row: a following LF belongs to it. */
  AfterCr: 4,
} as const;
type State = (typeof State)[keyof typeof State];

/**
 * An RFC 4180 reader fed string chunks of any size (split anywhere, even inside a quoted field or a CRLF): quoted
 * fields, doubled quotes, CRLF or LF, newlines inside quotes, a leading BOM. The first row is the header and fixes
 * the field count; blank lines are skipped. Work per chunk is linear in its length, and a field can grow across
 * chunks only up to `maxFieldLength`.
 *
 * @example
 * const reader = new CsvReader();
 * for (const chunk of chunks) for (const row of reader.push(chunk)) use(row);
 * for (const row of reader.end()) use(row);
 */
export class CsvReader {
  /** Rows skipped for having the wrong number of fields (`onInvalid: 'skip'`). */
  invalid = 0;
  /** The line ending of the first row, so a writer can keep it. */
  newline: '\r\n' | '\n' | undefined;
  /** The header's field count, once the header has been read. */
  width: number | undefined;

  private readonly delimiter: number;
  private readonly delimiterText: string;
  private readonly onInvalid: 'error' | 'skip';
  private readonly maxFieldLength: number;
  private state: State = State.FieldStart;
  private field = '';
  private row: string[] = [];
  private rowLength = 0;
  private line = 1;
  private rowLine = 1;
  private started = false;
  private out: string[][] = [];

  constructor(options: CsvReaderOptions = {}) {
    const delimiter = options.delimiter ?? ',';
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new MaskError(
        'mask_input_invalid',
        `the CSV delimiter must be one character other than a quote or newline; got ${JSON.stringify(delimiter)}`,
      );
    }
    this.delimiter = delimiter.charCodeAt(0);
    this.delimiterText = delimiter;
    this.onInvalid = options.onInvalid ?? 'error';
    this.maxFieldLength = options.maxFieldLength ?? 16 * 1024 * 1024;
  }

  /** Parses `chunk` and returns the rows it completed (the header included, as the first row). */
  push(chunk: string): string[][] {
    this.out = [];
    let i = 0;
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1;
    }
    const n = chunk.length;
    const delimiter = this.delimiter;
    while (i < n) {
      switch (this.state) {
        case State.FieldStart: {
          const c = chunk.charCodeAt(i);
          if (c === QUOTE) {
            this.state = State.Quoted;
            i++;
          } else if ((c === LF || c === CR) && this.row.length === 0) {
            // A blank line: no row.
            this.line++;
            this.rowLine = this.line;
            if (c === CR) this.state = State.AfterCr;
            i++;
          } else this.state = State.Unquoted;
          break;
        }
        case State.Unquoted: {
          let j = i;
          let c = 0;
          while (j < n) {
            c = chunk.charCodeAt(j);
            if (c === delimiter || c === LF || c === CR) break;
            j++;
          }
          this.append(chunk, i, j);
          if (j === n) {
            i = n;
            break;
          }
          i = this.endField(c, j);
          break;
        }
        case State.Quoted: {
          const q = chunk.indexOf('"', i);
          const end = q === -1 ? n : q;
          this.countLines(chunk, i, end);
          this.append(chunk, i, end);
          if (q === -1) i = n;
          else {
            this.state = State.QuoteInQuoted;
            i = q + 1;
          }
          break;
        }
        case State.QuoteInQuoted: {
          const c = chunk.charCodeAt(i);
          if (c === QUOTE) {
            this.append('"', 0, 1);
            this.state = State.Quoted;
            i++;
          } else if (c === delimiter || c === LF || c === CR) {
            i = this.endField(c, i);
          } else {
            // Text after a closing quote (`"a"b`): lenient, like most readers — it joins the field.
            this.state = State.Unquoted;
          }
          break;
        }
        case State.AfterCr: {
          if (chunk.charCodeAt(i) === LF) i++;
          this.state = State.FieldStart;
          break;
        }
      }
    }
    return this.out;
  }

  /** Finishes the input: returns the last row if it had no line ending; throws on an unterminated quote. */
  end(): string[][] {
    this.out = [];
    if (this.state === State.Quoted) {
      throw new MaskError(
        'mask_input_invalid',
        `CSV line ${this.rowLine}: a quoted field is never closed; check for a stray '"' (a quote inside a field is written as "")`,
        { line: this.rowLine },
      );
    }
    if (this.state === State.Unquoted || this.state === State.QuoteInQuoted || this.row.length > 0) {
      this.row.push(this.field);
      this.field = '';
      this.finishRow();
    }
    this.state = State.FieldStart;
    return this.out;
  }

  /** Ends the current field at `c` (a delimiter, CR or LF at index `at`); returns where to continue. */
  private endField(c: number, at: number): number {
    this.rowLength += this.field.length;
    this.row.push(this.field);
    this.field = '';
    if (c === this.delimiter) {
      this.state = State.FieldStart;
      return at + 1;
    }
    this.newline ??= c === CR ? '\r\n' : '\n';
    this.finishRow();
    this.line++;
    this.rowLine = this.line;
    this.state = c === CR ? State.AfterCr : State.FieldStart;
    return at + 1;
  }

  private finishRow(): void {
    const row = this.row;
    this.row = [];
    this.rowLength = 0;
    if (this.width === undefined) {
      this.width = row.length;
      this.out.push(row);
      return;
    }
    if (row.length === this.width) {
      this.out.push(row);
      return;
    }
    if (this.onInvalid === 'skip') {
      this.invalid++;
      return;
    }
    throw new MaskError(
      'mask_input_invalid',
      `CSV line ${this.rowLine}: ${row.length} fields where the header has ${this.width}; quote fields that contain '${this.delimiterText}' or newlines, or ${skipInvalidAdvice} to skip and count such rows`,
      { line: this.rowLine, fields: row.length, expected: this.width },
    );
  }

  private append(text: string, from: number, to: number): void {
    if (to <= from) return;
    const piece = from === 0 && to === text.length ? text : text.slice(from, to);
    this.field = this.field.length === 0 ? piece : this.field + piece;
    if (this.field.length > this.maxFieldLength || this.rowLength + this.field.length > 4 * this.maxFieldLength) {
      throw new MaskError(
        'mask_input_invalid',
        `CSV line ${this.rowLine}: a field is longer than ${this.maxFieldLength} characters; check for an unbalanced quote or a wrong delimiter`,
        { line: this.rowLine },
      );
    }
  }

  private countLines(text: string, from: number, to: number): void {
    for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) this.line++;
  }
}

/**
 * Formats one CSV row (without its line ending), quoting a field only when it holds the delimiter, a quote, CR or
 * LF; quotes inside are doubled.
 *
 * @example
 * formatCsvRow(['a', 'b,c', 'say "hi"']) // 'a,"b,c","say ""hi"""'
 */
export function formatCsvRow(fields: readonly string[], delimiter = ','): string {
  const special = delimiter === ',' ? commaSpecial : new RegExp(`["\\r\\n${delimiter.replace(/[\\\]^-]/g, '\\$&')}]`);
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (i > 0) out += delimiter;
    out += special.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
  }
  return out;
}

const commaSpecial = /[",\r\n]/;
