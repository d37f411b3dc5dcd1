import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { KeyRing } from './keys.js';

const now = new Date('2026-11-22T09:00:00Z');

/** A fresh directory for one test, removed when the test finishes. */
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'countersign-keys-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('grant signing keys', () => {
  it('creates one private key file (0600) on first start and loads it again later', async () => {
    const dir = await tempDir();
    const first = await KeyRing.fromDirectory(dir, now);
    const files = await readdir(dir);
    expect(files).toEqual(['grant-initial.jwk.json']);
    expect((await stat(join(dir, files[0] as string))).mode & 0o777).toBe(0o600);
    const again = await KeyRing.fromDirectory(dir, now);
    expect(again.currentKid).toBe(first.currentKid);
    expect(first.jwks().keys).toEqual([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', kid: first.currentKid })]);
    expect(JSON.stringify(first.jwks())).not.toContain('"d"');
  });

  it('agrees on one key when several replicas start together on an empty directory', async () => {
    const dir = await tempDir();
    const rings = await Promise.all(Array.from({ length: 8 }, () => KeyRing.fromDirectory(dir, now)));
    expect(new Set(rings.map((ring) => ring.currentKid)).size).toBe(1);
    expect(await readdir(dir)).toEqual(['grant-initial.jwk.json']);
  });

  it('signs with the newest key and keeps older keys in the JWKS (rotation)', async () => {
    const dir = await tempDir();
    const old = await KeyRing.fromDirectory(dir, now);
    const other = await tempDir();
    await KeyRing.fromDirectory(other, new Date('2026-12-01T00:00:00Z'));
    const { readFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'grant-2026-12.jwk.json'), await readFile(join(other, 'grant-initial.jwk.json')));
    const rotated = await KeyRing.fromDirectory(dir, now);
    expect(rotated.currentKid).not.toBe(old.currentKid);
    expect(
      rotated
        .jwks()
        .keys.map((key) => key.kid)
        .sort(),
    ).toEqual([old.currentKid, rotated.currentKid].sort());
  });

  it('refuses a key that is not a private Ed25519 JWK, naming the file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'bad.jwk.json'), JSON.stringify({ createdAt: now.toISOString(), jwk: { kty: 'RSA' } }));
    await expect(KeyRing.fromDirectory(dir, now)).rejects.toThrow(/bad\.jwk\.json.*Ed25519/);
    await expect(KeyRing.fromJwk('{not json')).rejects.toThrow(/COUNTERSIGN_SIGNING_KEY/);
  });
});
