import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../digest/index.js';
import { type Checkpoint, signCheckpoint, verifyCheckpoint } from './checkpoint.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');

const head = {
  seq: 100,
  hash: 'a'.repeat(64),
  root: 'b'.repeat(64),
  ts: '2026-11-22T09:00:00.000Z',
  kid: 'audit-2026-11',
};

describe('signed checkpoints', () => {
  it('sign the JCS of every member but sig with Ed25519, deterministically', () => {
    const checkpoint = signCheckpoint(head, privateKey);
    expect(checkpoint).toEqual({ ...head, sig: expect.stringMatching(/^[A-Za-z0-9_-]{86}$/) });
    expect(signCheckpoint(head, privateKey).sig).toBe(checkpoint.sig);
    // Anyone can check it with standard tools: Ed25519 over the canonical JSON, base64url signature.
    expect(verify(null, Buffer.from(canonicalJson(head)), publicKey, Buffer.from(checkpoint.sig, 'base64url'))).toBe(
      true,
    );
    expect(verifyCheckpoint(checkpoint, other.publicKey)).toBe(false);
  });

  it('verify with the signer’s public key', () => {
    const jwk = publicKey.export({ format: 'jwk' });
    expect(verifyCheckpoint(signCheckpoint(head, privateKey), createPublicKey({ key: jwk, format: 'jwk' }))).toBe(true);
  });

  it.each<[string, (c: Checkpoint) => Checkpoint]>([
    ['a changed seq (a truncated or extended log)', (c) => ({ ...c, seq: c.seq - 1 })],
    ['a changed chain head', (c) => ({ ...c, hash: 'c'.repeat(64) })],
    ['a changed Merkle root', (c) => ({ ...c, root: 'c'.repeat(64) })],
    ['a changed time', (c) => ({ ...c, ts: '2026-11-22T09:00:01.000Z' })],
    ['a changed key id', (c) => ({ ...c, kid: 'other' })],
    ['a flipped signature bit', (c) => ({ ...c, sig: `${c.sig[0] === 'A' ? 'B' : 'A'}${c.sig.slice(1)}` })],
    ['a signature that is not base64url', (c) => ({ ...c, sig: `${c.sig.slice(0, 85)}=` })],
    ['another key’s signature', () => signCheckpoint(head, other.privateKey)],
    ['no signature', (c) => ({ ...c, sig: '' })],
  ])('refuse %s', (_what, tamper) => {
    expect(verifyCheckpoint(tamper(signCheckpoint(head, privateKey)), publicKey)).toBe(false);
  });

  it('sign only the five members, so nothing can ride along under a signature', () => {
    const withExtra = { ...head, note: 'trust me' } as typeof head;
    const signed = signCheckpoint(withExtra, privateKey);
    expect(signed).not.toHaveProperty('note');
    expect(signed.sig).toBe(signCheckpoint(head, privateKey).sig);
  });
});
