import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
} from 'jose';

/** A signing key: its id, private half for signing, and public JWK for the JWKS. */
interface SigningKey {
  kid: string;
  createdAt: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** The file a key is kept in: the private JWK and when it was made (the newest key signs). */
interface StoredKey {
  createdAt: string;
  jwk: JWK;
}

/**
 * The Ed25519 keys that sign grants. The newest key signs; every key stays in the JWKS so grants it signed keep
 * verifying until they expire (rotate by adding a key file; remove an old one once its grants are past expiry).
 * Replicas sharing one PostgreSQL must share the keys too (one directory, or the same COUNTERSIGN_SIGNING_KEY).
 */
export class KeyRing {
  readonly #keys: ReadonlyMap<string, SigningKey>;
  readonly #current: SigningKey;

  private constructor(keys: SigningKey[]) {
    const sorted = [...keys].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    this.#keys = new Map(sorted.map((key) => [key.kid, key]));
    this.#current = sorted[sorted.length - 1] as SigningKey;
  }

  /** Loads every `*.jwk.json` in `dir`, creating the first key (mode 0600) when there is none. Add a key file to rotate. */
  static async fromDirectory(dir: string, now: Date): Promise<KeyRing> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const files = (await readdir(dir)).filter((name) => name.endsWith('.jwk.json'));
    const keys = await Promise.all(
      files.map(async (name) => {
        const path = join(dir, name);
        try {
          return await importStoredKey(JSON.parse(await readFile(path, 'utf8')) as StoredKey);
        } catch (error) {
          throw new Error(`cannot read the signing key ${path}: ${(error as Error).message}`, { cause: error });
        }
      }),
    );
    if (keys.length === 0) keys.push(await createFirstKey(dir, now));
    return new KeyRing(keys);
  }

  /** One key given as a private Ed25519 JWK (JSON), e.g. from a secret manager through an environment variable. */
  static async fromJwk(json: string): Promise<KeyRing> {
    let jwk: JWK;
    try {
      jwk = JSON.parse(json) as JWK;
    } catch {
      throw new Error('COUNTERSIGN_SIGNING_KEY is not JSON: it must be a private Ed25519 JWK');
    }
    return new KeyRing([await importStoredKey({ createdAt: new Date(0).toISOString(), jwk })]);
  }

  /** For tests and one-off tools: a fresh key held only in memory. */
  static async ephemeral(now: Date): Promise<KeyRing> {
    return new KeyRing([await importStoredKey(await generateStoredKey(now))]);
  }

  get currentKid(): string {
    return this.#current.kid;
  }

  privateKey(kid: string): CryptoKey | undefined {
    return this.#keys.get(kid)?.privateKey;
  }

  /** The public keys, as served at `/.well-known/jwks.json`. */
  jwks(): JSONWebKeySet {
    return { keys: [...this.#keys.values()].map((key) => key.publicJwk) };
  }
}

/**
 * Creates the first key so that replicas starting together on one empty directory agree on it: the key is written
 * to a private temporary file, then hard-linked to one fixed name, which fails for all but the first. The losers
 * read the winner's (complete) file.
 */
async function createFirstKey(dir: string, now: Date): Promise<SigningKey> {
  const first = join(dir, 'grant-initial.jwk.json');
  const stored = await generateStoredKey(now);
  const temporary = join(dir, `.grant-${randomBytes(8).toString('hex')}.tmp`);
  await writeFile(temporary, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, first);
    return await importStoredKey(stored);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return importStoredKey(JSON.parse(await readFile(first, 'utf8')) as StoredKey);
  } finally {
    await unlink(temporary).catch(() => {});
  }
}

async function generateStoredKey(now: Date): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return { createdAt: now.toISOString(), jwk: await exportJWK(privateKey) };
}

async function importStoredKey(stored: StoredKey): Promise<SigningKey> {
  const { jwk } = stored;
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string' || typeof jwk.x !== 'string') {
    throw new Error('a grant signing key must be a private Ed25519 JWK (kty OKP, crv Ed25519, with d and x)');
  }
  const publicPart: JWK = { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
  const kid = await calculateJwkThumbprint(publicPart);
  const privateKey = (await importJWK({ ...jwk, alg: 'EdDSA' }, 'EdDSA')) as CryptoKey;
  return { kid, createdAt: stored.createdAt, privateKey, publicJwk: { ...publicPart, kid, alg: 'EdDSA', use: 'sig' } };
}
