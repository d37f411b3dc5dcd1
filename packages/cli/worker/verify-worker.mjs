// A worker thread of `countersign audit verify`: inspects the chunks of an export it is sent — hashes every entry
// and its Merkle leaf, the chunk's subtrees, checkpoint signatures — and hands back the packed facts; the main thread
// links them in order. Plain JavaScript so that it runs the same from the sources (tests) and from the build: all
// the logic is core's `inspectChunk`.
import { parentPort, workerData } from 'node:worker_threads';
import { inspectChunk, publicKeysByKid } from '@countersign/core';

const options = {
  canonical: workerData.canonical,
  keys: publicKeysByKid(workerData.keys),
  rootsAt: new Set(workerData.rootsAt),
};

parentPort.on('message', ({ id, chunk, length, firstLeaf }) => {
  const packed = inspectChunk(new Uint8Array(chunk, 0, length), { ...options, firstLeaf });
  parentPort.postMessage({ id, packed }, [packed.kinds.buffer, packed.seqs.buffer, packed.leaves.buffer]);
});
