import type { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { LineSplitter } from './lines.js';

/** What a stream reads: a Node Readable, or any async iterable of bytes or text. */
export type StreamInput = AsyncIterable<Buffer | Uint8Array | string>;

/**
 * Characters a string may hold and still be allocated like any other: V8 puts an object of more than 128 KiB in its
 * large-object space, where each one costs a fresh memory mapping and waits for a full collection to be freed, and a
 * string of text with any character beyond Latin-1 (a `€`) takes two bytes a character. Joining 123,000 such
 * characters cost 11 ms/MB, and 61,500 of them 0.8.
 */
export const largeText = 60_000;

/**
 * How much to read or write at a time, 1 MiB: what the command reads its input files in (Node's default is 64 KiB)
 * and what {@link OutputSink} writes. Each read and write is a round trip to Node's thread pool, which on one core
 * shares the CPU with the masking: masking 16 MB of JSONL with no detectors took 190 ms in 64 KiB chunks and 145 in
 * 1 MiB ones.
 */
export const fileChunkBytes = 1 << 20;

/**
 * Decodes UTF-8 chunks to text, holding back a multi-byte character split across chunks, and counts bytes in.
 *
 * @example
 * for await (const text of decodeChunks(input, (n) => (bytes += n))) …
 */
export async function* decodeChunks(input: StreamInput, onBytes: (bytes: number) => void): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of input) {
    if (typeof chunk === 'string') {
      onBytes(Buffer.byteLength(chunk, 'utf8'));
      if (chunk.length > 0) yield chunk;
      continue;
    }
    onBytes(chunk.byteLength);
    // Decoded a piece at a time, so that no text is a large object (see `largeText`).
    for (let at = 0; at < chunk.byteLength; at += largeText) {
      const text = decoder.write(chunk.subarray(at, at + largeText) as Buffer);
      if (text.length > 0) yield text;
    }
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}

/** Lines read from a JSON Lines input, with the UTF-8 bytes each was decoded from (without its line end). */
export interface LineBatch {
  lines: string[];
  bytes: Buffer[];
}

/**
 * The lines of a JSON Lines input, each chunk's completed lines at a time and a last unterminated line at the end,
 * each line decoded on its own ({@link LineSplitter}) and its bytes kept, so a line written out unchanged need not be
 * encoded again; counts bytes in. Text chunks are encoded back to bytes, so every line is read the same way
 * whatever the input yields.
 */
export async function* readLines(input: StreamInput, onBytes: (bytes: number) => void): AsyncGenerator<LineBatch> {
  const splitter = new LineSplitter();
  const read = (bytes: Buffer): LineBatch => {
    const batch: LineBatch = { lines: [], bytes: [] };
    batch.lines = splitter.push(bytes, batch.bytes);
    return batch;
  };
  // A text chunk may end halfway through a surrogate pair (an emoji): that half waits for the next chunk.
  let highSurrogate = '';
  for await (const chunk of input) {
    let bytes: Buffer;
    if (typeof chunk === 'string') {
      let text = highSurrogate + chunk;
      const last = text.charCodeAt(text.length - 1);
      highSurrogate = last >= 0xd800 && last <= 0xdbff ? text.slice(-1) : '';
      if (highSurrogate !== '') text = text.slice(0, -1);
      bytes = Buffer.from(text, 'utf8');
    } else {
      // A copy: the lines' bytes are held until written out, and the input may reuse its buffer meanwhile.
      bytes = Buffer.from(chunk);
    }
    onBytes(bytes.byteLength);
    yield read(bytes);
  }
  if (highSurrogate !== '') {
    const bytes = Buffer.from(highSurrogate, 'utf8');
    onBytes(bytes.byteLength);
    yield read(bytes);
  }
  const bytes: Buffer[] = [];
  const last = splitter.end(bytes);
  if (last !== undefined) yield { lines: [last], bytes };
}

/**
 * Batches output into writes of about {@link fileChunkBytes} and waits for `drain` when the destination is full.
 *
 * Text is encoded to UTF-8 as it is pushed, straight into the buffer the next write takes, not queued as strings
 * and encoded at the flush: a line is read while it is still in the processor's cache, not a megabyte of lines
 * later, and is garbage at once. Masking 16 MB of JSONL took 0.91 of the CPU time, mixed or dense, and of CSV 0.93,
 * for about as many instructions (counted under Valgrind). Each piece is encoded on its own, never joined first:
 * pieces cut from a decoded chunk that held any non-ASCII character are two-byte strings, and V8 joins those more
 * than ten times slower than it encodes them piece by piece (7.5 against 0.55 ms/MB on the mixed JSONL of the
 * throughput benchmark). A line end is written as a byte for the same reason: `line + '\n'` would be flattened into
 * a copy of the line before being encoded.
 */
export class OutputSink {
  bytesOut = 0;
  /** The buffer being filled, and how much of it is. */
  private buffer: Buffer = Buffer.alloc(0);
  private written = 0;
  /** Buffers filled before this one, waiting for the next write. */
  private filled: Buffer[] = [];
  /** Bytes in {@link filled} and {@link buffer} together. */
  private pending = 0;
  private failure: Error | undefined;
  private readonly onError = (error: Error) => {
    this.failure ??= error;
  };

  constructor(
    private readonly output: Writable,
    private readonly batch = fileChunkBytes,
  ) {
    output.on('error', this.onError);
  }

  /** Queues `text`; once {@link due}, the caller awaits {@link flush}. */
  push(text: string): void {
    if (text.length === 0) return;
    // At most three bytes per code unit (a surrogate pair is four bytes for two units); past a few MB of text, the
    // exact count, not a needlessly large buffer.
    this.room(text.length <= 1 << 22 ? text.length * 3 : Buffer.byteLength(text, 'utf8'));
    const count = this.buffer.write(text, this.written, 'utf8');
    this.written += count;
    this.pending += count;
  }

  /**
   * Queues a line and a `\n` after it: text, the text's pieces in order (encoded one after the other, never joined
   * into a copy), or the UTF-8 bytes of a line written out as it came (which must be valid UTF-8, as bytes a line
   * was decoded from without a U+FFFD are).
   */
  pushLine(line: string | readonly string[] | Uint8Array): void {
    if (typeof line === 'string') this.push(line);
    else if (line instanceof Uint8Array) {
      this.room(line.byteLength);
      this.buffer.set(line, this.written);
      this.written += line.byteLength;
      this.pending += line.byteLength;
    } else for (const piece of line) this.push(piece);
    this.room(1);
    this.buffer[this.written++] = 0x0a;
    this.pending += 1;
  }

  /** Makes room for `bytes` more bytes in {@link buffer}, starting a new one when the current one is short of it. */
  private room(bytes: number): void {
    if (this.written + bytes <= this.buffer.byteLength) return;
    if (this.written > 0) this.filled.push(this.buffer.subarray(0, this.written));
    // A sixteenth over the batch, so a buffer filled up to it has room for a line or two more than `due` needs.
    this.buffer = Buffer.allocUnsafe(Math.max(bytes, this.batch + (this.batch >> 4)));
    this.written = 0;
  }

  /** True when enough is queued to be worth a write. */
  get due(): boolean {
    return this.pending >= this.batch;
  }

  /** Writes what is queued; resolves once the destination can take more. */
  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.pending === 0) return;
    if (this.written > 0) this.filled.push(this.buffer.subarray(0, this.written));
    const bytes = this.filled.length === 1 ? this.filled[0]! : Buffer.concat(this.filled, this.pending);
    // The destination holds on to what it is given until written: the rest of this buffer is not filled again.
    this.buffer = this.buffer.subarray(this.buffer.byteLength);
    this.written = 0;
    this.filled = [];
    this.pending = 0;
    this.bytesOut += bytes.byteLength;
    if (!this.output.write(bytes)) await this.waitFor('drain');
  }

  /** Flushes, ends the destination (unless `end` is false) and waits until everything is written. */
  async close(end: boolean): Promise<void> {
    await this.flush();
    if (end) {
      const finished = this.waitFor('finish');
      this.output.end();
      await finished;
    }
    this.output.off('error', this.onError);
  }

  /** Detaches from the destination after a failure elsewhere. */
  release(): void {
    this.output.off('error', this.onError);
  }

  private waitFor(event: 'drain' | 'finish'): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const output = this.output;
    return new Promise((resolve, reject) => {
      const settle = (error?: Error) => {
        output.off(event, done);
        output.off('error', failed);
        output.off('close', closed);
        if (error) reject(error);
        else resolve();
      };
      const done = () => settle();
      const failed = (error: Error) => settle(error);
      // A destination destroyed while we wait would otherwise leave us waiting forever.
      const closed = () =>
        settle(
          event === 'finish' && output.writableFinished
            ? undefined
            : (this.failure ?? new Error('the output stream closed before all data was written')),
        );
      output.on(event, done);
      output.on('error', failed);
      output.on('close', closed);
    });
  }
}
