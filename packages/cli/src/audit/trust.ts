import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type Checkpoint, parseWitness, publicKeysByKid } from '@countersign/core';
import { CliError } from '../io.js';

/**
 * Trust anchors for offline verification: `--key` (repeatable: a JWK, a JWKS, a PEM public key or the base64url `x`
 * of an Ed25519 key, inline or in a file) and `--jwks` (a URL, such as the server's
 * `/.well-known/countersign-audit-keys.json`, or a file). Keys without a `kid` get the one the server gives them:
 * their RFC 7638 thumbprint.
 */
export async function trustedKeys(
  keyOptions: readonly string[],
  jwks: string | undefined,
): Promise<Map<string, KeyObject> | undefined> {
  if (keyOptions.length === 0 && jwks === undefined) return undefined;
  const keys = new Map<string, KeyObject>();
  for (const option of keyOptions) {
    for (const [kid, key] of await keysFrom(option)) keys.set(kid, key);
  }
  if (jwks !== undefined) {
    const document = await readJwks(jwks);
    const found = publicKeysByKid(document as { keys?: unknown });
    if (found.size === 0) throw new CliError(`--jwks ${jwks}: holds no Ed25519 key with a kid`);
    for (const [kid, key] of found) keys.set(kid, key);
  }
  return keys;
}

async function keysFrom(option: string): Promise<Map<string, KeyObject>> {
  const text = await contentOf(option);
  const trimmed = text.trim();
  if (/^[A-Za-z0-9_-]{43}$/.test(trimmed)) return withThumbprint({ kty: 'OKP', crv: 'Ed25519', x: trimmed });
  if (trimmed.startsWith('-----BEGIN')) {
    try {
      const key = createPublicKey(trimmed);
      return withThumbprint(key.export({ format: 'jwk' }) as { kty: string; crv: string; x: string });
    } catch (error) {
      throw new CliError(`--key ${option}: not a PEM public key (${(error as Error).message})`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new CliError(
      `--key ${option}: give a JWK or JWKS (JSON), a PEM public key, the base64url x of an Ed25519 key, or a file holding one`,
    );
  }
  const list = Array.isArray((parsed as { keys?: unknown }).keys) ? (parsed as { keys: unknown[] }).keys : [parsed];
  const keys = new Map<string, KeyObject>();
  for (const jwk of list as Array<{ kty?: string; crv?: string; x?: string; kid?: string }>) {
    if (jwk?.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') continue;
    for (const [kid, key] of jwk.kid
      ? publicKeysByKid([jwk])
      : withThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x })) {
      keys.set(kid, key);
    }
  }
  if (keys.size === 0) throw new CliError(`--key ${option}: holds no Ed25519 public key`);
  return keys;
}

/** RFC 7638: the SHA-256 of the required members in lexicographic order, base64url — how the server names keys. */
function withThumbprint(jwk: { kty: string; crv: string; x: string }): Map<string, KeyObject> {
  const kid = createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x }))
    .digest('base64url');
  return publicKeysByKid([{ ...jwk, kid }]);
}

/** A file's text, or the value itself when it is not a readable path (inline JSON or key). */
async function contentOf(value: string): Promise<string> {
  if (value.trim().startsWith('{') || value.trim().startsWith('-----BEGIN') || /^[A-Za-z0-9_-]{43}$/.test(value)) {
    return value;
  }
  try {
    return await readFile(value, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${value}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function readJwks(source: string): Promise<unknown> {
  let text: string;
  if (/^https?:\/\//.test(source)) {
    let response: Response;
    try {
      response = await fetch(source, { signal: AbortSignal.timeout(15_000) });
    } catch (error) {
      throw new CliError(`--jwks ${source}: cannot fetch it (${(error as Error).message})`, 1);
    }
    if (!response.ok) throw new CliError(`--jwks ${source}: answered HTTP ${response.status}`, 1);
    text = await response.text();
  } else {
    text = await contentOf(source);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`--jwks ${source}: not JSON`);
  }
}

/** Every witness file's checkpoints, in order. */
export async function witnessCheckpoints(files: readonly string[]): Promise<Checkpoint[] | undefined> {
  if (files.length === 0) return undefined;
  const checkpoints: Checkpoint[] = [];
  for (const file of files) {
    try {
      checkpoints.push(...parseWitness(await readFile(file, 'utf8')));
    } catch (error) {
      throw new CliError(`--witness ${file}: ${(error as Error).message}`);
    }
  }
  return checkpoints;
}
