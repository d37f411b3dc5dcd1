import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { WebhookEvent } from './channel.js';

/**
 * A local webhook receiver that behaves like a careful real one: it verifies every request with the Standard
 * Webhooks library (`Webhook.verify`: signature and timestamp freshness), refuses a bad one with 401,
 * de-duplicates by `webhook-id`, and records what it accepted, in order. Tests script it to fail.
 */

/** An event the receiver accepted. */
export interface ReceivedWebhook {
  id: string;
  /** `webhook-timestamp`, in seconds. */
  timestamp: number;
  event: WebhookEvent;
  /** The body exactly as it arrived. */
  raw: string;
  headers: IncomingHttpHeaders;
}

/**
 * How the receiver answers its next (verified) request instead of accepting it. `accept: true` records the event
 * first, as a receiver that processed it and then failed would; `hang` never answers.
 */
export type ScriptedAnswer =
  | { status: number; retryAfter?: string; body?: string; location?: string; accept?: boolean }
  | 'hang';

export interface WebhookReceiver {
  url: string;
  /** Accepted events, each `webhook-id` once, in arrival order. */
  readonly events: ReceivedWebhook[];
  /** Every request seen, verified or not, with the status it was answered with (`hang` for none). */
  readonly requests: Array<{ id: string | undefined; status: number | 'hang' }>;
  /** Requests refused with 401, and why. */
  readonly refused: string[];
  /** Verified requests whose `webhook-id` had been accepted before (answered 200, not recorded again). */
  duplicates: number;
  /** Queues answers for the next verified requests, in order. */
  script(...answers: ScriptedAnswer[]): void;
  /** The accepted events of one action. */
  eventsOf(actionId: string): ReceivedWebhook[];
  close(): Promise<void>;
}

/** Starts a receiver on a random local port that verifies requests with `secret`. */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const verifier = new Webhook(secret);
  const seen = new Set<string>();
  const answers: ScriptedAnswer[] = [];
  const hanging = new Set<ServerResponse>();
  const receiver = {
    url: '',
    events: [] as ReceivedWebhook[],
    requests: [] as WebhookReceiver['requests'],
    refused: [] as string[],
    duplicates: 0,
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const id = single(request.headers['webhook-id']);
      const answer = (status: number | 'hang') => receiver.requests.push({ id, status });
      let event: WebhookEvent;
      try {
        event = verifier.verify(raw, flatHeaders(request.headers)) as WebhookEvent;
      } catch (error) {
        receiver.refused.push((error as Error).message);
        answer(401);
        response.writeHead(401, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: 'invalid signature' }));
        return;
      }
      const accept = () => {
        if (id === undefined || seen.has(id)) return false;
        seen.add(id);
        const timestamp = Number(single(request.headers['webhook-timestamp']));
        receiver.events.push({ id, timestamp, event, raw, headers: request.headers });
        return true;
      };
      const scripted = answers.shift();
      if (scripted === 'hang') {
        answer('hang');
        hanging.add(response);
        return;
      }
      if (scripted) {
        if (scripted.accept) accept();
        answer(scripted.status);
        response.writeHead(scripted.status, {
          'content-type': 'text/plain',
          ...(scripted.retryAfter !== undefined && { 'retry-after': scripted.retryAfter }),
          ...(scripted.location !== undefined && { location: scripted.location }),
        });
        response.end(scripted.body ?? '');
        return;
      }
      if (!accept()) receiver.duplicates++;
      answer(200);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/countersign`;

  return Object.assign(receiver, {
    script(...more: ScriptedAnswer[]) {
      answers.push(...more);
    },
    eventsOf(actionId: string) {
      return receiver.events.filter((received) => received.event.data.action.id === actionId);
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const first = single(value);
    if (first !== undefined) flat[name] = first;
  }
  return flat;
}
