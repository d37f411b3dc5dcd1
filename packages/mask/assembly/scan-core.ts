// The detectors' hot loops over every character of a text, compiled to WebAssembly (AssemblyScript). Every file in
// this folder is an entry of one module, built by `npm run build` into `dist/scan-core.wasm`. The host
// (`src/detectors/scan-core.ts`) writes a text's UTF-16 code units into this module's memory and reads the results
// back; nothing here allocates.

/**
 * Writes where runs of ASCII digits start and end in the `length` code units at `text` to `out` (at most
 * `length + 1` positions), and returns how many it wrote.
 *
 * Sixteen code units at a time, narrowed to bytes with saturation (a unit above 0xff becomes 0xff or 0 and never reads
 * as a digit): one compare marks the digits, and a boundary is wherever a lane differs from the lane before it, so
 * the loop's cost follows the boundaries, not the characters. The last few units are read one by one.
 */
export function digitRuns(text: usize, length: i32, out: usize): i32 {
  let count = 0;
  let previous: u32 = 0;
  let i = 0;
  const zero8 = i8x16.splat(48);
  const nine8 = i8x16.splat(9);
  for (; i + 16 <= length; i += 16) {
    const at = text + (usize(i) << 1);
    const bytes = i8x16.narrow_i16x8_u(v128.load(at), v128.load(at, 16));
    const digits = u32(i8x16.bitmask(i8x16.le_u(i8x16.sub(bytes, zero8), nine8)));
    let changes = (digits ^ ((digits << 1) | previous)) & 0xffff;
    previous = digits >> 15;
    while (changes !== 0) {
      store<i32>(out + (usize(count) << 2), i + i32(ctz(changes)));
      count++;
      changes &= changes - 1;
    }
  }
  for (; i < length; i++) {
    const digit: u32 = u32(load<u16>(text + (usize(i) << 1))) - 48 <= 9 ? 1 : 0;
    if (digit !== previous) {
      store<i32>(out + (usize(count) << 2), i);
      count++;
      previous = digit;
    }
  }
  if (previous !== 0) {
    store<i32>(out + (usize(count) << 2), length);
    count++;
  }
  return count;
}

/** Where the host may start writing: the memory below holds this module's own data. */
export function heapBase(): usize {
  return __heap_base;
}
