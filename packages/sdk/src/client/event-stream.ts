/** One event of a `text/event-stream` (Server-Sent Events). */
export interface ServerSentEvent {
  /** The `event:` field, or `message` when the event had none. */
  readonly event: string;
  /** The `data:` lines, joined with `\n`. */
  readonly data: string;
  /** The last `id:` seen on the stream so far (ids carry over to later events), or `''`. */
  readonly id: string;
  /** The last `retry:` (reconnection delay, ms) seen on the stream so far, if any. */
  readonly retry?: number;
}

const LF = 10;
const CR = 13;

/**
 * Parses a `text/event-stream` body as the HTML standard says ("Interpreting an event stream"): UTF-8 with an
 * optional BOM; lines end in CRLF, LF or CR (also when a CRLF is split across chunks); `:` lines are comments
 * (keep-alives); `data:` lines accumulate; a blank line dispatches the event (none if it had no data); one space
 * after the colon is dropped; unknown fields are ignored. An event not ended by a blank line when the stream ends
 * is discarded.
 */
export async function* parseEventStream(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  let buffer = '';
  let data = '';
  let type = '';
  let id = '';
  let retry: number | undefined;

  /** Interprets one line; returns the event it dispatches, if any. */
  const line = (text: string): ServerSentEvent | undefined => {
    if (text === '') {
      if (data === '') {
        type = '';
        return undefined;
      }
      const event: ServerSentEvent = {
        event: type === '' ? 'message' : type,
        data: data.endsWith('\n') ? data.slice(0, -1) : data,
        id,
        ...(retry !== undefined && { retry }),
      };
      data = '';
      type = '';
      return event;
    }
    if (text.startsWith(':')) return undefined;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        type = value;
        break;
      case 'data':
        data += `${value}\n`;
        break;
      case 'id':
        if (!value.includes('\0')) id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) retry = Number(value);
        break;
      default:
        break;
    }
    return undefined;
  };

  /** The complete lines in `buffer`; a CR at its very end waits for the next chunk unless the stream ended. */
  function* lines(final: boolean): Generator<string> {
    let start = 0;
    for (let i = 0; i < buffer.length; i += 1) {
      const code = buffer.charCodeAt(i);
      if (code !== LF && code !== CR) continue;
      if (code === CR && i + 1 === buffer.length && !final) break;
      yield buffer.slice(start, i);
      if (code === CR && buffer.charCodeAt(i + 1) === LF) i += 1;
      start = i + 1;
    }
    buffer = buffer.slice(start);
  }

  for await (const chunk of chunks) {
    buffer += decoder.decode(chunk, { stream: true });
    for (const text of lines(false)) {
      const event = line(text);
      if (event) yield event;
    }
  }
  buffer += decoder.decode();
  for (const text of lines(true)) {
    const event = line(text);
    if (event) yield event;
  }
}
