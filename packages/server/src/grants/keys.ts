import { KeyObject, randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
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
  /** When a newer key took over signing (set by `keys rotate`). */
  retiredAt?: string;
  privateKey: CryptoKey;
  keyObject?: KeyObject;
  publicJwk: JWK;
  /** Where it is kept, when it came from the keys directory. */
  file?: string;
}

/** The file a key is kept in: the private JWK, when it was made (the newest key signs) and when it was retired. */
interface StoredKey {
  createdAt: string;
  retiredAt?: string;
  jwk: JWK;
}

/** A public key with its life: what `/.well-known/countersign-audit-keys.json` lists, forever. */
export interface KeyHistoryEntry {
  kid: string;
  createdAt: string;
  retiredAt?: string;
  jwk: JWK;
}

/**
 * The Ed25519 keys that sign grants, audit checkpoints and exports. The newest key signs. `keys rotate` adds a key
 * and marks the old one retired: a retired key stays in the JWKS while a grant it signed can still be valid, and in
 * the key history (for checkpoints, which never expire) for good — keep its file. Replicas sharing one PostgreSQL
 * must share the keys too (one directory, or the same COUNTERSIGN_SIGNING_KEY).
 */
export class KeyRing {
  #keys: ReadonlyMap<string, SigningKey>;
  #current: SigningKey;
  readonly #dir: string | undefined;
  /** For each retired key, until when a grant it signed can still be valid (ms); refreshed from the store. */
  #grantsValidUntil = new Map<string, number>();
  #grantsCheckedAt = Number.NEGATIVE_INFINITY;

  private constructor(keys: SigningKey[], dir?: string) {
    this.#dir = dir;
    this.#keys = new Map();
    this.#current = this.#install(keys);
  }

  #install(keys: SigningKey[]): SigningKey {
    const sorted = [...keys].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    this.#keys = new Map(sorted.map((key) => [key.kid, key]));
    this.#current = sorted[sorted.length - 1] as SigningKey;
    return this.#current;
  }

  /** Loads every `*.jwk.json` in `dir`, creating the first key (mode 0600) when there is none. */
  static async fromDirectory(dir: string, now: Date): Promise<KeyRing> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    let keys = await readKeyDirectory(dir);
    if (keys.length === 0) {
      await createFirstKey(dir, now);
      keys = await readKeyDirectory(dir);
    }
    return new KeyRing(keys, dir);
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

  /** Whether `rotate` can work: the keys come from a directory it can write a new key to. */
  get rotatable(): boolean {
    return this.#dir !== undefined;
  }

  privateKey(kid: string): CryptoKey | undefined {
    return this.#keys.get(kid)?.privateKey;
  }

  /** The private key `kid` as a node:crypto KeyObject, as core's checkpoint and export signing take it. */
  keyObject(kid: string): KeyObject {
    const key = this.#keys.get(kid);
    if (!key) throw new Error(`the signing key ${kid} is not held here; replicas must share their signing keys`);
    key.keyObject ??= KeyObject.from(key.privateKey as Parameters<typeof KeyObject.from>[0]);
    return key.keyObject;
  }

  /**
   * Makes a new key the signing key and marks the current one retired. The old key keeps verifying (and re-issuing)
   * the grants it signed; it leaves the JWKS once none of them can still be valid. Other replicas pick the new key
   * up with {@link reload}.
   */
  async rotate(now: Date): Promise<{ kid: string; previous: string }> {
    if (!this.#dir) {
      throw new Error(
        'the signing key comes from COUNTERSIGN_SIGNING_KEY: rotate it in your secret manager and restart instead',
      );
    }
    const previous = this.#current;
    const stored = await generateStoredKey(now);
    const created = await importStoredKey(stored);
    const file = join(
      this.#dir,
      `signing-${now.toISOString().replaceAll(/[:.]/g, '')}-${created.kid.slice(0, 8)}.jwk.json`,
    );
    await writeFileAtomically(file, stored);
    if (previous.file) {
      const old = JSON.parse(await readFile(previous.file, 'utf8')) as StoredKey;
      await writeFileAtomically(previous.file, { ...old, retiredAt: now.toISOString() });
    }
    await this.reload();
    return { kid: this.#current.kid, previous: previous.kid };
  }

  /** Re-reads the keys directory (after another replica rotated). */
  async reload(): Promise<void> {
    if (!this.#dir) return;
    const keys = await readKeyDirectory(this.#dir);
    if (keys.length > 0) this.#install(keys);
  }

  /** The retired keys whose grants' validity the store should be asked about. */
  retiredKids(): string[] {
    return [...this.#keys.values()].filter((key) => key.retiredAt !== undefined).map((key) => key.kid);
  }

  /** Whether the retired keys' grant expiries were looked up in the last `maxAgeMs`. */
  grantExpiriesFresh(now: Date, maxAgeMs: number): boolean {
    return now.getTime() - this.#grantsCheckedAt < maxAgeMs;
  }

  /** Records, per retired key, the latest expiry of the grants it signed. */
  setGrantExpiries(validUntil: ReadonlyMap<string, Date>, now: Date): void {
    this.#grantsValidUntil = new Map([...validUntil].map(([kid, at]) => [kid, at.getTime()]));
    this.#grantsCheckedAt = now.getTime();
  }

  /**
   * The public keys that may verify a grant, as served at `/.well-known/jwks.json`: every key still in service,
   * and each retired key for as long as a grant it signed can still be valid.
   */
  jwks(now?: Date): JSONWebKeySet {
    const published = [...this.#keys.values()].filter(
      (key) =>
        key.retiredAt === undefined ||
        now === undefined ||
        (this.#grantsValidUntil.get(key.kid) ?? Number.NEGATIVE_INFINITY) > now.getTime(),
    );
    return { keys: published.map((key) => key.publicJwk) };
  }

  /** Every key this server has signed with and still holds, with when it served: for checking old checkpoints. */
  history(): KeyHistoryEntry[] {
    return [...this.#keys.values()].map((key) => ({
      kid: key.kid,
      createdAt: key.createdAt,
      ...(key.retiredAt !== undefined && { retiredAt: key.retiredAt }),
      jwk: key.publicJwk,
    }));
  }
}

async function readKeyDirectory(dir: string): Promise<SigningKey[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.jwk.json'));
  return Promise.all(
    files.map(async (name) => {
      const path = join(dir, name);
      try {
        return { ...(await importStoredKey(JSON.parse(await readFile(path, 'utf8')) as StoredKey)), file: path };
      } catch (error) {
        throw new Error(`cannot read the signing key ${path}: ${(error as Error).message}`, { cause: error });
      }
    }),
  );
}

/** Writes a key file (0600) whole or not at all: a temporary file renamed into place. */
async function writeFileAtomically(path: string, stored: StoredKey): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await rename(temporary, path);
}

/**
 * Creates the first key so that replicas starting together on one empty directory agree on it: the key is written
 * to a private temporary file, then hard-linked to one fixed name, which fails for all but the first. The losers
 * read the winner's (complete) file.
 */
async function createFirstKey(dir: string, now: Date): Promise<void> {
  const first = join(dir, 'grant-initial.jwk.json');
  const stored = await generateStoredKey(now);
  const temporary = join(dir, `.grant-${randomBytes(8).toString('hex')}.tmp`);
  await writeFile(temporary, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, first);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
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
  return {
    kid,
    createdAt: stored.createdAt,
    ...(stored.retiredAt !== undefined && { retiredAt: stored.retiredAt }),
    privateKey,
    publicJwk: { ...publicPart, kid, alg: 'EdDSA', use: 'sig' },
  };
}
