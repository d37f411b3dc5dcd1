#!/usr/bin/env node
// The `countersign` command. The TypeScript sources are compiled to dist/ by `npm ci` (the root `prepare` script)
// or `npm run build`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('countersign: not built yet. Run `npm run build` in the repository root, then try again.\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
