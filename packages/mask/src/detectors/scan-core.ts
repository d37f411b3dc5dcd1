import { readFileSync } from 'node:fs';
import { MaskError } from '../errors.js';

/**
 * The detectors' per-character loops, compiled to WebAssembly from `assembly/scan-core.ts`. A text is copied into
 * the module's memory a chunk at a time (a native copy, a fraction of a nanosecond per character) and the results
 * are read back as typed arrays, which the detectors index as they did the arrays JavaScript built.
 */
interface ScanCoreExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  digitRuns(text: number, length: number, base: number, inRun: number, last: number, out: number): number;
}

// Node has WebAssembly, but the lib this project compiles against (ES2023, no DOM) does not declare it.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: object };
};

/** Code units copied in at a time: a batch of short records is one chunk, and memory stays at a few hundred KiB. */
export const chunkLength = 65_536;

function load(): ScanCoreExports {
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
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as ScanCoreExports;
}

const core = load();
const textAt = (core.heapBase() + 15) & ~15;
const outAt = textAt + chunkLength * 2;
{
  const needed = outAt + (chunkLength + 1) * 4;
  const pages = Math.ceil((needed - core.memory.buffer.byteLength) / 65_536);
  if (pages > 0) core.memory.grow(pages);
}
// The memory never grows after this, so these views stay valid.
const units = Buffer.from(core.memory.buffer, textAt, chunkLength * 2);
const out = new Int32Array(core.memory.buffer, outAt, chunkLength + 1);

/**
 * Maximal runs of ASCII digits in `text` as flat `[start, end)` pairs: `[s0, e0, s1, e1, …]`, in order.
 *
 * @example findDigitRuns('a12b345') // Int32Array [1, 3, 4, 7]
 */
export function findDigitRuns(text: string): Int32Array {
  if (text.length <= chunkLength) {
    units.write(text, 0, 'utf16le');
    return out.slice(0, core.digitRuns(textAt, text.length, 0, 0, 1, outAt));
  }
  const parts: Int32Array[] = [];
  let total = 0;
  for (let from = 0; from < text.length; from += chunkLength) {
    const to = Math.min(text.length, from + chunkLength);
    units.write(text.slice(from, to), 0, 'utf16le');
    const count = core.digitRuns(textAt, to - from, from, total & 1, to === text.length ? 1 : 0, outAt);
    parts.push(out.slice(0, count));
    total += count;
  }
  const runs = new Int32Array(total);
  let at = 0;
  for (const part of parts) {
    runs.set(part, at);
    at += part.length;
  }
  return runs;
}
