import { describe, expect, it } from 'vitest';
import { parseEventStream, type ServerSentEvent } from './event-stream.js';

const encoder = new TextEncoder();

/** Parses `parts` delivered as separate chunks (strings are UTF-8 encoded; byte arrays are sent as they are). */
async function parse(...parts: (string | Uint8Array)[]): Promise<ServerSentEvent[]> {
  async function* chunks() {
    for (const part of parts) yield typeof part === 'string' ? encoder.encode(part) : part;
  }
  const events: ServerSentEvent[] = [];
  for await (const event of parseEventStream(chunks())) events.push(event);
  return events;
}

/** Every way of cutting `text` into two chunks between characters (byte-level cuts are tested separately). */
function splits(text: string): [string, string][] {
  const characters = Array.from(text);
  return characters
    .map((_, i) => [characters.slice(0, i).join(''), characters.slice(i).join('')] as [string, string])
    .concat([[text, '']]);
}

describe('parseEventStream', () => {
  it('reads the events the server sends, skipping keep-alive comments', async () => {
    expect(
      await parse(
        ': keep-alive\n\n',
        'id: 2026-01-31T09:00:00.000Z\nevent: action\ndata: {"status":"pending"}\n\n',
        ': keep-alive\n\n',
        'id: 2026-01-31T09:01:00.000Z\nevent: action\ndata: {"status":"approved"}\n\n',
      ),
    ).toEqual([
      { event: 'action', data: '{"status":"pending"}', id: '2026-01-31T09:00:00.000Z' },
      { event: 'action', data: '{"status":"approved"}', id: '2026-01-31T09:01:00.000Z' },
    ]);
  });

  it('joins multi-line data with \\n, and defaults the type to message', async () => {
    expect(await parse('data: first\ndata: second\ndata\ndata:  indented\n\n')).toEqual([
      { event: 'message', data: 'first\nsecond\n\n indented', id: '' },
    ]);
  });

  it('accepts CRLF, CR and LF line ends, mixed', async () => {
    const expected = [
      { event: 'a', data: 'one', id: '1' },
      { event: 'b', data: 'two', id: '2' },
      { event: 'c', data: 'three', id: '3' },
    ];
    expect(
      await parse(
        'id: 1\r\nevent: a\r\ndata: one\r\n\r\nid: 2\revent: b\rdata: two\r\rid: 3\nevent: c\ndata: three\n\n',
      ),
    ).toEqual(expected);
  });

  it('gives the same events however the stream is cut into chunks (a CRLF or a character split in two)', async () => {
    const text = 'event: action\r\ndata: {"who":"zoë 🙂"}\r\n\r\n: ping\r\rdata: x\r\r';
    const expected = [
      { event: 'action', data: '{"who":"zoë 🙂"}', id: '' },
      { event: 'message', data: 'x', id: '' },
    ];
    for (const [head, tail] of splits(text)) expect(await parse(head, tail), JSON.stringify(head)).toEqual(expected);
    const bytes = encoder.encode(text);
    for (let i = 0; i <= bytes.length; i += 1) {
      expect(await parse(bytes.slice(0, i), bytes.slice(i))).toEqual(expected);
    }
    expect(await parse(...Array.from(bytes, (byte) => Uint8Array.of(byte)))).toEqual(expected);
  });

  it('drops a leading BOM, keeps ids across events, ignores unknown fields and ids with NUL', async () => {
    expect(
      await parse('\uFEFFid: 7\ndata: a\n\nfoo: bar\ndata: b\n\nid: x\0y\nretry: 2500\nretry: soon\ndata: c\n\n'),
    ).toEqual([
      { event: 'message', data: 'a', id: '7' },
      { event: 'message', data: 'b', id: '7' },
      { event: 'message', data: 'c', id: '7', retry: 2500 },
    ]);
  });

  it('takes the field value after the colon without its one leading space, and a line without a colon as a name', async () => {
    expect(await parse('event:action\ndata:{"a": 1}\n\nevent\ndata\n\n')).toEqual([
      { event: 'action', data: '{"a": 1}', id: '' },
      { event: 'message', data: '', id: '' },
    ]);
  });

  it('dispatches nothing for an event without data, and discards an event the stream ends in the middle of', async () => {
    expect(await parse('event: action\n\n', 'data: done\n\n', 'event: action\ndata: cut off')).toEqual([
      { event: 'message', data: 'done', id: '' },
    ]);
    expect(await parse('data: cut off\n')).toEqual([]);
    // A CR ending the last blank line still ends the event when the stream ends right after it.
    expect(await parse('data: last\r\r')).toEqual([{ event: 'message', data: 'last', id: '' }]);
  });
});
