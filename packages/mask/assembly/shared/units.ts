// Reading the placed text and its digit runs, for the passes that share these rules. Not an entry of the module
// (only the files directly in `assembly/` are): what is exported here is for those passes, not for the host.

/** The code unit at `i`, or 0x10000 (nothing a test matches) outside the text, as `charCodeAt`'s `NaN` is. */
export function unitAt(text: usize, length: i32, i: i32): u32 {
  return u32(i) < u32(length) ? u32(load<u16>(text + (usize(i) << 1))) : 0x10000;
}

export function isDigitUnit(code: u32): bool {
  return code - 48 <= 9;
}

/** An ASCII letter of either case. */
export function isLetterUnit(code: u32): bool {
  return (code | 0x20) - 97 <= 25;
}

/** `[A-Za-z0-9_]`, as `\w` means. */
export function isWordUnit(code: u32): bool {
  return isDigitUnit(code) || isLetterUnit(code) || code === 95;
}

/** Integer `k` of the digit runs at `runs` (flat `[start, end)` pairs). */
export function run(runs: usize, k: i32): i32 {
  return load<i32>(runs + (usize(k) << 2));
}
