import { type KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson } from '../digest/index.js';

/**
 * A signed checkpoint of the audit log: after entry `seq`, the chain's head `hash` and the RFC 6962 Merkle `root`
 * over entries 1..seq, at `ts`, signed with Ed25519 key `kid` over the JCS of every other member. Checkpoints are
 * written every 100 entries or 60 s — empty intervals included — so a log truncated after a checkpoint is caught.
 */
export interface Checkpoint {
  seq: number;
  hash: string;
  /** Hex Merkle root over the entries 1..seq. */
  root: string;
  ts: string;
  kid: string;
  /** base64url Ed25519 signature over JCS of the checkpoint without `sig`. */
  sig: string;
}

export type UnsignedCheckpoint = Omit<Checkpoint, 'sig'>;

/** Signs a checkpoint with an Ed25519 private key. Ed25519 is deterministic: the same checkpoint, the same `sig`. */
export function signCheckpoint(checkpoint: UnsignedCheckpoint, privateKey: KeyObject): Checkpoint {
  const signature = sign(null, Buffer.from(canonicalJson(unsigned(checkpoint))), privateKey);
  return { ...unsigned(checkpoint), sig: signature.toString('base64url') };
}

/** Whether `checkpoint.sig` is a valid Ed25519 signature by `publicKey` over the rest of the checkpoint. */
export function verifyCheckpoint(checkpoint: Checkpoint, publicKey: KeyObject): boolean {
  if (typeof checkpoint.sig !== 'string' || !/^[A-Za-z0-9_-]{86}$/.test(checkpoint.sig)) return false;
  try {
    return verify(
      null,
      Buffer.from(canonicalJson(unsigned(checkpoint))),
      publicKey,
      Buffer.from(checkpoint.sig, 'base64url'),
    );
  } catch {
    return false;
  }
}

/** Exactly the signed members, so nothing extra can ride along under a signature. */
function unsigned(checkpoint: UnsignedCheckpoint): UnsignedCheckpoint {
  return {
    seq: checkpoint.seq,
    hash: checkpoint.hash,
    root: checkpoint.root,
    ts: checkpoint.ts,
    kid: checkpoint.kid,
  };
}
