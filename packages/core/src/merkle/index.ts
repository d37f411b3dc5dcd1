import { createHash, hash } from 'node:crypto';

/**
 * RFC 6962 / RFC 9162 Merkle trees, as Certificate Transparency logs build them: `leaf = SHA-256(0x00 ‖ data)`,
 * `node = SHA-256(0x01 ‖ left ‖ right)`, the empty tree's root is `SHA-256("")`, and a tree of n leaves splits at the
 * largest power of two smaller than n. Pure functions over bytes; the audit log decides what a leaf's bytes are.
 */

const leafPrefix = Buffer.from([0x00]);
const nodePrefix = Buffer.from([0x01]);

// Node's one-shot `hash` costs about half of what `createHash().update().digest()` does on inputs this short, and a
// log's verification is mostly hashing.

export function leafHash(data: Uint8Array | string): Buffer {
  if (typeof data === 'string') return hash('sha256', `\u0000${data}`, 'buffer');
  return createHash('sha256').update(leafPrefix).update(data).digest();
}

const nodeInput = Buffer.alloc(65, 0x01);

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length === 32 && right.length === 32) {
    nodeInput.set(left, 1);
    nodeInput.set(right, 33);
    return hash('sha256', nodeInput, 'buffer');
  }
  return createHash('sha256').update(nodePrefix).update(left).update(right).digest();
}

export const emptyRoot: Buffer = createHash('sha256').digest();

/** The largest power of two strictly smaller than `n` (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The root over leaf hashes `leaves[start, end)`. */
function subtreeRoot(leaves: readonly Uint8Array[], start: number, end: number): Buffer {
  const n = end - start;
  if (n === 0) return emptyRoot;
  if (n === 1) return Buffer.from(leaves[start] as Uint8Array);
  const k = split(n);
  return nodeHash(subtreeRoot(leaves, start, start + k), subtreeRoot(leaves, start + k, end));
}

/** The tree head over the given leaf hashes. */
export function merkleRoot(leaves: readonly Uint8Array[]): Buffer {
  return subtreeRoot(leaves, 0, leaves.length);
}

/** The audit path proving leaf `index` is in the tree over `leaves` (RFC 9162 §2.1.3.1). */
export function inclusionProof(leaves: readonly Uint8Array[], index: number): Buffer[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new RangeError(`leaf ${index} is not in a tree of ${leaves.length}`);
  }
  const path = (m: number, start: number, end: number): Buffer[] => {
    const n = end - start;
    if (n === 1) return [];
    const k = split(n);
    return m < k
      ? [...path(m, start, start + k), subtreeRoot(leaves, start + k, end)]
      : [...path(m - k, start + k, end), subtreeRoot(leaves, start, start + k)];
  };
  return path(index, 0, leaves.length);
}

/**
 * Checks an inclusion proof (RFC 9162 §2.1.3.2): that the leaf with hash `leaf` is at `index` in the tree of `size`
 * leaves whose root is `root`.
 */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  // Bit operations on numbers stop at 32 bits; a log may grow past that, so shift by division.
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(Buffer.from(root));
}

/**
 * A Merkle tree that grows one leaf at a time and gives its root at any size in O(log n) memory: it keeps the roots
 * of its perfect subtrees, largest first, and merges equal neighbours as leaves arrive. Used to recompute tree heads
 * while streaming through a log.
 */
export class MerkleAccumulator {
  readonly #stack: Array<{ size: number; hash: Buffer }> = [];
  #size = 0;

  /**
   * Resumes a tree of `size` leaves from its perfect-subtree roots, largest first (what {@link range} gave): their
   * sizes are the set bits of `size`, so the hashes alone are enough to store.
   */
  static resume(size: number, range: readonly Uint8Array[]): MerkleAccumulator {
    const sizes: number[] = [];
    for (let bit = 2 ** Math.floor(Math.log2(Math.max(size, 1))); bit >= 1; bit /= 2) {
      if (Math.floor(size / bit) % 2 === 1) sizes.push(bit);
    }
    if (size === 0) sizes.length = 0;
    if (sizes.length !== range.length) {
      throw new RangeError(`a tree of ${size} leaves has ${sizes.length} perfect subtrees, not ${range.length}`);
    }
    const accumulator = new MerkleAccumulator();
    sizes.forEach((subtree, i) => {
      accumulator.#stack.push({ size: subtree, hash: Buffer.from(range[i] as Uint8Array) });
    });
    accumulator.#size = size;
    return accumulator;
  }

  /** The roots of the perfect subtrees, largest first: with the size, all it takes to resume. */
  range(): Buffer[] {
    return this.#stack.map((entry) => entry.hash);
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Adds a leaf by its leaf hash. With `completed`, also hands over every perfect subtree the leaf completes (the
   * leaf itself first, at level 0), for a store that serves inclusion proofs. A Buffer is kept as it is (not
   * copied): do not reuse it.
   */
  push(leaf: Uint8Array, completed?: (node: TreeNode) => void): void {
    const leafIndex = this.#size;
    let entry: { size: number; hash: Buffer } = {
      size: 1,
      hash: Buffer.isBuffer(leaf) ? leaf : Buffer.from(leaf),
    };
    let level = 0;
    completed?.({ level, index: leafIndex, hash: entry.hash });
    for (;;) {
      const top = this.#stack[this.#stack.length - 1];
      if (!top || top.size !== entry.size) break;
      this.#stack.pop();
      entry = { size: top.size * 2, hash: nodeHash(top.hash, entry.hash) };
      level += 1;
      completed?.({ level, index: (leafIndex + 1) / entry.size - 1, hash: entry.hash });
    }
    this.#stack.push(entry);
    this.#size += 1;
  }

  /**
   * Adds a whole perfect subtree of `size` leaves (a power of two) by its root — as if its leaves were pushed one
   * by one. It must start where the tree ends on a multiple of its size, as every RFC 6962 subtree does.
   */
  pushSubtree(size: number, hash: Buffer): void {
    if (!isPowerOfTwo(size) || this.#size % size !== 0) {
      throw new RangeError(`a subtree of ${size} leaves cannot follow a tree of ${this.#size}`);
    }
    let entry = { size, hash };
    for (;;) {
      const top = this.#stack[this.#stack.length - 1];
      if (!top || top.size !== entry.size) break;
      this.#stack.pop();
      entry = { size: top.size * 2, hash: nodeHash(top.hash, entry.hash) };
    }
    this.#stack.push(entry);
    this.#size += size;
  }

  /** An independent copy (the stack is a few dozen hashes at most). */
  clone(): MerkleAccumulator {
    const copy = new MerkleAccumulator();
    copy.#stack.push(...this.#stack.map((entry) => ({ ...entry })));
    copy.#size = this.#size;
    return copy;
  }

  /** The root of the tree of every leaf pushed so far. */
  root(): Buffer {
    if (this.#stack.length === 0) return emptyRoot;
    let root = (this.#stack[this.#stack.length - 1] as { hash: Buffer }).hash;
    for (let i = this.#stack.length - 2; i >= 0; i--) root = nodeHash((this.#stack[i] as { hash: Buffer }).hash, root);
    return root;
  }
}

/** A perfect subtree of a log's tree: the `2^level` leaves from `index · 2^level`. Level 0 nodes are the leaves. */
export interface TreeNode {
  level: number;
  index: number;
  hash: Buffer;
}

export type NodeAddress = Omit<TreeNode, 'hash'>;

/**
 * The perfect subtrees whose hashes, folded from the right with {@link foldSubtrees}, give the RFC 6962 hash of the
 * leaves `[start, end)` — for any range the tree's own recursion produces (its start aligned to the largest power of
 * two not above its length). For `[0, n)` these are the sizes of n's set bits, largest first.
 */
export function perfectSubtrees(start: number, end: number): NodeAddress[] {
  const nodes: NodeAddress[] = [];
  let from = start;
  while (from < end) {
    const n = end - from;
    const size = isPowerOfTwo(n) ? n : split(n);
    nodes.push({ level: Math.log2(size), index: from / size });
    from += size;
  }
  return nodes;
}

/** The hash of a range from its {@link perfectSubtrees}' hashes. */
export function foldSubtrees(hashes: readonly Uint8Array[]): Buffer {
  if (hashes.length === 0) return emptyRoot;
  let root: Buffer = Buffer.from(hashes[hashes.length - 1] as Uint8Array);
  for (let i = hashes.length - 2; i >= 0; i--) root = nodeHash(hashes[i] as Uint8Array, root);
  return root;
}

/**
 * Which ranges of leaves an inclusion proof for leaf `index` in a tree of `size` consists of, in proof order (the
 * leaf's sibling first). A store that keeps every perfect subtree's hash answers each with {@link perfectSubtrees}.
 */
export function inclusionRanges(index: number, size: number): Array<[start: number, end: number]> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  }
  const ranges: Array<[number, number]> = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const k = split(end - start);
    if (index < start + k) {
      ranges.push([start + k, end]);
      end = start + k;
    } else {
      ranges.push([start, start + k]);
      start += k;
    }
  }
  return ranges.reverse();
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
}
