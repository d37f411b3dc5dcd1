#!/usr/bin/env node
// Runs before `npm start` and `npm test`: on a fresh clone it installs the locked dependencies (`npm ci`, which also
// builds), so each of those two commands works on its own. With `--build` it also brings the build up to date.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (args) => {
  const result = spawnSync(npm, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

if (!existsSync('node_modules/.package-lock.json')) {
  console.error('countersign: first run — installing dependencies (npm ci) …');
  run(['ci', '--no-audit', '--no-fund']);
} else if (process.argv.includes('--build')) {
  run(['run', '--silent', 'build']);
}
