// The JSONL record reader's walk over a line (`src/structured/json-line.ts`): checks the placed line is strict JSON
// and writes where its members and values lie as a stream of events, which the host replays into its callbacks.
//
// Events, as 32-bit integers in `out` (the host's `Event` names the same tags):
//   0                       an object with members opens (an empty one writes nothing)
//   1                       that object closes
//   2 or 3 (escaped key)    a member: tag, keyStart, keyEnd (inside the quotes), then, once its value is read,
//                           valueEnd, the index of the event after the value's, and how many objects opened in it
//                           (-1, -1 while unread: the line failed inside the value, and the last is the objects
//                           opened in it before it failed)
//   4 + kind                a string (kind 0, or 1 with escapes; inside the quotes), number (2) or boolean (3):
//                           tag, start, end. `null` writes nothing, and arrays nothing: their items belong to the
//                           node the array does.
// At most 9 integers for a member of 5 code units (`"":0,`) and 3 for a value of 2 (`0,`): within the output area's
// two integers a code unit.

/** Nesting past this is left to `JSON.parse` (which recurses natively). */
const maxDepth = 256;
/** For each open container: -1 for an array; for an object, the index in `out` of the member being read. */
const memberAt = memory.data(maxDepth * 4);
/** For each open object: how many objects had opened in the line when its member being read started. */
const opensBefore = memory.data(maxDepth * 4);

const quote = 0x22;
const backslash = 0x5c;
const space = 0x20;

/** Whether the string literal last read by {@link stringEnd} holds escapes. */
let escaped = false;

function unit(text: usize, at: i32): i32 {
  return i32(load<u16>(text + (usize(at) << 1)));
}

/** Writes a value event (`tag`, `start`, `end`) at integer `count` of `out`; returns the count after it. */
function emitValue(out: usize, count: i32, tag: i32, start: i32, end: i32): i32 {
  const slot = out + (usize(count) << 2);
  store<i32>(slot, tag);
  store<i32>(slot, start, 4);
  store<i32>(slot, end, 8);
  return count + 3;
}

function skipSpaces(text: usize, length: i32, at: i32): i32 {
  while (at < length && unit(text, at) === space) at++;
  return at;
}

/**
 * The first position at or after `at` holding a quote, a backslash or a control character, or `length`. Eight code
 * units a compare: a record's long texts are mostly this.
 */
function nextSpecial(text: usize, length: i32, at: i32): i32 {
  const quotes = i16x8.splat(i16(quote));
  const backslashes = i16x8.splat(i16(backslash));
  const spaces = i16x8.splat(i16(space));
  for (; at + 8 <= length; at += 8) {
    const units = v128.load(text + (usize(at) << 1));
    const special = v128.or(v128.or(i16x8.eq(units, quotes), i16x8.eq(units, backslashes)), i16x8.lt_u(units, spaces));
    const lanes = i16x8.bitmask(special);
    if (lanes !== 0) return at + i32(ctz(lanes));
  }
  for (; at < length; at++) {
    const c = unit(text, at);
    if (c === quote || c === backslash || c < space) return at;
  }
  return length;
}

function isHex(c: i32): bool {
  return u32(c - 0x30) <= 9 || u32((c | 0x20) - 0x61) <= 5;
}

/**
 * Reads the string literal whose contents start at `at` (past the opening quote) and returns where it ends (past
 * the closing quote), or -1 when it is not a valid literal: a raw control character, an escape JSON does not have,
 * no closing quote. Sets {@link escaped}.
 */
function stringEnd(text: usize, length: i32, at: i32): i32 {
  escaped = false;
  while (true) {
    at = nextSpecial(text, length, at);
    if (at >= length) return -1;
    const c = unit(text, at);
    if (c === quote) return at + 1;
    if (c !== backslash || at + 1 >= length) return -1;
    escaped = true;
    const e = unit(text, at + 1);
    if (e === 0x75 /* u */) {
      if (
        at + 6 > length ||
        !isHex(unit(text, at + 2)) ||
        !isHex(unit(text, at + 3)) ||
        !isHex(unit(text, at + 4)) ||
        !isHex(unit(text, at + 5))
      )
        return -1;
      at += 6;
    } else if (
      e === quote ||
      e === backslash ||
      e === 0x2f /* / */ ||
      e === 0x62 /* b */ ||
      e === 0x66 /* f */ ||
      e === 0x6e /* n */ ||
      e === 0x72 /* r */ ||
      e === 0x74 /* t */
    )
      at += 2;
    else return -1;
  }
}

function digitsEnd(text: usize, length: i32, at: i32): i32 {
  while (at < length && u32(unit(text, at) - 0x30) <= 9) at++;
  return at;
}

/** Where the number literal at `at` ends (JSON's grammar exactly), or -1. */
function numberEnd(text: usize, length: i32, at: i32): i32 {
  if (unit(text, at) === 0x2d /* - */) at++;
  if (at >= length) return -1;
  const first = unit(text, at);
  if (first === 0x30) at++;
  else if (u32(first - 0x31) <= 8) at = digitsEnd(text, length, at + 1);
  else return -1;
  if (at < length && unit(text, at) === 0x2e /* . */) {
    const end = digitsEnd(text, length, at + 1);
    if (end === at + 1) return -1;
    at = end;
  }
  if (at < length && (unit(text, at) | 0x20) === 0x65 /* e E */) {
    at++;
    if (at < length) {
      const sign = unit(text, at);
      if (sign === 0x2b || sign === 0x2d) at++;
    }
    const end = digitsEnd(text, length, at);
    if (end === at) return -1;
    at = end;
  }
  return at;
}

/**
 * Whether the `count` (4 or 5) code units at `at` are a literal's: its first four packed two to a 32-bit integer
 * (`first`, `second`), then `last`.
 */
function isWord(text: usize, length: i32, at: i32, count: i32, first: u32, second: u32, last: i32): bool {
  const units = text + (usize(at) << 1);
  return (
    at + count <= length &&
    load<u32>(units) === first &&
    load<u32>(units, 4) === second &&
    (count === 4 || unit(text, at + 4) === last)
  );
}

/**
 * The result for a line that fails after `count` integers of events, `depth` containers deep with `opens` objects
 * opened: `~count`, or `~0` if it holds a control character. Each member still being read is given the objects
 * opened in its value so far (a member the host reads whole steps over them, but counts them).
 */
function failed(text: usize, length: i32, out: usize, count: i32, depth: i32, opens: i32): i32 {
  const spaces = i16x8.splat(i16(space));
  let at = 0;
  for (; at + 8 <= length; at += 8) {
    if (v128.any_true(i16x8.lt_u(v128.load(text + (usize(at) << 1)), spaces))) return -1;
  }
  for (; at < length; at++) if (unit(text, at) < space) return -1;
  for (let level = 0; level < depth; level++) {
    const container = load<i32>(memberAt + (usize(level) << 2));
    if (container >= 0) {
      store<i32>(out + (usize(container) << 2), opens - load<i32>(opensBefore + (usize(level) << 2)), 20);
    }
  }
  return ~count;
}

/**
 * Reads the `length` code units at `text` as one JSON value (only spaces as whitespace around it and its tokens; no
 * raw control character anywhere), writes its events to `out` and returns how many integers they take; or, for a
 * line that is not such a value, `~count` of the events written before the point where it fails, and `~0` when
 * it holds a control character (its events are not to be told).
 */
export function jsonLineEvents(text: usize, length: i32, out: usize): i32 {
  let count = 0;
  let depth = 0;
  let opens = 0;
  let at = skipSpaces(text, length, 0);
  while (true) {
    // A value starts at `at`.
    if (at >= length) return failed(text, length, out, count, depth, opens);
    const c = unit(text, at);
    if (c === quote) {
      const end = stringEnd(text, length, at + 1);
      if (end < 0) return failed(text, length, out, count, depth, opens);
      count = emitValue(out, count, escaped ? 5 : 4, at + 1, end - 1);
      at = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (depth >= maxDepth) return failed(text, length, out, count, depth, opens);
      at = skipSpaces(text, length, at + 1);
      if (at < length && unit(text, at) === c + 2 /* } ] */) at++;
      else {
        if (c === 0x5b) {
          store<i32>(memberAt + (usize(depth) << 2), -1);
          depth++;
          continue;
        }
        store<i32>(out + (usize(count) << 2), 0);
        store<i32>(memberAt + (usize(depth) << 2), -1);
        count++;
        opens++;
        depth++;
        at = member(text, length, at, out, count, depth, opens);
        if (at < 0) return failed(text, length, out, count, depth, opens);
        count += 6;
        continue;
      }
    } else if (c === 0x2d || u32(c - 0x30) <= 9) {
      const end = numberEnd(text, length, at);
      if (end < 0) return failed(text, length, out, count, depth, opens);
      count = emitValue(out, count, 6, at, end);
      at = end;
    } else if (c === 0x74 && isWord(text, length, at, 4, 0x0072_0074, 0x0065_0075, 0) /* true */) {
      count = emitValue(out, count, 7, at, at + 4);
      at += 4;
    } else if (c === 0x66 && isWord(text, length, at, 5, 0x0061_0066, 0x0073_006c, 0x65) /* false */) {
      count = emitValue(out, count, 7, at, at + 5);
      at += 5;
    } else if (c === 0x6e && isWord(text, length, at, 4, 0x0075_006e, 0x006c_006c, 0) /* null */) at += 4;
    else return failed(text, length, out, count, depth, opens);

    // The value ended at `at`: close what it ends, up to the next value (or the line's end).
    for (;;) {
      if (depth === 0) {
        at = skipSpaces(text, length, at);
        return at === length ? count : failed(text, length, out, count, depth, opens);
      }
      const container = load<i32>(memberAt + (usize(depth - 1) << 2));
      if (container >= 0) {
        const slot = out + (usize(container) << 2);
        store<i32>(slot, at, 12);
        store<i32>(slot, count, 16);
        store<i32>(slot, opens - load<i32>(opensBefore + (usize(depth - 1) << 2)), 20);
      }
      at = skipSpaces(text, length, at);
      if (at >= length) return failed(text, length, out, count, depth, opens);
      const next = unit(text, at++);
      if (container >= 0) {
        if (next === 0x7d /* } */) {
          store<i32>(out + (usize(count) << 2), 1);
          count++;
          depth--;
          continue;
        }
        if (next !== 0x2c /* , */) return failed(text, length, out, count, depth, opens);
        at = member(text, length, skipSpaces(text, length, at), out, count, depth, opens);
        if (at < 0) return failed(text, length, out, count, depth, opens);
        count += 6;
      } else {
        if (next === 0x5d /* ] */) {
          depth--;
          continue;
        }
        if (next !== 0x2c /* , */) return failed(text, length, out, count, depth, opens);
        at = skipSpaces(text, length, at);
      }
      break;
    }
  }
}

/**
 * Reads a member's key and colon at `at` in the object `depth` deep, writes its event at `out[count]` (its value
 * not read yet) and returns where its value starts, or -1.
 */
function member(text: usize, length: i32, at: i32, out: usize, count: i32, depth: i32, opens: i32): i32 {
  if (at >= length || unit(text, at) !== quote) return -1;
  const end = stringEnd(text, length, at + 1);
  if (end < 0) return -1;
  const colon = skipSpaces(text, length, end);
  if (colon >= length || unit(text, colon) !== 0x3a /* : */) return -1;
  const slot = out + (usize(count) << 2);
  store<i32>(slot, escaped ? 3 : 2);
  store<i32>(slot, at + 1, 4);
  store<i32>(slot, end - 1, 8);
  store<i32>(slot, -1, 12);
  store<i32>(slot, -1, 16);
  store<i32>(slot, 0, 20);
  store<i32>(memberAt + (usize(depth - 1) << 2), count);
  store<i32>(opensBefore + (usize(depth - 1) << 2), opens);
  return skipSpaces(text, length, colon + 1);
}
