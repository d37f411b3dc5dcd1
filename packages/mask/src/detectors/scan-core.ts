import { readFileSync } from 'node:fs';
import { MaskError } from '../errors.js';

/**
 * The detectors' per-character loops, compiled to WebAssembly from `assembly/*.ts` (one module; `npm run build`
 * writes it to `dist/scan-core.wasm`). A text is copied into the module's memory once per scan ({@link place}: a
 * native copy, a fraction of a nanosecond per character) and every pass over it reads it there; a pass writes its
 * results to the output area and the host copies them out as a typed array before the next pass runs.
 *
 * Memory, from the module's own data up: regions the detectors {@link reserve} for their tables, then the text placed
 * last (UTF-16 code units), then room for its digit runs, then the output area. It grows to fit the largest text
 * placed so far and never shrinks.
 */

// Node has WebAssembly, but the lib this project compiles against (ES2023, no DOM) does not declare it.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: object };
};

interface CoreMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

const pageBytes = 65_536;

function load(): Record<string, unknown> & { memory: CoreMemory; heapBase(): number } {
  // Beside the build's JavaScript in `dist/`, and reached by the same path from the TypeScript sources in `src/`.
  const url = new URL('../../dist/scan-core.wasm', import.meta.url);
  let bytes: Buffer;
  try {
    bytes = readFileSync(url);
  } catch (error) {
    throw new MaskError(
      'mask_core_missing',
      `the masking core ${url.pathname} could not be read (${(error as Error).message}): run npm run build`,
    );
  }
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as never;
}

const exports = load();
const memory = exports.memory;

/**
 * An exported function of the core, by name, typed by the caller; throws if the build has no such export.
 *
 * @example const digitRuns = coreFunction<(text: number, length: number, out: number) => number>('digitRuns');
 */
export function coreFunction<F extends (...args: never[]) => unknown>(name: string): F {
  const found = exports[name];
  if (typeof found !== 'function') {
    throw new MaskError('mask_core_missing', `the masking core has no function ${name}: run npm run build`);
  }
  return found as F;
}

const align = (address: number) => (address + 15) & ~15;
let staticEnd = align(exports.heapBase());

/** The whole memory as bytes, for writing texts in: made again only when the memory grows. */
let memoryBytes = Buffer.from(memory.buffer);

/** Makes the memory at least `bytes` long. */
function ensureMemory(bytes: number): void {
  const short = bytes - memory.buffer.byteLength;
  if (short <= 0) return;
  memory.grow(Math.ceil(short / pageBytes));
  memoryBytes = Buffer.from(memory.buffer);
}

/**
 * Sets aside `bytes` of memory for good (a detector's lookup table) and returns where they start, 16-byte aligned
 * and zeroed. Whatever text was placed is forgotten: it lay where the region now is.
 */
export function reserve(bytes: number): number {
  const start = staticEnd;
  staticEnd = align(start + bytes);
  ensureMemory(staticEnd);
  new Uint8Array(memory.buffer, start, bytes).fill(0);
  owner = undefined;
  return start;
}

/** The whole memory as bytes; take a fresh view after anything that may grow it ({@link reserve}, {@link place}). */
export function coreBytes(): Uint8Array {
  return new Uint8Array(memory.buffer);
}

/**
 * Where a text lies in the core's memory, the room for its digit runs and the output area after it. The two areas'
 * typed views are made when first asked for: a JSONL line placed for the reader needs only one of them.
 */
export class Placed {
  #runs: Int32Array | undefined;
  #out: Int32Array | undefined;

  constructor(
    /** Address of the first code unit. */
    readonly textAt: number,
    /** Code units. */
    readonly length: number,
    /** Address of the room for the text's digit runs (`length + 1` integers), 16-byte aligned. */
    readonly runsAt: number,
    /** Address of the output area, 16-byte aligned. */
    readonly outAt: number,
  ) {}

  /** The room for digit runs as 32-bit integers. */
  get runs(): Int32Array {
    this.#runs ??= new Int32Array(memory.buffer, this.runsAt, this.length + 1);
    return this.#runs;
  }

  /** The output area as 32-bit integers: `outputLength(length)` of them. */
  get out(): Int32Array {
    this.#out ??= new Int32Array(memory.buffer, this.outAt, outputLength(this.length));
    return this.#out;
  }
}

/** How many 32-bit integers a pass may write for a text of `length` code units: two per code unit, and 16 more. */
export function outputLength(length: number): number {
  return 2 * length + 16;
}

let owner: object | undefined;
let placed: Placed | undefined;

/**
 * Copies `text` into the core's memory, unless `key` (the scan's own object, such as its `TextIndex`) placed it
 * last and nothing was placed or reserved since; passes over it then read it where it lies.
 */
export function place(key: object, text: string): Placed {
  if (owner === key && placed !== undefined) return placed;
  const { length } = text;
  const textAt = staticEnd;
  const runsAt = align(textAt + length * 2);
  const outAt = align(runsAt + (length + 1) * 4);
  ensureMemory(outAt + outputLength(length) * 4);
  if (length > 0) memoryBytes.write(text, textAt, length * 2, 'utf16le');
  placed = new Placed(textAt, length, runsAt, outAt);
  owner = key;
  return placed;
}

const digitRunsIn = coreFunction<(text: number, length: number, out: number) => number>('digitRuns');

/**
 * Maximal runs of ASCII digits in the placed text as flat `[start, end)` pairs: `[s0, e0, s1, e1, …]`, in order,
 * written to the placed text's room for them (where the core's passes read them) and copied out.
 *
 * @example findDigitRuns(place(key, 'a12b345')) // Int32Array [1, 3, 4, 7]
 */
export function findDigitRuns({ textAt, length, runsAt, runs }: Placed): Int32Array {
  return runs.slice(0, digitRunsIn(textAt, length, runsAt));
}
