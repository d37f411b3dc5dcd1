import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyRoot,
  foldSubtrees,
  inclusionProof,
  inclusionRanges,
  leafHash,
  MerkleAccumulator,
  merkleRoot,
  nodeHash,
  perfectSubtrees,
  type TreeNode,
  verifyInclusion,
} from './index.js';

/** RFC 6962 known-answer vectors, as the Certificate Transparency and transparency-dev suites use them. */
const vectors = JSON.parse(readFileSync(new URL('./vectors/rfc6962.json', import.meta.url), 'utf8')) as {
  leaves_hex: string[];
  roots_by_size: Record<string, string>;
  inclusion_paths: Record<string, string[]>;
};

const leaves = vectors.leaves_hex.map((hex) => leafHash(Buffer.from(hex, 'hex')));
const hex = (buffer: Uint8Array) => Buffer.from(buffer).toString('hex');

describe('RFC 6962 Merkle trees', () => {
  it('hashes the empty tree as SHA-256 of nothing', () => {
    expect(hex(emptyRoot)).toBe(vectors.roots_by_size['0']);
    expect(hex(merkleRoot([]))).toBe(vectors.roots_by_size['0']);
  });

  it.each(Object.entries(vectors.roots_by_size))('gives the known root of the first %s leaves', (size, root) => {
    expect(hex(merkleRoot(leaves.slice(0, Number(size))))).toBe(root);
    const accumulator = new MerkleAccumulator();
    for (const leaf of leaves.slice(0, Number(size))) accumulator.push(leaf);
    expect(hex(accumulator.root())).toBe(root);
  });

  it.each(Object.entries(vectors.inclusion_paths))('gives and checks the known audit path: %s', (name, path) => {
    const [, index, size] = /^leaf (\d+) in tree of (\d+)$/.exec(name)?.map(Number) ?? [];
    const tree = leaves.slice(0, size);
    expect(inclusionProof(tree, index as number).map(hex)).toEqual(path);
    const proof = path.map((p) => Buffer.from(p, 'hex'));
    expect(
      verifyInclusion(leaves[index as number] as Buffer, index as number, size as number, proof, merkleRoot(tree)),
    ).toBe(true);
  });

  it('proves every leaf of every tree up to 40 leaves, and refuses every mutated proof (property)', () => {
    const many = Array.from({ length: 41 }, (_, i) => leafHash(`entry ${i}`));
    for (let size = 1; size <= 40; size++) {
      const tree = many.slice(0, size);
      const root = merkleRoot(tree);
      for (let index = 0; index < size; index++) {
        expect(verifyInclusion(tree[index] as Buffer, index, size, inclusionProof(tree, index), root)).toBe(true);
      }
    }
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 40 }).chain((size) =>
          fc.record({
            size: fc.constant(size),
            index: fc.integer({ min: 0, max: size - 1 }),
            mutation: fc.constantFrom('flip', 'drop', 'extra', 'index', 'size', 'leaf', 'root', 'swap'),
            at: fc.nat(),
          }),
        ),
        ({ size, index, mutation, at }) => {
          const tree = many.slice(0, size);
          const root = merkleRoot(tree);
          const proof = inclusionProof(tree, index);
          let leaf: Buffer = tree[index] as Buffer;
          let i = index;
          let n = size;
          let r: Buffer = root;
          let p: Buffer[] = proof.map((x) => Buffer.from(x));
          const k = p.length > 0 ? at % p.length : 0;
          switch (mutation) {
            case 'flip':
              if (p.length === 0) return;
              {
                const flipped = Buffer.from(p[k] as Buffer);
                flipped.writeUInt8((flipped.readUInt8(at % 32) ^ 1) & 0xff, at % 32);
                p[k] = flipped;
              }
              break;
            case 'drop':
              if (p.length === 0) return;
              p = p.filter((_, j) => j !== k);
              break;
            case 'extra':
              p = [...p, leafHash('extra')];
              break;
            case 'index':
              i = (index + 1 + (at % (size - 1))) % size;
              break;
            case 'size':
              // A checkpoint signs size and root together: the proof must fail against a bigger tree's head.
              n = size + 1;
              r = merkleRoot(many.slice(0, n));
              break;
            case 'leaf':
              leaf = leafHash('not in the tree');
              break;
            case 'root':
              r = nodeHash(root, root);
              break;
            case 'swap':
              if (p.length < 2) return;
              p = [p[1] as Buffer, p[0] as Buffer, ...p.slice(2)];
              break;
          }
          expect(verifyInclusion(leaf, i, n, p, r)).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('agrees with the recursive definition at every size (accumulator property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 70 }), (data) => {
        const hashes = data.map((d) => leafHash(d));
        const accumulator = new MerkleAccumulator();
        for (const h of hashes) accumulator.push(h);
        expect(accumulator.size).toBe(hashes.length);
        expect(accumulator.root().equals(merkleRoot(hashes))).toBe(true);
      }),
    );
  });

  it('resumes from its range at any size, as if it had never stopped (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 70 }), fc.nat(), (data, cut) => {
        const hashes = data.map((d) => leafHash(d));
        const at = hashes.length === 0 ? 0 : cut % (hashes.length + 1);
        const first = new MerkleAccumulator();
        for (const h of hashes.slice(0, at)) first.push(h);
        const resumed = MerkleAccumulator.resume(first.size, first.range());
        for (const h of hashes.slice(at)) resumed.push(h);
        expect(resumed.root().equals(merkleRoot(hashes))).toBe(true);
      }),
    );
    expect(() => MerkleAccumulator.resume(3, [leafHash('one subtree only')])).toThrow(RangeError);
  });

  it('refuses an index outside the tree', () => {
    expect(() => inclusionProof(leaves, leaves.length)).toThrow(RangeError);
    expect(verifyInclusion(leaves[0] as Buffer, 3, 3, [], merkleRoot(leaves.slice(0, 3)))).toBe(false);
  });

  it('serves every proof and root from stored perfect subtrees, as a log store does (sizes 1..70)', () => {
    const data = Array.from({ length: 70 }, (_, i) => leafHash(`entry ${i}`));
    const stored = new Map<string, Buffer>();
    const accumulator = new MerkleAccumulator();
    const lookup = (node: { level: number; index: number }) => {
      const found = stored.get(`${node.level}/${node.index}`);
      if (!found) throw new Error(`node ${node.level}/${node.index} was never completed`);
      return found;
    };
    for (const [n, leaf] of data.entries()) {
      accumulator.push(leaf, (node: TreeNode) => stored.set(`${node.level}/${node.index}`, node.hash));
      const size = n + 1;
      const prefix = data.slice(0, size);
      expect(hex(foldSubtrees(perfectSubtrees(0, size).map(lookup)))).toBe(hex(merkleRoot(prefix)));
      for (let index = 0; index < size; index++) {
        const proof = inclusionRanges(index, size).map(([start, end]) =>
          foldSubtrees(perfectSubtrees(start, end).map(lookup)),
        );
        expect(proof.map(hex)).toEqual(inclusionProof(prefix, index).map(hex));
      }
    }
    expect(stored.size).toBe(70 + 35 + 17 + 8 + 4 + 2 + 1);
    expect(perfectSubtrees(0, 13)).toEqual([
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(() => inclusionRanges(5, 5)).toThrow(RangeError);
  });
});
