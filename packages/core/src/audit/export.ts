import { createPublicKey, hash, type KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson } from '../digest/index.js';
import { MerkleAccumulator, nodeHash } from '../merkle/index.js';
import { type Checkpoint, verifyCheckpoint } from './checkpoint.js';
import { type AuditEntry, entryHash, genesisHash } from './index.js';

/**
 * The audit export (DESIGN.md, audit trail) and its offline verification.
 *
 * An export is JSONL: one signed header line, then every entry of a range of the log — each line exactly the JCS of
 * the entry, so the bytes hashed are the bytes on the line — with each checkpoint on the line after its entry. The
 * header names the range and signs the log's state on both sides of it (the head hash and Merkle range before the
 * first entry, the head hash and root after the last), so nothing can be cut from either end without breaking a
 * signature; the checkpoints inside are the same signed statements the server handed its witnesses.
 *
 * Verification is split in two so that it can run in parallel: {@link inspectLine} does all the per-line work
 * (parsing, the canonical-form check, both hashes) and needs nothing but the line; {@link ExportVerifier} then takes
 * the facts in order and checks what links them (sequence, chain, Merkle tree, checkpoints, witness copies).
 */

export const exportFormat = 'countersign.audit-export/v1';

/** An Ed25519 public key as a JWKS publishes it. */
export interface PublicJwk {
  kty: string;
  crv?: string;
  x?: string;
  kid?: string;
  alg?: string;
  use?: string;
}

export interface ExportHeader {
  format: typeof exportFormat;
  /** Who exported: the server's URL or name. */
  issuer: string;
  exportedAt: string;
  /** The time range asked for; `until: null` means "up to the head when the export began". */
  range: { since: string | null; until: string | null };
  /** The log just before the first exported entry: its last seq, head hash and Merkle range (perfect subtrees). */
  start: { seq: number; hash: string; tree: string[] };
  /** The log at the last exported entry. */
  end: { seq: number; hash: string; root: string };
  /** The public keys of the server when it exported: what signed this header and, usually, the checkpoints. */
  keys: PublicJwk[];
  kid: string;
  /** base64url Ed25519 over JCS of the header without `sig`. */
  sig: string;
}

export type UnsignedExportHeader = Omit<ExportHeader, 'sig'>;

export function signExportHeader(header: UnsignedExportHeader, privateKey: KeyObject): ExportHeader {
  const signature = sign(null, Buffer.from(canonicalJson(header)), privateKey);
  return { ...header, sig: signature.toString('base64url') };
}

export function exportHeaderLine(header: ExportHeader): string {
  return JSON.stringify({ header });
}

/** An entry's line: its JCS, so its leaf and its hash are computed over the line's own bytes. */
export function exportEntryLine(entry: AuditEntry): string {
  return canonicalJson(entry);
}

export function exportCheckpointLine(checkpoint: Checkpoint): string {
  return JSON.stringify({ checkpoint });
}

/** Ed25519 public keys by `kid`, from a JWKS (`{keys: [...]}`) or a bare list of JWKs. Other keys are skipped. */
export function publicKeysByKid(jwks: { keys?: unknown } | readonly unknown[]): Map<string, KeyObject> {
  const list = Array.isArray(jwks) ? jwks : ((jwks as { keys?: unknown }).keys ?? []);
  const keys = new Map<string, KeyObject>();
  for (const jwk of Array.isArray(list) ? (list as PublicJwk[]) : []) {
    if (jwk?.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || typeof jwk.kid !== 'string') {
      continue;
    }
    try {
      keys.set(jwk.kid, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' }));
    } catch {
      // not a usable key: anything it signed will not verify
    }
  }
  return keys;
}

/** What one line of an export says, found without looking at any other line. */
export type LineFacts =
  | {
      kind: 'entry';
      seq: number;
      prev: string;
      hash: string;
      /** The entry's Merkle leaf hash, over the line. */
      leaf: Uint8Array;
      /** Why the line cannot be trusted as it stands (its hash does not match, it is not canonical), if so. */
      problem?: string;
    }
  | { kind: 'checkpoint'; checkpoint: Checkpoint }
  | { kind: 'header'; header: ExportHeader }
  | { kind: 'invalid'; reason: string };

const hashMember = ',"hash":"';
// `,"hash":"` + 64 hex digits + `",`
const hashMemberLength = hashMember.length + 64 + 2;
const tailPattern =
  /^,"hash":"([0-9a-f]{64})","prev":"([0-9a-f]{64})","seq":([1-9][0-9]{0,15}),"ts":"[^"\\]*","type":"[^"\\]*"\}$/;
const hashMemberBytes = Buffer.from(hashMember);
const checkpointPrefix = Buffer.from('{"checkpoint":');
const headerPrefix = Buffer.from('{"header":');

/** Grown as needed; per thread, so workers each have their own. */
let scratch = Buffer.alloc(16 * 1024);

export interface InspectOptions {
  /**
   * Also parse each entry line and check it is exactly the entry's canonical JSON (RFC 8785), as a conforming
   * exporter writes it (default true). Every hash and leaf is computed over the line's bytes either way, and those
   * bytes are what the chain and the signed checkpoints commit to, so a line changed after signing fails without
   * this; what it adds is conformance — that the signer wrote the one canonical form — at about 2.5× the cost.
   */
  canonical?: boolean;
}

/**
 * Everything about one line that does not depend on the others. An entry's hash is recomputed over the line's bytes
 * with its `hash` member cut out — the bytes of `JCS(entry without hash)`, since the line is the entry's JCS — and
 * its leaf over the whole line. Takes the line as a string or, faster, as its UTF-8 bytes (no newline).
 */
export function inspectLine(line: string | Uint8Array, options: InspectOptions = {}): LineFacts {
  const bytes = typeof line === 'string' ? Buffer.from(line) : Buffer.from(line.buffer, line.byteOffset, line.length);
  return inspectRange(bytes, 0, bytes.length, options.canonical !== false, typeof line === 'string' ? line : undefined);
}

/** {@link inspectLine} over `bytes[start, end)`, without making a view of it first. */
function inspectRange(bytes: Buffer, start: number, end: number, strict: boolean, text?: string): LineFacts {
  // entry lines start {"a (actionId, actor): look further only at lines that might be something else
  if (bytes[start + 2] !== 0x61) {
    if (startsWith(bytes, start, end, checkpointPrefix)) {
      return inspectWrapped(bytes.toString('utf8', start, end), 'checkpoint');
    }
    if (startsWith(bytes, start, end, headerPrefix))
      return inspectWrapped(bytes.toString('utf8', start, end), 'header');
  }
  const at = bytes.lastIndexOf(hashMemberBytes, end - hashMemberBytes.length);
  const tail = at < start ? undefined : entryTail(bytes, at, end);
  if (!tail || strict) {
    const json = text ?? bytes.toString('utf8', start, end);
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return { kind: 'invalid', reason: 'the line is not JSON' };
    }
    if (!tail || !tailPattern.test(bytes.toString('latin1', at, end))) return inspectOddEntry(json, parsed);
    if (!isCanonical(json, parsed)) return entryFacts(bytes, start, end, at, tail, canonicalProblem);
  }
  return entryFacts(bytes, start, end, at, tail);
}

const prevMember = Buffer.from('","prev":"');
const seqMember = Buffer.from('","seq":');

/**
 * Reads `hash`, `prev` and `seq` at the fixed places the canonical form puts them after `at` (where `,"hash":"`
 * starts): the members after `data` are hash, prev, seq, ts, type, in that order. Anything else is for the slow path.
 */
function entryTail(bytes: Buffer, at: number, end: number): { hash: string; prev: string; seq: number } | undefined {
  const prevAt = at + 9 + 64;
  const seqAt = prevAt + prevMember.length + 64;
  if (seqAt + seqMember.length >= end) return undefined;
  if (bytes.compare(prevMember, 0, prevMember.length, prevAt, prevAt + prevMember.length) !== 0) return undefined;
  if (bytes.compare(seqMember, 0, seqMember.length, seqAt, seqAt + seqMember.length) !== 0) return undefined;
  let seq = 0;
  let i = seqAt + seqMember.length;
  const first = i;
  for (; i < end && i - first < 16; i++) {
    const digit = (bytes[i] as number) - 48;
    if (digit < 0 || digit > 9) break;
    seq = seq * 10 + digit;
  }
  if (i === first || bytes[i] !== 44 /* , */ || bytes[first] === 48 /* leading 0 */) return undefined;
  return {
    hash: bytes.toString('latin1', at + 9, at + 9 + 64),
    prev: bytes.toString('latin1', prevAt + prevMember.length, seqAt),
    seq,
  };
}

const canonicalProblem = 'the line is not the canonical JSON (RFC 8785) of the entry';

function entryFacts(
  bytes: Buffer,
  start: number,
  end: number,
  at: number,
  tail: { hash: string; prev: string; seq: number },
  problem?: string,
): LineFacts {
  const facts: LineFacts = {
    kind: 'entry',
    seq: tail.seq,
    prev: tail.prev,
    hash: tail.hash,
    leaf: leafOf(bytes, start, end),
  };
  if (problem) facts.problem = problem;
  else if (unsignedHash(bytes, start, end, at, tail.prev) !== tail.hash)
    facts.problem = 'hash does not match the entry';
  return facts;
}

function startsWith(bytes: Buffer, start: number, end: number, prefix: Buffer): boolean {
  return end - start >= prefix.length && bytes.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0;
}

function room(size: number): Buffer {
  if (scratch.length < size) scratch = Buffer.alloc(Math.max(size, scratch.length * 2));
  return scratch;
}

/** `SHA-256(0x00 ‖ line)`, hashed from one buffer (a one-shot hash costs half of an incremental one). */
function leafOf(bytes: Buffer, start: number, end: number): Buffer {
  const buffer = room(end - start + 1);
  buffer[0] = 0;
  bytes.copy(buffer, 1, start, end);
  return hash('sha256', buffer.subarray(0, end - start + 1), 'buffer');
}

/** `sha256(prev ‖ line without its hash member)` as hex: the entry's hash as its writer computed it. */
function unsignedHash(bytes: Buffer, start: number, end: number, at: number, prev: string): string {
  const length = 64 + (end - start) - (hashMemberLength - 1);
  const buffer = room(length);
  buffer.write(prev, 0, 'latin1');
  bytes.copy(buffer, 64, start, at + 1);
  bytes.copy(buffer, 64 + (at + 1 - start), at + hashMemberLength, end);
  return hash('sha256', buffer.subarray(0, length), 'hex');
}

function inspectWrapped(line: string, kind: 'checkpoint' | 'header'): LineFacts {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { kind: 'invalid', reason: `the ${kind} line is not JSON` };
  }
  const value = (parsed as Record<string, unknown>)[kind];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', reason: `the ${kind} line holds no ${kind}` };
  }
  return kind === 'checkpoint' ? { kind, checkpoint: value as Checkpoint } : { kind, header: value as ExportHeader };
}

function leafOfText(line: string): Buffer {
  const bytes = Buffer.from(line);
  return leafOf(bytes, 0, bytes.length);
}

/** An entry line whose tail is not where the canonical form puts it: find out why, for the report. */
function inspectOddEntry(line: string, parsed: unknown): LineFacts {
  const entry = parsed as Partial<AuditEntry>;
  if (
    typeof entry !== 'object' ||
    entry === null ||
    !Number.isSafeInteger(entry.seq) ||
    typeof entry.prev !== 'string' ||
    typeof entry.hash !== 'string'
  ) {
    return { kind: 'invalid', reason: 'the line is not an audit entry (seq, prev and hash are required)' };
  }
  const { hash: recorded, ...unsigned } = entry as AuditEntry;
  const problem = entryHash(unsigned) !== recorded ? 'hash does not match the entry' : canonicalProblem;
  return {
    kind: 'entry',
    seq: entry.seq as number,
    prev: entry.prev,
    hash: recorded,
    leaf: leafOfText(line),
    problem,
  };
}

/**
 * Whether `line` is the JCS of `parsed`. `JSON.stringify` writes strings and numbers exactly as JCS does, so the
 * line is canonical when stringify gives it back and every object's keys are in code-unit order. Objects with
 * integer-like keys (which JavaScript enumerates first) take the slow, exact path.
 */
function isCanonical(line: string, parsed: unknown): boolean {
  if (JSON.stringify(parsed) === line && keysInOrder(parsed)) return true;
  return canonicalJson(parsed) === line;
}

function keysInOrder(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return value.every(keysInOrder);
  let previous: string | undefined;
  for (const key in value) {
    if (previous !== undefined && !(previous < key)) return false;
    if (!keysInOrder((value as Record<string, unknown>)[key])) return false;
    previous = key;
  }
  return true;
}

/** A verification's first failure: the first `seq` at which the evidence stops holding, and why. */
export interface VerifyFailure {
  /** The first bad seq; null when the problem is not any entry's (an unreadable header, say). */
  seq: number | null;
  /** The 1-based line of the export, when the problem is on a line. */
  line?: number;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Entries and checkpoints checked. */
  entries: number;
  checkpoints: number;
  /** The range covered: first and last seq (first > last when it holds no entry). */
  firstSeq: number;
  lastSeq: number;
  /** The log's head after the last entry checked (the root only when everything verified). */
  head: { seq: number; hash: string; root: string | null };
  /** Whose keys the signatures were checked against: keys given by the caller, or the export's own header. */
  trust: 'pinned' | 'header';
  witness: { checkpoints: number; matched: number; outside: number };
  failure?: VerifyFailure;
}

export interface VerifyOptions {
  /** Trust anchors: the public keys that may sign. Without them, the keys in the export's header are used. */
  keys?: ReadonlyMap<string, KeyObject>;
  /** Checkpoints kept outside the server (a witness copy): each must agree with the log it falls in. */
  witness?: readonly Checkpoint[];
  /**
   * Verifying a live log rather than an export: there is no header, entries start at seq 1, and `end` (the head the
   * database records) takes the header's place.
   */
  live?: { end: { seq: number; hash: string } };
}

class VerifyStop extends Error {
  constructor(readonly failure: VerifyFailure) {
    super(failure.reason);
  }
}

/**
 * Checks an export line by line, in order (feed it {@link inspectLine}'s facts), and stops at the first failure.
 * Each entry must follow the previous one (seq + 1, `prev` = its hash) and hash correctly; each checkpoint must sit
 * after its entry, be signed by a trusted key, and sign the chain hash and Merkle root recomputed there; the end must
 * be where the header says; and every witness checkpoint inside the range must agree.
 */
export class ExportVerifier {
  readonly #options: VerifyOptions;
  #keys: ReadonlyMap<string, KeyObject> | undefined;
  #header: ExportHeader | undefined;
  #tree = new MerkleAccumulator();
  #seq = 0;
  #firstSeq = 1;
  #hash = genesisHash;
  #entries = 0;
  #checkpoints = 0;
  #lastCheckpointTs = '';
  #line = 0;
  #failure: VerifyFailure | undefined;
  #witnessBySeq = new Map<number, Checkpoint[]>();
  #witnessMatched = 0;
  #deferTree = false;

  constructor(options: VerifyOptions = {}) {
    this.#options = options;
    this.#keys = options.keys;
    if (options.live) {
      this.#header = {
        format: exportFormat,
        issuer: 'live',
        exportedAt: new Date(8.64e15).toISOString(),
        range: { since: null, until: null },
        start: { seq: 0, hash: genesisHash, tree: [] },
        end: { ...options.live.end, root: '' },
        keys: [],
        kid: '',
        sig: '',
      };
      this.#indexWitness();
    }
  }

  /** Entries accepted so far (for progress). */
  get entries(): number {
    return this.#entries;
  }

  /** Whether it has failed: feeding more changes nothing. */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  accept(facts: LineFacts): void {
    if (this.#failure) return;
    this.#line += 1;
    try {
      this.#accept(facts);
    } catch (error) {
      if (!(error instanceof VerifyStop)) throw error;
      this.#failure = { ...error.failure, ...(this.#options.live ? {} : { line: this.#line }) };
    }
  }

  /**
   * Feeds a chunk packed by {@link inspectChunk} — the fast path of a parallel verification: an entry that simply
   * follows is linked straight from the packed arrays; anything else goes through {@link accept}.
   */
  acceptPacked(packed: PackedFacts): void {
    const notes = new Map(packed.notes);
    const stacks = new Map(packed.stacks ?? []);
    const signatures = new Map(packed.signatures ?? []);
    const hashedHere = packed.pieces !== undefined;
    const leaves = Buffer.from(packed.leaves.buffer, packed.leaves.byteOffset, packed.leaves.length);
    const rootAt = (line: number): string | undefined => {
      const pieces = stacks.get(line);
      if (!pieces) return undefined;
      const tree = this.#tree.clone();
      for (const [size, hash] of pieces) tree.pushSubtree(size, Buffer.from(hash));
      return tree.root().toString('hex');
    };
    for (let i = 0; i < packed.count && !this.#failure; i++) {
      const kind = packed.kinds[i];
      if (
        kind === kindCodes.entry &&
        this.#header !== undefined &&
        packed.seqs[i] === this.#seq + 1 &&
        packed.prevs.startsWith(this.#hash, i * 64) &&
        !notes.has(i)
      ) {
        this.#line += 1;
        if (!hashedHere) this.#tree.push(leaves.subarray(i * 32, i * 32 + 32));
        this.#seq += 1;
        this.#hash = packed.hashes.slice(i * 64, i * 64 + 64);
        this.#entries += 1;
        if (this.#witnessBySeq.has(this.#seq)) {
          const root = hashedHere ? rootAt(i) : undefined;
          this.#runChecked(() => this.#checkWitness(root));
        }
        continue;
      }
      if (kind === kindCodes.checkpoint && hashedHere && this.#header !== undefined) {
        const checkpoint = JSON.parse(notes.get(i) as string) as Checkpoint;
        this.#line += 1;
        const root = rootAt(i);
        const signature = signatures.get(i);
        this.#runChecked(() => this.#acceptCheckpoint(checkpoint, root, signature));
        continue;
      }
      // anything else — the header, or an entry that does not simply follow (which fails) — takes the slow path;
      // with the chunk's subtrees hashed already, it must not push a leaf of its own
      this.#deferTree = hashedHere;
      const facts = unpackFacts(packed, i, notes);
      if (facts) this.accept(facts);
      this.#deferTree = false;
    }
    if (hashedHere && !this.#failure) {
      for (const [size, hash] of packed.pieces ?? []) this.#tree.pushSubtree(size, Buffer.from(hash));
    }
  }

  #runChecked(check: () => void): void {
    try {
      check();
    } catch (error) {
      if (!(error instanceof VerifyStop)) throw error;
      this.#failure = { ...error.failure, ...(this.#options.live ? {} : { line: this.#line }) };
    }
  }

  finish(): VerifyReport {
    if (!this.#failure) {
      try {
        this.#finish();
      } catch (error) {
        if (!(error instanceof VerifyStop)) throw error;
        this.#failure = error.failure;
      }
    }
    const witness = this.#options.witness ?? [];
    return {
      ok: this.#failure === undefined,
      entries: this.#entries,
      checkpoints: this.#checkpoints,
      firstSeq: this.#firstSeq,
      lastSeq: this.#seq,
      head: { seq: this.#seq, hash: this.#hash, root: this.#failure ? null : this.#tree.root().toString('hex') },
      trust: this.#options.keys ? 'pinned' : 'header',
      witness: {
        checkpoints: witness.length,
        matched: this.#witnessMatched,
        outside: witness.length - this.#witnessMatched,
      },
      ...(this.#failure && { failure: this.#failure }),
    };
  }

  #accept(facts: LineFacts): void {
    if (!this.#header) {
      if (facts.kind !== 'header') this.#stop(null, 'the export does not start with its header line');
      this.#acceptHeader(facts.header);
      return;
    }
    switch (facts.kind) {
      case 'header':
        this.#stop(this.#seq + 1, 'a second header line: exports cannot be concatenated');
        break;
      case 'invalid':
        this.#stop(this.#seq + 1, facts.reason);
        break;
      case 'checkpoint':
        this.#acceptCheckpoint(facts.checkpoint);
        break;
      case 'entry':
        this.#acceptEntry(facts);
        break;
    }
  }

  #acceptHeader(header: ExportHeader): void {
    if (header.format !== exportFormat) {
      this.#stop(null, `unknown export format ${JSON.stringify(header.format)}; this verifier reads ${exportFormat}`);
    }
    if (!isHeaderShape(header)) this.#stop(null, 'the header is incomplete (start, end, keys, kid, sig)');
    this.#keys ??= publicKeysByKid(header.keys);
    const key = this.#keys.get(header.kid);
    if (!key) this.#stop(null, `the header is signed with key ${header.kid}, which is not trusted`);
    const { sig, ...unsigned } = header;
    if (!verifySignature(unsigned, sig, key as KeyObject)) {
      this.#stop(null, 'the header signature is invalid: the header was altered or signed with another key');
    }
    try {
      this.#tree = MerkleAccumulator.resume(
        header.start.seq,
        header.start.tree.map((h) => Buffer.from(h, 'hex')),
      );
    } catch {
      this.#stop(null, `the header's Merkle range does not fit a tree of ${header.start.seq} entries`);
    }
    this.#header = header;
    this.#seq = header.start.seq;
    this.#firstSeq = header.start.seq + 1;
    this.#hash = header.start.hash;
    this.#indexWitness();
    this.#checkWitness();
  }

  #acceptEntry(facts: Extract<LineFacts, { kind: 'entry' }>): void {
    const expected = this.#seq + 1;
    if (facts.seq > expected) {
      this.#stop(expected, `entry ${expected} is missing (the next line holds entry ${facts.seq})`);
    }
    if (facts.seq < expected) {
      this.#stop(facts.seq, `a second entry ${facts.seq} after entry ${expected - 1} (inserted or out of order)`);
    }
    if (facts.prev !== this.#hash) {
      this.#stop(expected, `prev does not match the hash of entry ${expected - 1}`);
    }
    if (facts.problem) this.#stop(expected, facts.problem);
    if (!this.#deferTree) this.#tree.push(facts.leaf);
    this.#seq = expected;
    this.#hash = facts.hash;
    this.#entries += 1;
    if (this.#witnessBySeq.has(expected)) this.#checkWitness();
  }

  /** `root` and `signature` may come precomputed (by the thread that inspected the chunk). */
  #acceptCheckpoint(checkpoint: Checkpoint, root?: string, signature?: 0 | 1 | 2): void {
    const seq = Number.isSafeInteger(checkpoint.seq) ? checkpoint.seq : null;
    if (seq === null) this.#stop(this.#seq + 1, 'a checkpoint without a valid seq');
    if ((seq as number) > this.#seq) {
      this.#stop(this.#seq + 1, `entry ${this.#seq + 1} is missing (the next line is the checkpoint for ${seq})`);
    }
    if ((seq as number) < this.#seq) {
      this.#stop(seq, `the checkpoint for entry ${seq} is out of place (after entry ${this.#seq})`);
    }
    if (signature === 1) {
      // checked already, with the same keys
    } else if (signature === 0) {
      this.#stop(checkpoint.seq, `the checkpoint at ${checkpoint.seq} has an invalid signature`);
    } else {
      this.#checkSigned(checkpoint, 'checkpoint');
    }
    if (checkpoint.hash !== this.#hash) {
      this.#stop(this.#seq, `the checkpoint at ${this.#seq} signed another chain hash than the entries give`);
    }
    if (checkpoint.root !== (root ?? this.#tree.root().toString('hex'))) {
      this.#stop(this.#seq, `the checkpoint at ${this.#seq} signed another Merkle root than the entries give`);
    }
    if (checkpoint.ts < this.#lastCheckpointTs) {
      this.#stop(this.#seq, `the checkpoint at ${this.#seq} is older than the one before it (reordered)`);
    }
    this.#lastCheckpointTs = checkpoint.ts;
    this.#checkpoints += 1;
  }

  #checkSigned(checkpoint: Checkpoint, what: string): void {
    const key = this.#keys?.get(checkpoint.kid);
    if (!key) this.#stop(checkpoint.seq, `the ${what} at ${checkpoint.seq} is signed with an untrusted key`);
    if (!verifyCheckpoint(checkpoint, key as KeyObject)) {
      this.#stop(checkpoint.seq, `the ${what} at ${checkpoint.seq} has an invalid signature`);
    }
  }

  #finish(): void {
    const header = this.#header;
    if (!header) this.#stop(null, 'the export is empty: not even a header');
    const end = (header as ExportHeader).end;
    if (this.#seq < end.seq) {
      this.#stop(
        this.#seq + 1,
        `entry ${this.#seq + 1} is missing: the export ends at ${this.#seq}, but the log runs to ${end.seq} (truncated)`,
      );
    }
    if (this.#seq > end.seq) this.#stop(end.seq + 1, `entries after ${end.seq}, where the log ends`);
    if (this.#hash !== end.hash || (end.root !== '' && this.#tree.root().toString('hex') !== end.root)) {
      this.#stop(end.seq, `the log's head at ${end.seq} is not what the export header signed`);
    }
    this.#checkWitnessBeyond(header as ExportHeader);
  }

  #indexWitness(): void {
    for (const checkpoint of this.#options.witness ?? []) {
      const list = this.#witnessBySeq.get(checkpoint.seq) ?? [];
      list.push(checkpoint);
      this.#witnessBySeq.set(checkpoint.seq, list);
    }
  }

  /** Every witness checkpoint at the current seq must be signed and agree with the log there. */
  #checkWitness(precomputedRoot?: string): void {
    const copies = this.#witnessBySeq.get(this.#seq);
    if (!copies) return;
    const root = precomputedRoot ?? this.#tree.root().toString('hex');
    for (const checkpoint of copies) {
      this.#checkSigned(checkpoint, 'witness checkpoint');
      if (checkpoint.hash !== this.#hash || checkpoint.root !== root) {
        this.#stop(this.#seq, `the log at ${this.#seq} differs from what the witness recorded at ${checkpoint.ts}`);
      }
      this.#witnessMatched += 1;
    }
  }

  /** A witness checkpoint past the end of a to-the-head export, signed before it was taken: the log lost its tail. */
  #checkWitnessBeyond(header: ExportHeader): void {
    if (header.range.until !== null) return;
    for (const checkpoint of this.#options.witness ?? []) {
      if (checkpoint.seq > this.#seq && checkpoint.ts <= header.exportedAt) {
        this.#checkSigned(checkpoint, 'witness checkpoint');
        this.#stop(
          this.#seq + 1,
          `the witness holds a checkpoint at ${checkpoint.seq} (${checkpoint.ts}), but the log ends at ${this.#seq} (truncated)`,
        );
      }
    }
  }

  #stop(seq: number | null, reason: string): never {
    throw new VerifyStop({ seq, reason });
  }
}

function isHeaderShape(header: ExportHeader): boolean {
  const { start, end } = header;
  return (
    typeof header.kid === 'string' &&
    typeof header.sig === 'string' &&
    Array.isArray(header.keys) &&
    typeof header.exportedAt === 'string' &&
    typeof header.range === 'object' &&
    header.range !== null &&
    typeof start === 'object' &&
    start !== null &&
    Number.isSafeInteger(start.seq) &&
    typeof start.hash === 'string' &&
    Array.isArray(start.tree) &&
    typeof end === 'object' &&
    end !== null &&
    Number.isSafeInteger(end.seq) &&
    typeof end.hash === 'string' &&
    typeof end.root === 'string'
  );
}

function verifySignature(value: unknown, sig: string, key: KeyObject): boolean {
  if (!/^[A-Za-z0-9_-]{86}$/.test(sig)) return false;
  try {
    return verify(null, Buffer.from(canonicalJson(value)), key, Buffer.from(sig, 'base64url'));
  } catch {
    return false;
  }
}

/** Verifies a whole export held as lines (the sequential path; the CLI parallelises {@link inspectLine}). */
export function verifyExportLines(lines: Iterable<string>, options: VerifyOptions = {}): VerifyReport {
  const verifier = new ExportVerifier(options);
  for (const line of lines) {
    if (line === '') continue;
    verifier.accept(inspectLine(line));
    if (verifier.failed) break;
  }
  return verifier.finish();
}

/** Reads a witness file: one checkpoint per line, bare or as `{"checkpoint": …}`; blank lines skipped. */
export function parseWitness(text: string): Checkpoint[] {
  const checkpoints: Checkpoint[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`witness line ${i + 1} is not JSON`);
    }
    const checkpoint = ((value as { checkpoint?: unknown }).checkpoint ?? value) as Checkpoint;
    if (!Number.isSafeInteger(checkpoint.seq) || typeof checkpoint.sig !== 'string') {
      throw new Error(`witness line ${i + 1} is not a checkpoint`);
    }
    checkpoints.push(checkpoint);
  }
  return checkpoints;
}

/**
 * {@link inspectLine} over every line of a chunk of an export (whole lines, `\n`-separated), packed into a few
 * arrays that cross a worker-thread boundary cheaply. {@link unpackFacts} gives back each line's facts.
 */
export interface PackedFacts {
  count: number;
  /** Per line: 0 entry, 1 checkpoint, 2 header, 3 invalid, 4 blank. */
  kinds: Uint8Array;
  seqs: Float64Array;
  /** Entries' `hash` and `prev`, 64 hex digits per line (zeros for other lines). */
  hashes: string;
  prevs: string;
  /** Entries' leaf hashes, 32 bytes per line. */
  leaves: Uint8Array;
  /** By line: an entry's problem, an invalid line's reason, a checkpoint's or header's JSON. */
  notes: Array<[line: number, note: string]>;
  /** With `firstLeaf`: the aligned perfect subtrees over the chunk's entries, left to right, as (size, root). */
  pieces?: Array<[size: number, hash: Uint8Array]>;
  /** With `firstLeaf`: by line, the chunk's subtrees up to that point (checkpoint lines, and `rootsAt` entries). */
  stacks?: Array<[line: number, pieces: Array<[size: number, hash: Uint8Array]>]>;
  /** With `keys`: by checkpoint line, its signature checked here: 1 valid, 0 invalid, 2 unknown key. */
  signatures?: Array<[line: number, status: 0 | 1 | 2]>;
}

export interface ChunkOptions extends InspectOptions {
  /**
   * The tree position of the chunk's first entry line ({@link countEntryLines} of what came before, plus the
   * header's start seq): with it the chunk's Merkle subtrees are hashed here, off the linking thread.
   */
  firstLeaf?: number;
  /** Seqs after whose entry the linker will need the tree root (witness checkpoints). */
  rootsAt?: ReadonlySet<number>;
  /** Keys to check checkpoint signatures with here, off the linking thread. */
  keys?: ReadonlyMap<string, KeyObject>;
}

/** How many lines of `bytes` take a place in the tree: not blank, not a checkpoint, not a header. */
export function countEntryLines(bytes: Buffer, length = bytes.length): number {
  let count = 0;
  for (let from = 0; from < length; ) {
    const newline = bytes.indexOf(10, from);
    let end = newline < 0 || newline >= length ? length : newline;
    const next = end + 1;
    if (end > from && bytes[end - 1] === 13) end -= 1;
    if (end > from && !startsWith(bytes, from, end, checkpointPrefix) && !startsWith(bytes, from, end, headerPrefix)) {
      count += 1;
    }
    from = next;
  }
  return count;
}

/** Perfect subtrees at their global places, merged only when the result stays aligned: a chunk's share of a tree. */
class AlignedStack {
  readonly items: Array<{ start: number; size: number; hash: Buffer }> = [];

  push(position: number, leaf: Buffer): void {
    let entry = { start: position, size: 1, hash: leaf };
    for (;;) {
      const top = this.items[this.items.length - 1];
      if (!top || top.size !== entry.size || top.start % (2 * top.size) !== 0) break;
      this.items.pop();
      entry = { start: top.start, size: top.size * 2, hash: nodeHash(top.hash, entry.hash) };
    }
    this.items.push(entry);
  }

  snapshot(): Array<[number, Uint8Array]> {
    return this.items.map((item) => [item.size, item.hash]);
  }
}

const kindCodes = { entry: 0, checkpoint: 1, header: 2, invalid: 3, blank: 4 } as const;
const noHash = '0'.repeat(64);

export function inspectChunk(chunk: Uint8Array, options: ChunkOptions = {}): PackedFacts {
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  const starts: number[] = [];
  for (let from = 0; from < bytes.length; ) {
    starts.push(from);
    const end = bytes.indexOf(10, from);
    from = end < 0 ? bytes.length : end + 1;
  }
  const count = starts.length;
  const packed: PackedFacts = {
    count,
    kinds: new Uint8Array(count),
    seqs: new Float64Array(count),
    hashes: '',
    prevs: '',
    leaves: new Uint8Array(count * 32),
    notes: [],
  };
  const hashes: string[] = [];
  const prevs: string[] = [];
  const tree = options.firstLeaf !== undefined ? new AlignedStack() : undefined;
  let position = options.firstLeaf ?? 0;
  if (tree) packed.stacks = [];
  if (options.keys) packed.signatures = [];
  for (let i = 0; i < count; i++) {
    const start = starts[i] as number;
    let end = i + 1 < count ? (starts[i + 1] as number) - 1 : bytes.length;
    if (end > start && bytes[end - 1] === 10) end -= 1;
    if (end > start && bytes[end - 1] === 13) end -= 1;
    if (end === start) {
      packed.kinds[i] = kindCodes.blank;
      hashes.push(noHash);
      prevs.push(noHash);
      continue;
    }
    const facts = inspectRange(bytes, start, end, options.canonical !== false);
    packed.kinds[i] = kindCodes[facts.kind];
    if (facts.kind === 'entry' || facts.kind === 'invalid') position += 1;
    if (facts.kind === 'entry') {
      if (tree) {
        tree.push(position - 1, facts.leaf as Buffer);
        if (options.rootsAt?.has(facts.seq)) packed.stacks?.push([i, tree.snapshot()]);
      }
      packed.seqs[i] = facts.seq;
      hashes.push(facts.hash.length === 64 ? facts.hash : noHash);
      prevs.push(facts.prev.length === 64 ? facts.prev : noHash);
      packed.leaves.set(facts.leaf, i * 32);
      if (facts.problem !== undefined || facts.hash.length !== 64 || facts.prev.length !== 64) {
        packed.notes.push([i, JSON.stringify({ problem: facts.problem, hash: facts.hash, prev: facts.prev })]);
      }
      continue;
    }
    hashes.push(noHash);
    prevs.push(noHash);
    if (facts.kind === 'invalid') packed.notes.push([i, facts.reason]);
    else packed.notes.push([i, JSON.stringify(facts.kind === 'checkpoint' ? facts.checkpoint : facts.header)]);
    if (facts.kind === 'checkpoint') {
      if (tree) packed.stacks?.push([i, tree.snapshot()]);
      if (options.keys) {
        const key = options.keys.get(facts.checkpoint.kid);
        packed.signatures?.push([i, key ? (verifyCheckpoint(facts.checkpoint, key) ? 1 : 0) : 2]);
      }
    }
  }
  if (tree) packed.pieces = tree.snapshot();
  packed.hashes = hashes.join('');
  packed.prevs = prevs.join('');
  return packed;
}

/** The facts of line `i` of a packed chunk; undefined for a blank line. */
export function unpackFacts(packed: PackedFacts, i: number, notes: ReadonlyMap<number, string>): LineFacts | undefined {
  switch (packed.kinds[i]) {
    case kindCodes.entry: {
      const facts: LineFacts = {
        kind: 'entry',
        seq: packed.seqs[i] as number,
        hash: packed.hashes.slice(i * 64, i * 64 + 64),
        prev: packed.prevs.slice(i * 64, i * 64 + 64),
        leaf: packed.leaves.subarray(i * 32, i * 32 + 32),
      };
      const note = notes.get(i);
      if (note !== undefined) {
        const odd = JSON.parse(note) as { problem?: string; hash: string; prev: string };
        Object.assign(facts, { hash: odd.hash, prev: odd.prev }, odd.problem !== undefined && { problem: odd.problem });
      }
      return facts;
    }
    case kindCodes.checkpoint:
      return { kind: 'checkpoint', checkpoint: JSON.parse(notes.get(i) as string) as Checkpoint };
    case kindCodes.header:
      return { kind: 'header', header: JSON.parse(notes.get(i) as string) as ExportHeader };
    case kindCodes.invalid:
      return { kind: 'invalid', reason: notes.get(i) as string };
    default:
      return undefined;
  }
}
