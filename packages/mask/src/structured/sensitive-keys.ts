import { compileColumnPattern } from '../policy/index.js';

/** Key names (lower case, punctuation removed) that hold credentials wherever they appear in them. */
const credentialWords = [
  'password',
  'passwd',
  'passphrase',
  'apikey',
  'privatekey',
  'authorization',
  'cookie',
  'credential',
];
/** Key names that hold credentials when they end with these: `client_secret`, `access_token`, `db_pwd`. */
const credentialEndings = [
  'secret',
  'token',
  'pwd',
  'accesskey',
  'secretkey',
  'signingkey',
  'encryptionkey',
  'auth',
  'sessionid',
  'signature',
];
/** Key names that are credentials only as the whole name (`pinned` is not a PIN). */
const credentialNames = new Set(['pin', 'otp', 'cvv', 'cvv2', 'cvc']);

/**
 * True for a key that names a credential, compared case- and punctuation-insensitively: `password`, `Api-Key`,
 * `client_secret`, `accessToken`, `Set-Cookie`, `authorization`, `pin`. `max_tokens`, `author`, `secretary_name`
 * and `pinned` are not.
 */
export function isCredentialKey(key: string): boolean {
  const name = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (name.length === 0) return false;
  if (credentialNames.has(name)) return true;
  for (const word of credentialWords) if (name.includes(word)) return true;
  for (const ending of credentialEndings) if (name.endsWith(ending)) return true;
  return false;
}

/** Tells whether a field (its key and dotted path) must be redacted whole. */
export type SensitiveKeyTest = (key: string, path: string) => boolean;

/** Credential names always; plus `patterns` (names, globs, dotted paths, as in a policy's `columns[].match`). */
export function sensitiveKeyTest(patterns: readonly string[] = []): SensitiveKeyTest {
  const compiled = patterns.map(compileColumnPattern);
  return (key, path) =>
    isCredentialKey(key) || compiled.some((pattern) => pattern.matchesColumn(key) || pattern.matchesPath(path));
}
