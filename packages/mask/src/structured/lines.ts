import { MaskError } from '../errors.js';

/**
 * Splits string chunks into lines (`\n`, a trailing `\r` removed), keeping a partial last line until the next
 * chunk completes it. Finding line ends looks only at new text, so a long line spread over many chunks costs
 * linear time; a line longer than `maxLineLength` is refused instead of buffered without bound.
 */
export class LineSplitter {
  /** Lines completed so far (blank ones included), i.e. the number of the last line returned. */
  lineNumber = 0;
  private pieces: string[] = [];
  private pendingLength = 0;

  constructor(private readonly maxLineLength = 64 * 1024 * 1024) {}

  /** The lines `chunk` completes, in order. */
  push(chunk: string): string[] {
    const lines: string[] = [];
    let newline = chunk.indexOf('\n');
    if (newline === -1) {
      this.hold(chunk);
      return lines;
    }
    const head = chunk.slice(0, newline);
    lines.push(this.pieces.length === 0 ? head : this.pieces.join('') + head);
    this.pieces = [];
    this.pendingLength = 0;
    let start = newline + 1;
    for (newline = chunk.indexOf('\n', start); newline !== -1; newline = chunk.indexOf('\n', start)) {
      lines.push(chunk.slice(start, newline));
      start = newline + 1;
    }
    if (start < chunk.length) this.hold(chunk.slice(start));
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.charCodeAt(line.length - 1) === 0x0d) lines[i] = line.slice(0, -1);
    }
    this.lineNumber += lines.length;
    return lines;
  }

  /** The last line, if the input did not end with a newline. */
  end(): string | undefined {
    if (this.pieces.length === 0) return undefined;
    const line = this.pieces.join('');
    this.pieces = [];
    this.pendingLength = 0;
    this.lineNumber++;
    return line.charCodeAt(line.length - 1) === 0x0d ? line.slice(0, -1) : line;
  }

  private hold(text: string): void {
    this.pieces.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength > this.maxLineLength) {
      throw new MaskError(
        'mask_input_invalid',
        `line ${this.lineNumber + 1} is longer than ${this.maxLineLength} characters; is this really JSON Lines (one record per line)?`,
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
