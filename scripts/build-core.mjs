#!/usr/bin/env node
// Compiles the masking toolkit's detection core (packages/mask/assembly, AssemblyScript: every .ts file directly in it is an
// entry of the one module) to packages/mask/dist/scan-core.wasm, unless the .wasm is already newer than every source
// it is built from.
// Part of `npm run build`; `--force` rebuilds regardless.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../packages/mask/', import.meta.url).pathname;
const config = join(root, 'asconfig.json');
const output = join(root, 'dist/scan-core.wasm');
const assembly = join(root, 'assembly');
const entries = readdirSync(assembly)
  .filter((name) => name.endsWith('.ts'))
  .sort()
  .map((name) => join(assembly, name));
// Entries import what they share from folders below (`assembly/shared`): those files are sources too.
const sources = [config, ...readdirSync(assembly, { recursive: true }).map((name) => join(assembly, String(name)))];

const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const built = mtime(output);
if (!process.argv.includes('--force') && built > 0 && sources.every((source) => mtime(source) < built)) process.exit(0);

mkdirSync(join(root, 'dist'), { recursive: true });
const { default: asc } = await import('assemblyscript/asc');
const { error } = await asc.main([...entries, '--config', config], { stdout: process.stdout, stderr: process.stderr });
if (error) {
  console.error(`countersign: compiling the masking core failed: ${error.message}`);
  process.exit(1);
}
