import type { KeyObject } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  type Checkpoint,
  countEntryLines,
  type ExportHeader,
  ExportVerifier,
  inspectChunk,
  type PackedFacts,
  type PublicJwk,
  publicKeysByKid,
  type VerifyReport,
} from '@countersign/core';

export interface FileVerifyOptions {
  /** Trust anchors; without them, the keys in the export's header. */
  keys?: ReadonlyMap<string, KeyObject>;
  witness?: readonly Checkpoint[];
  /** Also check that every entry line is its entry's canonical JSON (slower; see core's InspectOptions). */
  strict?: boolean;
  /** Worker threads inspecting lines (default: one per CPU; 0 inspects on the main thread). */
  workers?: number;
  /** Called about every 250 ms while it runs. */
  onProgress?: (progress: { bytes: number; totalBytes: number; entries: number }) => void;
}

export interface FileVerifyReport extends VerifyReport {
  bytes: number;
  durationMs: number;
  entriesPerSecond: number;
}

const chunkSize = 1 << 20;
const workerUrl = new URL('../../worker/verify-worker.mjs', import.meta.url);

/**
 * Verifies an export file. Worker threads do the per-line work — both hashes of every entry, the Merkle subtrees of
 * their chunk, checkpoint signatures — and the main thread links the chunks in order (sequence, chain, tree heads at
 * checkpoints, witness copies). Stops at the first failure.
 */
export async function verifyExportFile(path: string, options: FileVerifyOptions = {}): Promise<FileVerifyReport> {
  const started = performance.now();
  const file = await open(path, 'r');
  let pool: InspectorPool | undefined;
  const verifier = new ExportVerifier({
    ...(options.keys && { keys: options.keys }),
    ...(options.witness && { witness: options.witness }),
  });
  let bytes = 0;
  try {
    const totalBytes = (await file.stat()).size;
    const header = await readHeader(file);
    const keys = options.keys ?? (header ? publicKeysByKid(header.keys) : new Map<string, KeyObject>());
    pool = new InspectorPool(options.workers ?? availableParallelism(), {
      canonical: options.strict === true,
      keys: jwksOf(keys),
      rootsAt: (options.witness ?? []).map((checkpoint) => checkpoint.seq),
    });
    let firstLeaf = header?.start.seq ?? 0;
    let lastProgress = started;
    const inFlight: Array<Promise<SizedFacts>> = [];
    let carry = Buffer.alloc(0);
    let eof = false;
    while (!eof || inFlight.length > 0) {
      while (!eof && inFlight.length < pool.capacity) {
        const buffer = Buffer.allocUnsafeSlow(carry.length + chunkSize);
        carry.copy(buffer, 0);
        const { bytesRead } = await file.read(buffer, carry.length, chunkSize, null);
        const filled = carry.length + bytesRead;
        eof = bytesRead === 0;
        const cut = eof ? filled : buffer.lastIndexOf(10, filled - 1) + 1;
        carry = Buffer.from(buffer.subarray(cut, filled));
        if (cut === 0) continue; // a line longer than a chunk: read on
        const entries = countEntryLines(buffer, cut);
        inFlight.push(pool.inspect(buffer, cut, firstLeaf));
        firstLeaf += entries;
      }
      const next = inFlight.shift();
      if (!next) break;
      const packed = await next;
      verifier.acceptPacked(packed);
      if (verifier.failed) break;
      bytes += packed.bytes;
      const now = performance.now();
      if (options.onProgress && now - lastProgress > 250) {
        lastProgress = now;
        options.onProgress({ bytes, totalBytes, entries: verifier.entries });
      }
    }
  } finally {
    await pool?.close();
    await file.close();
  }
  const report = verifier.finish();
  const durationMs = performance.now() - started;
  return {
    ...report,
    bytes,
    durationMs: Math.round(durationMs),
    entriesPerSecond: Math.round(report.entries / Math.max(durationMs / 1000, 1e-3)),
  };
}

/** The header, if the first line is one (the verifier judges it; this only learns where the tree starts). */
async function readHeader(file: FileHandle): Promise<ExportHeader | undefined> {
  const buffer = Buffer.alloc(256 * 1024);
  const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
  const end = buffer.subarray(0, bytesRead).indexOf(10);
  try {
    const header = (JSON.parse(buffer.toString('utf8', 0, end < 0 ? bytesRead : end)) as { header?: ExportHeader })
      .header;
    return Number.isSafeInteger(header?.start?.seq) && Array.isArray(header?.keys) ? header : undefined;
  } catch {
    return undefined;
  }
}

function jwksOf(keys: ReadonlyMap<string, KeyObject>): PublicJwk[] {
  return [...keys].map(([kid, key]) => ({ ...(key.export({ format: 'jwk' }) as PublicJwk), kid }));
}

type SizedFacts = PackedFacts & { bytes: number };

interface PoolSettings {
  canonical: boolean;
  keys: PublicJwk[];
  rootsAt: number[];
}

/** Inspects chunks on worker threads, round robin; each worker answers in the order it was asked. */
class InspectorPool {
  readonly #workers: Worker[] = [];
  readonly #waiting = new Map<
    number,
    { resolve: (facts: SizedFacts) => void; reject: (error: Error) => void; bytes: number }
  >();
  readonly #settings: PoolSettings;
  #next = 0;
  #id = 0;

  constructor(count: number, settings: PoolSettings) {
    this.#settings = settings;
    for (let i = 0; i < count; i++) {
      const worker = new Worker(workerUrl, { workerData: settings });
      worker.on('message', ({ id, packed }: { id: number; packed: PackedFacts }) => {
        const waiting = this.#waiting.get(id);
        this.#waiting.delete(id);
        waiting?.resolve({ ...packed, bytes: waiting.bytes });
      });
      worker.on('error', (error) => {
        for (const waiting of this.#waiting.values()) waiting.reject(error);
        this.#waiting.clear();
      });
      this.#workers.push(worker);
    }
  }

  /** Chunks kept in flight: two per worker keeps each busy while the main thread links. */
  get capacity(): number {
    return Math.max(1, this.#workers.length * 2);
  }

  inspect(buffer: Buffer, length: number, firstLeaf: number): Promise<SizedFacts> {
    if (this.#workers.length === 0) {
      const packed = inspectChunk(buffer.subarray(0, length), {
        canonical: this.#settings.canonical,
        keys: publicKeysByKid(this.#settings.keys),
        rootsAt: new Set(this.#settings.rootsAt),
        firstLeaf,
      });
      return Promise.resolve({ ...packed, bytes: length });
    }
    const id = this.#id++;
    const worker = this.#workers[this.#next++ % this.#workers.length] as Worker;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject, bytes: length });
      // the buffer owns its memory (allocUnsafeSlow): moved to the worker, not copied
      const memory = buffer.buffer as ArrayBuffer;
      worker.postMessage({ id, chunk: memory, length, firstLeaf }, [memory]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}
