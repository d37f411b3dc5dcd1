import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OutputSink } from './stream-io.js';

async function written(pieces: readonly string[], batch?: number): Promise<{ bytes: Buffer; bytesOut: number }> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const sink = new OutputSink(output, batch);
  for (const piece of pieces) {
    sink.push(piece);
    if (sink.due) await sink.flush();
  }
  await sink.close(true);
  return { bytes: Buffer.concat(chunks), bytesOut: sink.bytesOut };
}

describe('OutputSink', () => {
  it('writes the UTF-8 of what was pushed, in order, whatever the characters', async () => {
    const decoded = Buffer.from('{"amount":"£12"}\n{"name":"Zoë"}\n').toString('utf8');
    const pieces = [
      'plain ascii\n',
      decoded.slice(0, 17), // a slice of a two-byte string
      decoded.slice(17),
      'emoji 🔐 and 中文\n',
      'lone surrogates \ud800 and \udfff\n',
      '',
      'x'.repeat(70_000),
      '\n',
    ];
    for (const batch of [undefined, 1, 16]) {
      const { bytes, bytesOut } = await written(pieces, batch);
      const expected = Buffer.from(pieces.join(''), 'utf8');
      expect(bytes.equals(expected)).toBe(true);
      expect(bytesOut).toBe(expected.byteLength);
    }
  });

  it('writes what fills several buffers before a flush as one write, in order', async () => {
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk));
    const sink = new OutputSink(output, 1000);
    // Each line's room (three bytes a unit) overflows the buffer left, so each starts a new one.
    const lines = ['é'.repeat(400), 'a'.repeat(500), Buffer.from('中'.repeat(300)), ['b'.repeat(10), '🔐']];
    for (const line of lines) sink.pushLine(line);
    await sink.flush();
    expect(chunks).toHaveLength(1);
    sink.pushLine('after');
    await sink.close(true);
    const text = (line: (typeof lines)[number]) => (Array.isArray(line) ? line.join('') : line.toString());
    expect(Buffer.concat(chunks).toString()).toBe(`${lines.map(text).join('\n')}\nafter\n`);
  });

  it('writes lines given as text, as pieces of text or as bytes, each followed by a line end, in order', async () => {
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk));
    const sink = new OutputSink(output, 8);
    const lines = [
      '{"a":"Zoë"}',
      Buffer.from('{"b":"中文 🔐"}'),
      ['{"c":', '"£1', '2 🔐"', '}'],
      '',
      [],
      Buffer.alloc(0),
      'x'.repeat(100),
    ];
    for (const line of lines) {
      sink.pushLine(line);
      sink.push('');
      if (sink.due) await sink.flush();
    }
    await sink.close(true);
    const text = (line: (typeof lines)[number]) => (Array.isArray(line) ? line.join('') : line.toString());
    const expected = Buffer.from(`${lines.map(text).join('\n')}\n`);
    expect(Buffer.concat(chunks).equals(expected)).toBe(true);
    expect(sink.bytesOut).toBe(expected.byteLength);
  });
});
