/**
 * Whether a custom detector's regex is safe to run over untrusted text: linear time from every start position,
 * so a scan of n characters costs O(n) whatever the text. JavaScript's engine backtracks, so this is a
 * conservative allow-list checked on a parse of the pattern's source:
 *
 * - literals, escapes (`\d \w \s \b`, `\.` …, `\xHH`, `\uHHHH`), classes, `.`, anchors, groups (capturing, named,
 *   non-capturing), alternation;
 * - every repetition bounded, at most {@link maxRepeat}: `*`, `+` and `{n,}` let one failing match scan to the end
 *   of the text from every start (`\d+x` over a long run of digits is quadratic);
 * - a repeated group holds a fixed-length sequence: no quantifier but `{n}` and no alternation inside (`(a+)+`,
 *   `(a|a)*`, `(\d+)*x` are refused); an optional group (`(?:-[A-Z]{1,3})?`, tried once at most) may hold either;
 * - two variable repetitions that can match the same characters with nothing forced between them
 *   (`\d{1,9}\d{1,9}`, `\w{1,64}\.?\w{1,64}`) are refused: their ways to split a run multiply;
 * - no backreferences or lookarounds, no empty match.
 *
 * Returns why a pattern is refused, or undefined when it is safe.
 */
export function unsafePatternReason(source: string, ignoreCase: boolean): string | undefined {
  let tree: Sequence[];
  try {
    tree = new PatternParser(source, ignoreCase).parse();
  } catch (error) {
    if (error instanceof UnsafePattern) return error.message;
    throw error;
  }
  try {
    for (const alternative of tree) checkSequence(alternative);
    if (minLength({ kind: 'group', alternatives: tree }) === 0) return 'it can match the empty string';
  } catch (error) {
    if (error instanceof UnsafePattern) return error.message;
    throw error;
  }
  return undefined;
}

/** The largest repetition count a custom pattern may ask for. */
export const maxRepeat = 256;

class UnsafePattern extends Error {}

/** Which characters an atom can match: the 128 ASCII code points, and "something beyond ASCII". */
interface CharSet {
  ascii: Uint8Array;
  other: boolean;
}

type Node =
  | { kind: 'char'; set: CharSet }
  | { kind: 'assertion' }
  | { kind: 'group'; alternatives: Sequence[] }
  | { kind: 'repeat'; node: Node; min: number; max: number; source: string };

type Sequence = Node[];

class PatternParser {
  private position = 0;

  constructor(
    private readonly source: string,
    private readonly ignoreCase: boolean,
  ) {}

  parse(): Sequence[] {
    const alternatives = this.alternatives();
    if (this.position < this.source.length) this.refuse(`unbalanced ')' at ${this.position}`);
    return alternatives;
  }

  private alternatives(): Sequence[] {
    const alternatives = [this.sequence()];
    while (this.peek() === '|') {
      this.position++;
      alternatives.push(this.sequence());
    }
    return alternatives;
  }

  private sequence(): Sequence {
    const items: Sequence = [];
    while (this.position < this.source.length && this.peek() !== '|' && this.peek() !== ')') {
      const start = this.position;
      const atom = this.atom();
      const repeat = this.quantifier();
      if (repeat === undefined) {
        items.push(atom);
        continue;
      }
      if (atom.kind === 'assertion') this.refuse(`a repeated assertion at ${start}`);
      items.push({ kind: 'repeat', node: atom, ...repeat, source: this.source.slice(start, this.position) });
    }
    return items;
  }

  private atom(): Node {
    const start = this.position;
    const c = this.source[this.position++]!;
    switch (c) {
      case '(':
        return this.group(start);
      case '[':
        return { kind: 'char', set: this.characterClass() };
      case '.':
        return { kind: 'char', set: complement(charSet('\n\r')) };
      case '^':
      case '$':
        return { kind: 'assertion' };
      case '\\':
        return this.escape(false);
      case '*':
      case '+':
      case '?':
      case '{':
        return this.refuse(`nothing to repeat at ${start}`);
      default:
        return { kind: 'char', set: this.literal(c) };
    }
  }

  private group(start: number): Node {
    if (this.peek() === '?') {
      const kind = this.source.slice(this.position, this.position + 3);
      if (kind.startsWith('?:')) this.position += 2;
      else if (kind === '?<=' || kind === '?<!' || kind.startsWith('?=') || kind.startsWith('?!')) {
        this.refuse(`a lookaround at ${start}`);
      } else if (kind.startsWith('?<')) {
        const close = this.source.indexOf('>', this.position);
        if (close === -1 || !/^[A-Za-z_$][\w$]*$/.test(this.source.slice(this.position + 2, close))) {
          this.refuse(`a malformed group name at ${start}`);
        }
        this.position = close + 1;
      } else this.refuse(`an unsupported group '(${kind}' at ${start}`);
    }
    const alternatives = this.alternatives();
    if (this.source[this.position] !== ')') this.refuse(`an unclosed group at ${start}`);
    this.position++;
    return { kind: 'group', alternatives };
  }

  private quantifier(): { min: number; max: number } | undefined {
    const c = this.peek();
    let bounds: { min: number; max: number } | undefined;
    if (c === '*') bounds = { min: 0, max: Number.POSITIVE_INFINITY };
    else if (c === '+') bounds = { min: 1, max: Number.POSITIVE_INFINITY };
    else if (c === '?') bounds = { min: 0, max: 1 };
    if (bounds !== undefined) this.position++;
    else if (c === '{') {
      const match = /^\{(\d{1,6})(,(\d{0,6}))?\}/.exec(this.source.slice(this.position, this.position + 16));
      if (match === null) return this.refuse(`a '{' that is not a repetition at ${this.position}: escape it as \\{`);
      const min = Number(match[1]);
      const max = match[2] === undefined ? min : match[3] === '' ? Number.POSITIVE_INFINITY : Number(match[3]);
      if (max < min) this.refuse(`a repetition {${min},${max}} whose bounds are out of order`);
      bounds = { min, max };
      this.position += match[0].length;
    }
    if (bounds !== undefined && this.peek() === '?') this.position++;
    return bounds;
  }

  private escape(inClass: boolean): Node {
    const start = this.position - 1;
    const c = this.source[this.position++];
    if (c === undefined) return this.refuse('a trailing backslash');
    const set = (chars: CharSet): Node => ({ kind: 'char', set: chars });
    switch (c) {
      case 'd':
        return set(digitSet());
      case 'D':
        return set(complement(digitSet()));
      case 'w':
        return set(wordSet());
      case 'W':
        return set(complement(wordSet()));
      case 's':
        return set(spaceSet());
      case 'S':
        return set(complement(spaceSet()));
      case 'b':
        return inClass ? set(charSet('\b')) : { kind: 'assertion' };
      case 'B':
        return inClass ? this.refuse(`\\B in a class at ${start}`) : { kind: 'assertion' };
      case 't':
        return set(charSet('\t'));
      case 'n':
        return set(charSet('\n'));
      case 'r':
        return set(charSet('\r'));
      case 'f':
        return set(charSet('\f'));
      case 'v':
        return set(charSet('\v'));
      case '0':
        if (/\d/.test(this.peek() ?? '')) this.refuse(`an octal escape at ${start}`);
        return set(charSet('\0'));
      case 'x':
        return set(this.literal(this.hex(2, start)));
      case 'u':
        return set(this.literal(this.hex(4, start)));
      case 'k':
        return this.refuse(`a backreference at ${start}`);
      default:
        if (/[1-9]/.test(c)) return this.refuse(`a backreference at ${start}`);
        if (/[A-Za-z0-9]/.test(c)) return this.refuse(`an unknown escape \\${c} at ${start}`);
        return set(this.literal(c));
    }
  }

  private hex(digits: number, start: number): string {
    const hex = this.source.slice(this.position, this.position + digits);
    if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(hex)) this.refuse(`a malformed escape at ${start}`);
    this.position += digits;
    return String.fromCharCode(Number.parseInt(hex, 16));
  }

  private characterClass(): CharSet {
    const start = this.position - 1;
    const negated = this.peek() === '^';
    if (negated) this.position++;
    const set = emptySet();
    let first = true;
    while (this.peek() !== ']' || first) {
      first = false;
      if (this.position >= this.source.length) this.refuse(`an unclosed class at ${start}`);
      const low = this.classAtom();
      if (this.peek() === '-' && this.source[this.position + 1] !== ']' && this.position + 1 < this.source.length) {
        this.position++;
        const high = this.classAtom();
        if (typeof low !== 'number' || typeof high !== 'number') {
          this.refuse(`a range with a class at its end at ${start}`);
        } else if (high < low) this.refuse(`a range out of order at ${start}`);
        else addRange(set, low as number, high as number, this.ignoreCase);
        continue;
      }
      if (typeof low === 'number') addRange(set, low, low, this.ignoreCase);
      else union(set, low);
    }
    this.position++;
    return negated ? complement(set) : set;
  }

  /** One member of a class: a code point, or a class escape's set. */
  private classAtom(): number | CharSet {
    const c = this.source[this.position++]!;
    if (c !== '\\') return c.charCodeAt(0);
    const node = this.escape(true);
    if (node.kind !== 'char') return this.refuse('an assertion inside a class');
    const codes = [...node.set.ascii.keys()].filter((code) => node.set.ascii[code] === 1);
    // A single-character escape (`\.`, `\x41`, `\n`) is a code point that can bound a range.
    if (codes.length === 1 && !node.set.other) return codes[0]!;
    if (codes.length === 0 && node.set.other) return 0x80;
    return node.set;
  }

  private literal(c: string): CharSet {
    const set = emptySet();
    const code = c.charCodeAt(0);
    addRange(set, code, code, this.ignoreCase);
    return set;
  }

  private peek(): string | undefined {
    return this.source[this.position];
  }

  private refuse(reason: string): never {
    throw new UnsafePattern(reason);
  }
}

// --- character sets ---

function emptySet(): CharSet {
  return { ascii: new Uint8Array(128), other: false };
}

function charSet(chars: string): CharSet {
  const set = emptySet();
  for (const c of chars) addRange(set, c.charCodeAt(0), c.charCodeAt(0), false);
  return set;
}

function digitSet(): CharSet {
  const set = emptySet();
  addRange(set, 48, 57, false);
  return set;
}

function wordSet(): CharSet {
  const set = digitSet();
  addRange(set, 65, 90, false);
  addRange(set, 97, 122, false);
  set.ascii[95] = 1;
  return set;
}

function spaceSet(): CharSet {
  const set = charSet(' \t\n\v\f\r');
  set.other = true;
  return set;
}

function addRange(set: CharSet, low: number, high: number, ignoreCase: boolean): void {
  for (let code = low; code <= Math.min(high, 127); code++) {
    set.ascii[code] = 1;
    if (ignoreCase && ((code >= 65 && code <= 90) || (code >= 97 && code <= 122))) set.ascii[code ^ 0x20] = 1;
  }
  if (high > 127) set.other = true;
}

function union(target: CharSet, source: CharSet): void {
  for (let code = 0; code < 128; code++) if (source.ascii[code] === 1) target.ascii[code] = 1;
  if (source.other) target.other = true;
}

function complement(set: CharSet): CharSet {
  const result = emptySet();
  for (let code = 0; code < 128; code++) result.ascii[code] = set.ascii[code] === 1 ? 0 : 1;
  result.other = true;
  return result;
}

function overlaps(a: CharSet, b: CharSet): boolean {
  if (a.other && b.other) return true;
  for (let code = 0; code < 128; code++) if (a.ascii[code] === 1 && b.ascii[code] === 1) return true;
  return false;
}

// --- the checks ---

function minLength(node: Node): number {
  switch (node.kind) {
    case 'char':
      return 1;
    case 'assertion':
      return 0;
    case 'repeat':
      return node.min * minLength(node.node);
    case 'group':
      return Math.min(...node.alternatives.map((items) => items.reduce((sum, item) => sum + minLength(item), 0)));
  }
}

/** The node's length when it can only ever match that many characters, else undefined. */
function fixedLength(node: Node): number | undefined {
  switch (node.kind) {
    case 'char':
      return 1;
    case 'assertion':
      return 0;
    case 'repeat': {
      const inner = fixedLength(node.node);
      return inner !== undefined && node.min === node.max ? inner * node.min : undefined;
    }
    case 'group': {
      if (node.alternatives.length !== 1) return undefined;
      let total = 0;
      for (const item of node.alternatives[0]!) {
        const length = fixedLength(item);
        if (length === undefined) return undefined;
        total += length;
      }
      return total;
    }
  }
}

/** Every character the node can match. */
function charactersOf(node: Node): CharSet {
  const set = emptySet();
  const visit = (n: Node): void => {
    if (n.kind === 'char') union(set, n.set);
    else if (n.kind === 'repeat') visit(n.node);
    else if (n.kind === 'group') for (const items of n.alternatives) for (const item of items) visit(item);
  };
  visit(node);
  return set;
}

function checkSequence(items: Sequence): void {
  for (const item of items) checkNode(item);
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (fixedLength(item) !== undefined) continue;
    // A variable-length item: what follows may not be able to take over the characters it gives back.
    const mine = charactersOf(item);
    for (let j = i + 1; j < items.length; j++) {
      const next = items[j]!;
      const theirs = charactersOf(next);
      const shared = overlaps(mine, theirs);
      if (shared && fixedLength(next) === undefined) {
        throw new UnsafePattern(
          `${describe(item)} and ${describe(next)} can match the same characters one after the other, which backtracks`,
        );
      }
      // A forced character the first cannot match settles where it ends.
      if (!shared && minLength(next) > 0) break;
    }
  }
}

function checkNode(node: Node): void {
  if (node.kind === 'group') {
    for (const items of node.alternatives) checkSequence(items);
    return;
  }
  if (node.kind !== 'repeat') return;
  const inner = node.node;
  // An optional group (`(?:-[A-Z]{1,3})?`) is tried at most once: anything safe may be inside.
  if (inner.kind === 'group' && node.max <= 1) checkNode(inner);
  else if (inner.kind === 'group') {
    const length = fixedLength(inner);
    if (length === undefined) {
      throw new UnsafePattern(
        `the repeated group ${node.source} holds a quantifier or an alternation (a nested repetition backtracks)`,
      );
    }
    if (length === 0) throw new UnsafePattern(`the repeated group ${node.source} matches nothing`);
    checkNode(inner);
  }
  if (node.max === Number.POSITIVE_INFINITY) {
    throw new UnsafePattern(`the unbounded repetition ${node.source}: give it an upper bound such as {1,64}`);
  }
  if (node.max > maxRepeat) throw new UnsafePattern(`the repetition ${node.source} allows more than ${maxRepeat}`);
}

function describe(node: Node): string {
  return node.kind === 'repeat' ? node.source : 'a variable-length group';
}
