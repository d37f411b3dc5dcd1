import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const structured = pathToFileURL(fileURLToPath(new URL('./index.ts', import.meta.url))).href;

/** Writes about `megabytes` MB of JSONL (a block of varied lines, repeated); returns the number of records. */
async function writeJsonl(path: string, megabytes: number): Promise<number> {
  const lines: string[] = [];
  for (let i = 0; i < 2000; i++) {
    lines.push(
      JSON.stringify({
        id: i,
        user: { name: `Customer ${i}`, email: `user${i}@example.com`, city: 'Zürich' },
        message: `Order ${i} delayed; call +1 415 555 ${String(1000 + i).slice(-4)} or mail user${i}@example.com — thanks 🎉`,
        tags: ['support', i % 2 ? 'billing' : 'shipping'],
        card: i % 10 === 0 ? 4111111111111111 : null,
      }),
    );
  }
  const block = `${lines.join('\n')}\n`;
  const blocks = Math.ceil((megabytes * 1024 * 1024) / Buffer.byteLength(block));
  const out = createWriteStream(path);
  for (let b = 0; b < blocks; b++) if (!out.write(block)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  return blocks * lines.length;
}

describe('maskStream memory', () => {
  it('masks a 150 MB JSONL file disk to disk in a 48 MB heap', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'countersign-mask-memory-'));
    try {
      const input = join(dir, 'in.jsonl');
      const output = join(dir, 'out.jsonl');
      const script = join(dir, 'mask-file.mts');
      const records = await writeJsonl(input, 150);
      expect((await stat(input)).size).toBeGreaterThanOrEqual(150 * 1024 * 1024);
      await writeFile(
        script,
        `import { createReadStream, createWriteStream } from 'node:fs';
import { maskStream } from ${JSON.stringify(structured)};
const report = await maskStream({ format: 'jsonl', input: createReadStream(process.argv[2]), output: createWriteStream(process.argv[3]) });
console.log(JSON.stringify({ records: report.records, bytesOut: report.bytesOut, heapMB: process.memoryUsage().heapUsed / 1048576 }));
`,
      );
      const child = spawn(process.execPath, ['--max-old-space-size=48', '--import', 'tsx', script, input, output], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      const [code] = await once(child, 'exit');
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const report = JSON.parse(stdout.trim()) as { records: number; bytesOut: number };
      expect(report.records).toBe(records);
      expect((await stat(output)).size).toBe(report.bytesOut);
      const file = await open(output);
      const { buffer, bytesRead } = await file.read(Buffer.alloc(2000), 0, 2000, 0);
      await file.close();
      const head = buffer.subarray(0, bytesRead).toString('utf8');
      expect(head).toContain('<EMAIL>');
      expect(head).not.toContain('user0@example.com');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
