import { MaskError } from '../errors.js';

/**
 * Splits UTF-8 byte chunks into lines (`\n`, a trailing `\r` removed) and decodes each line on its own, keeping a
 * partial last line's bytes until the next chunk completes it; a UTF-8 BOM before the first line is dropped.
 *
 * Decoding line by line rather than chunk by chunk is cheaper twice over: V8 makes a two-byte string of a whole
 * chunk when any character in it is beyond Latin-1 (a `€`, a CJK name), and everything cut from it stays two-byte
 * — slower to decode, to parse and to write out — while here only the lines holding such a character are. Finding
 * line ends looks only at new bytes, so a long line spread over many chunks costs linear time; a line longer than
 * `maxLineBytes` is refused instead of buffered without bound.
 */
export class LineSplitter {
  /** Lines completed so far (blank ones included), i.e. the number of the last line returned. */
  lineNumber = 0;
  private held: Buffer[] = [];
  private heldBytes = 0;

  constructor(private readonly maxLineBytes = 64 * 1024 * 1024) {}

  /**
   * The lines `chunk` completes, in order. With `lineBytes`, each line's UTF-8 bytes (without its line end or a
   * BOM) are appended to it too: views into `chunk` where a line lies within it, so the caller must not reuse
   * `chunk`'s memory while it holds them.
   */
  push(chunk: Uint8Array, lineBytes?: Buffer[]): string[] {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const lines: string[] = [];
    let newline = bytes.indexOf(0x0a);
    if (newline === -1) {
      this.hold(bytes);
      return lines;
    }
    if (this.held.length === 0) lines.push(this.decode(bytes, 0, newline, lineBytes));
    else {
      this.held.push(bytes.subarray(0, newline));
      const whole = Buffer.concat(this.held, this.heldBytes + newline);
      this.held = [];
      this.heldBytes = 0;
      lines.push(this.decode(whole, 0, whole.length, lineBytes));
    }
    let start = newline + 1;
    for (newline = bytes.indexOf(0x0a, start); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
      lines.push(this.decode(bytes, start, newline, lineBytes));
      start = newline + 1;
    }
    if (start < bytes.length) this.hold(bytes.subarray(start));
    return lines;
  }

  /** The last line, if the input did not end with a newline (its bytes appended to `lineBytes`, as in `push`). */
  end(lineBytes?: Buffer[]): string | undefined {
    if (this.held.length === 0) return undefined;
    const whole = Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    return this.decode(whole, 0, whole.length, lineBytes);
  }

  private decode(bytes: Buffer, start: number, end: number, lineBytes: Buffer[] | undefined): string {
    if (end > start && bytes[end - 1] === 0x0d) end--;
    this.lineNumber++;
    if (this.lineNumber === 1 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) {
      start = Math.min(start + 3, end);
    }
    lineBytes?.push(bytes.subarray(start, end));
    return bytes.toString('utf8', start, end);
  }

  private hold(bytes: Buffer): void {
    // A copy: the input may reuse its buffer once this chunk has been handed over.
    this.held.push(Buffer.from(bytes));
    this.heldBytes += bytes.length;
    if (this.heldBytes > this.maxLineBytes) {
      throw new MaskError(
        'mask_input_invalid',
        `line ${this.lineNumber + 1} is longer than ${this.maxLineBytes} bytes; is this really JSON Lines (one record per line)?`,
        { line: this.lineNumber + 1 },
      );
    }
  }
}

/** True for a line with nothing but whitespace (JSONL readers skip them). */
export function isBlank(line: string): boolean {
  if (line.length === 0) return true;
  const first = line.charCodeAt(0);
  return (first === 0x20 || first === 0x09 || first === 0x0d) && line.trim() === '';
}
