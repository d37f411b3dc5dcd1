import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { slackButtons } from './blocks.js';
import { slackSignature } from './signature.js';

/**
 * Test support for the Slack channel: a local Slack Web API (`startFakeSlack`) that the official client is pointed
 * at with `channels.slack.apiUrl`, answering like Slack does and recording every call, with faults on demand; and
 * signed interactivity requests (`signedInteraction`, `sendInteraction`) as Slack sends them to Countersign.
 * Not used by the server itself.
 */

/** One Web API call the fake received, and how it answered. */
export interface SlackApiCall {
  method: string;
  /** The arguments, decoded: JSON-valued form fields (`blocks`, `metadata`, `view`) are parsed. */
  args: Record<string, unknown>;
  /** `ok`, the `error` of an `ok: false` answer, `http 503`, `ratelimited` or `no answer`. */
  answer: string;
}

/** A message as the fake stores it. */
/** A user as `users.info` describes them. */
export interface FakeSlackUser {
  email?: string;
  deleted?: boolean;
  isBot?: boolean;
  /** Their workspace (default ours, `T0COUNTERSIGN`); another is a Slack Connect member of a shared channel. */
  teamId?: string;
  /** A guest (`is_restricted`). */
  guest?: boolean;
  /** `is_stranger`: from an organisation outside ours, seen through Slack Connect. */
  stranger?: boolean;
  /** Whether the profile email was confirmed (default true). */
  emailConfirmed?: boolean;
}

export interface FakeSlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  threadTs?: string;
  /** How many times `chat.update` changed it. */
  updates: number;
}

/**
 * A way for the next matching call to fail: an HTTP error status, a 429 with `Retry-After`, an `ok: false` error,
 * no answer at all (`hang`), or doing what was asked and never answering (`accept-then-hang`: the post happened,
 * the caller cannot know; what a crash or a lost response looks like).
 */
export type SlackFault =
  | { kind: 'http'; status: number }
  | { kind: 'ratelimited'; retryAfterSeconds: number }
  | { kind: 'error'; error: string }
  | { kind: 'hang' }
  | { kind: 'accept-then-hang' };

export interface FakeSlack {
  /** The Web API base URL (`channels.slack.apiUrl`). */
  readonly url: string;
  /** The bot token it accepts; anything else gets `invalid_auth` (change it to revoke the app's token). */
  token: string;
  readonly calls: readonly SlackApiCall[];
  callsTo(method: string): SlackApiCall[];
  /** Messages and thread replies, oldest first (optionally of one channel). */
  messages(channel?: string): FakeSlackMessage[];
  /** The id of `#name` (channels are created on first use). */
  channelId(name: string): string;
  /** A user `users.info` knows: a full member of this workspace unless the profile says otherwise. */
  addUser(id: string, profile: FakeSlackUser): void;
  /** Makes the next `times` calls of `method` (`*`: any) that match `when` fail as `fault`. */
  fail(
    method: string,
    fault: SlackFault,
    options?: { times?: number; when?: (args: Record<string, unknown>) => boolean },
  ): void;
  /** Resolves with the first recorded call of `method` that matches, waiting for it up to `timeoutMs`. */
  waitFor(method: string, when?: (call: SlackApiCall) => boolean, timeoutMs?: number): Promise<SlackApiCall>;
  /** Stops, dropping connections left hanging. */
  close(): Promise<void>;
}

/** Form fields Slack decodes as JSON. */
const jsonFields = new Set(['blocks', 'attachments', 'metadata', 'view', 'unfurls']);

/**
 * Starts a local Slack Web API on a random port. `now` stamps message `ts` (give tests with a test clock its time,
 * so history look-ups by `oldest` see what they would in Slack).
 */
export async function startFakeSlack(options: { token?: string; now?: () => number } = {}): Promise<FakeSlack> {
  const now = options.now ?? Date.now;
  const calls: SlackApiCall[] = [];
  const messages: FakeSlackMessage[] = [];
  const channels = new Map<string, { id: string; name: string }>();
  const users = new Map<string, FakeSlackUser>();
  const faults: Array<{
    method: string;
    fault: SlackFault;
    times: number;
    when?: (args: Record<string, unknown>) => boolean;
  }> = [];
  const hanging = new Set<ServerResponse>();
  const waiters = new Set<() => void>();
  let lastTs = 0;

  const channelByName = (name: string) => {
    const bare = name.replace(/^#/, '');
    let channel = channels.get(bare);
    if (!channel) {
      const id = `C${createHash('sha256').update(bare).digest('hex').slice(0, 9).toUpperCase()}`;
      channel = { id, name: bare };
      channels.set(bare, channel);
    }
    return channel;
  };
  const resolveChannel = (given: unknown): string | undefined => {
    if (typeof given !== 'string' || given === '') return undefined;
    return given.startsWith('#') ? channelByName(given).id : given;
  };
  const nextTs = () => {
    // Slack's ts: seconds and microseconds, unique within a channel.
    lastTs = Math.max(lastTs + 1, now() * 1000);
    return `${Math.floor(lastTs / 1_000_000)}.${String(lastTs % 1_000_000).padStart(6, '0')}`;
  };
  const page = <T>(items: T[], args: Record<string, unknown>, fallback: number) => {
    const limit = Math.max(1, Number(args.limit ?? fallback) || fallback);
    const start =
      typeof args.cursor === 'string' && args.cursor !== '' ? Number(Buffer.from(args.cursor, 'base64').toString()) : 0;
    const slice = items.slice(start, start + limit);
    const more = start + limit < items.length;
    return {
      slice,
      has_more: more,
      response_metadata: { next_cursor: more ? Buffer.from(String(start + limit)).toString('base64') : '' },
    };
  };
  const shown = (message: FakeSlackMessage, withMetadata: boolean) => ({
    type: 'message',
    subtype: 'bot_message',
    bot_id: 'B0COUNTERSIGN',
    ts: message.ts,
    text: message.text,
    blocks: message.blocks,
    ...(message.threadTs !== undefined && { thread_ts: message.threadTs }),
    ...(withMetadata && message.metadata && { metadata: message.metadata }),
  });
  const find = (channel: string | undefined, ts: unknown) =>
    messages.find((message) => message.channel === channel && message.ts === ts);

  /** Does what `method` asks; the answer Slack would give. */
  const perform = (method: string, args: Record<string, unknown>): Record<string, unknown> => {
    switch (method) {
      case 'auth.test':
        return { ok: true, team_id: 'T0COUNTERSIGN', user_id: 'U0BOT', bot_id: 'B0COUNTERSIGN' };
      case 'chat.postMessage': {
        const channel = resolveChannel(args.channel);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const threadTs = typeof args.thread_ts === 'string' ? args.thread_ts : undefined;
        if (threadTs !== undefined && !find(channel, threadTs)) return { ok: false, error: 'thread_not_found' };
        const message: FakeSlackMessage = {
          channel,
          ts: nextTs(),
          text: String(args.text ?? ''),
          blocks: Array.isArray(args.blocks) ? args.blocks : [],
          ...(isMetadata(args.metadata) && { metadata: args.metadata }),
          ...(threadTs !== undefined && { threadTs }),
          updates: 0,
        };
        messages.push(message);
        return { ok: true, channel, ts: message.ts, message: shown(message, false) };
      }
      case 'chat.update': {
        const channel = resolveChannel(args.channel);
        const message = find(channel, args.ts);
        if (!message) return { ok: false, error: 'message_not_found' };
        message.text = String(args.text ?? message.text);
        if (Array.isArray(args.blocks)) message.blocks = args.blocks;
        if (isMetadata(args.metadata)) message.metadata = args.metadata;
        message.updates += 1;
        return { ok: true, channel, ts: message.ts, text: message.text, message: shown(message, false) };
      }
      case 'chat.postEphemeral': {
        if (!resolveChannel(args.channel)) return { ok: false, error: 'channel_not_found' };
        if (typeof args.user !== 'string') return { ok: false, error: 'user_not_in_channel' };
        return { ok: true, message_ts: nextTs() };
      }
      case 'views.open': {
        if (typeof args.trigger_id !== 'string' || args.trigger_id === '')
          return { ok: false, error: 'invalid_arguments' };
        const view = (args.view ?? {}) as Record<string, unknown>;
        return {
          ok: true,
          view: {
            ...view,
            id: `V${randomBytes(5).toString('hex').toUpperCase()}`,
            hash: randomBytes(8).toString('hex'),
            state: { values: {} },
          },
        };
      }
      case 'conversations.history': {
        const channel = resolveChannel(args.channel);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const oldest = Number(args.oldest ?? 0);
        const inChannel = messages
          .filter((m) => m.channel === channel && m.threadTs === undefined && Number(m.ts) > oldest)
          .reverse();
        const { slice, ...more } = page(inChannel, args, 100);
        const metadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
        return { ok: true, messages: slice.map((m) => shown(m, metadata)), ...more };
      }
      case 'conversations.replies': {
        const channel = resolveChannel(args.channel);
        const parent = find(channel, args.ts);
        if (!parent) return { ok: false, error: 'thread_not_found' };
        const thread = [parent, ...messages.filter((m) => m.channel === channel && m.threadTs === parent.ts)];
        const { slice, ...more } = page(thread, args, 100);
        const metadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
        return { ok: true, messages: slice.map((m) => shown(m, metadata)), ...more };
      }
      case 'conversations.list': {
        const { slice, ...more } = page([...channels.values()], args, 100);
        return {
          ok: true,
          channels: slice.map((c) => ({ id: c.id, name: c.name, is_channel: true, is_archived: false })),
          response_metadata: more.response_metadata,
        };
      }
      case 'users.info': {
        const id = String(args.user ?? '');
        const user = users.get(id);
        if (!user) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: {
            id,
            name: id.toLowerCase(),
            team_id: user.teamId ?? 'T0COUNTERSIGN',
            deleted: user.deleted ?? false,
            is_bot: user.isBot ?? false,
            is_restricted: user.guest ?? false,
            is_ultra_restricted: false,
            is_email_confirmed: user.emailConfirmed ?? true,
            ...(user.stranger && { is_stranger: true }),
            profile: { ...(user.email !== undefined && { email: user.email }) },
          },
        };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };

  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const method = decodeURIComponent((request.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '');
    const args = decodeArgs(request.headers['content-type'], await readBody(request));
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? args.token;
    const record = (answer: string) => {
      calls.push({ method, args, answer });
      for (const wake of waiters) wake();
    };
    const send = (status: number, body: Record<string, unknown> | string, headers: Record<string, string> = {}) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      response.end(text);
    };
    const index = faults.findIndex((f) => (f.method === '*' || f.method === method) && (f.when?.(args) ?? true));
    const fault = index >= 0 ? faults[index] : undefined;
    if (fault) {
      fault.times -= 1;
      if (fault.times <= 0) faults.splice(index, 1);
      switch (fault.fault.kind) {
        case 'http':
          record(`http ${fault.fault.status}`);
          return send(fault.fault.status, '<html><body>upstream error</body></html>', { 'content-type': 'text/html' });
        case 'ratelimited':
          record('ratelimited');
          return send(
            429,
            { ok: false, error: 'ratelimited' },
            { 'retry-after': String(fault.fault.retryAfterSeconds) },
          );
        case 'error':
          record(fault.fault.error);
          return send(200, { ok: false, error: fault.fault.error });
        case 'hang':
          record('no answer');
          hanging.add(response);
          return;
        case 'accept-then-hang':
          perform(method, args);
          record('no answer');
          hanging.add(response);
          return;
      }
    }
    if (bearer !== fake.token) {
      record('invalid_auth');
      return send(200, { ok: false, error: bearer === undefined ? 'not_authed' : 'invalid_auth' });
    }
    const answer = perform(method, args);
    record(answer.ok === true ? 'ok' : String(answer.error));
    send(200, answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeSlack = {
    url: `http://127.0.0.1:${port}/api/`,
    token: options.token ?? `xoxb-test-${randomBytes(8).toString('hex')}`,
    calls,
    callsTo: (method) => calls.filter((call) => call.method === method),
    messages: (channel) => messages.filter((message) => channel === undefined || message.channel === channel),
    channelId: (name) => channelByName(name).id,
    addUser(id, profile) {
      users.set(id, profile);
    },
    fail(method, fault, more = {}) {
      faults.push({ method, fault, times: more.times ?? 1, ...(more.when && { when: more.when }) });
    },
    waitFor(method, when = () => true, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = calls.find((call) => call.method === method && when(call));
          if (!found) return false;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`no ${method} call within ${timeoutMs} ms; calls: ${calls.map((c) => c.method).join(', ')}`),
          );
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

function isMetadata(value: unknown): value is FakeSlackMessage['metadata'] & object {
  return (
    typeof value === 'object' && value !== null && typeof (value as { event_type?: unknown }).event_type === 'string'
  );
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The Web API takes form fields (JSON-valued where structured) or a JSON body. */
function decodeArgs(contentType: string | undefined, body: string): Record<string, unknown> {
  if (contentType?.startsWith('application/json')) {
    return body === '' ? {} : (JSON.parse(body) as Record<string, unknown>);
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (jsonFields.has(key)) {
      try {
        args[key] = JSON.parse(value);
        continue;
      } catch {
        // Slack would answer invalid_arguments; keeping the text lets the test see what was sent.
      }
    }
    args[key] = value;
  }
  return args;
}

/** The blocks of a message, as the text of every section, field, header and context, for assertions. */
export function slackMessageText(message: { text?: string; blocks?: unknown }): string {
  const texts: string[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (typeof record.text === 'string') texts.push(record.text);
    for (const [key, value] of Object.entries(record)) if (key !== 'text' || typeof value !== 'string') visit(value);
  };
  visit(message.blocks ?? []);
  return texts.join('\n');
}

/** Slack's signature headers for a request `body` sent at `timestamp` (Unix seconds). */
export function signSlackRequest(signingSecret: string, body: string, timestamp: number): Record<string, string> {
  return {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(signingSecret, String(timestamp), body),
  };
}

/** An interactivity request as Slack sends it: `payload=<JSON>`, form-encoded, signed. */
export interface SignedInteraction {
  body: string;
  headers: Record<string, string>;
}

/** Encodes and signs `payload` (at `timestamp`, Unix seconds; now by default). */
export function signedInteraction(
  signingSecret: string,
  payload: Record<string, unknown>,
  timestamp = Math.floor(Date.now() / 1000),
): SignedInteraction {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...signSlackRequest(signingSecret, body, timestamp),
    },
  };
}

/** POSTs an interaction to Countersign's endpoint; the answer's status, parsed JSON body (if any) and headers. */
export async function sendInteraction(
  serverUrl: string,
  interaction: SignedInteraction,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> | undefined; headers: Headers }> {
  const response = await fetch(`${serverUrl}/v1/channels/slack/interactions`, {
    method: 'POST',
    headers: { ...interaction.headers, ...headers },
    body: interaction.body,
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
    headers: response.headers,
  };
}

/** A `block_actions` payload of a click on a request message's Approve or Reject button. */
export function blockActionsPayload(click: {
  user: string;
  button: 'approve' | 'reject';
  actionId: string;
  channel: string;
  messageTs: string;
  triggerId?: string;
  actionTs?: string;
}): Record<string, unknown> {
  const actionTs = click.actionTs ?? `${Math.floor(Date.now() / 1000)}.${randomBytes(3).readUIntBE(0, 3) % 1_000_000}`;
  return {
    type: 'block_actions',
    team: { id: 'T0COUNTERSIGN', domain: 'countersign-test' },
    user: {
      id: click.user,
      username: click.user.toLowerCase(),
      name: click.user.toLowerCase(),
      team_id: 'T0COUNTERSIGN',
    },
    api_app_id: 'A0COUNTERSIGN',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: click.messageTs, channel_id: click.channel, is_ephemeral: false },
    trigger_id: click.triggerId ?? `${Date.now()}.${randomBytes(6).toString('hex')}`,
    channel: { id: click.channel, name: 'approvals' },
    message: { type: 'message', ts: click.messageTs, bot_id: 'B0COUNTERSIGN' },
    response_url: 'https://hooks.slack.com/actions/T0COUNTERSIGN/1/abc',
    actions: [
      {
        action_id: slackButtons[click.button],
        block_id: 'countersign_decide',
        text: { type: 'plain_text', text: click.button === 'approve' ? 'Approve' : 'Reject…' },
        value: click.actionId,
        type: 'button',
        action_ts: actionTs,
      },
    ],
  };
}

/**
 * A `view_submission` payload of a modal `views.open` opened (the view as the fake answered it), with `values`
 * typed in: `{ blockId: { actionId: text } }`.
 */
export function viewSubmissionPayload(submission: {
  user: string;
  view: Record<string, unknown>;
  values: Record<string, Record<string, string>>;
}): Record<string, unknown> {
  const values = Object.fromEntries(
    Object.entries(submission.values).map(([block, inputs]) => [
      block,
      Object.fromEntries(Object.entries(inputs).map(([id, value]) => [id, { type: 'plain_text_input', value }])),
    ]),
  );
  return {
    type: 'view_submission',
    team: { id: 'T0COUNTERSIGN', domain: 'countersign-test' },
    user: { id: submission.user, username: submission.user.toLowerCase(), team_id: 'T0COUNTERSIGN' },
    api_app_id: 'A0COUNTERSIGN',
    token: 'deprecated-verification-token',
    trigger_id: `${Date.now()}.${randomBytes(6).toString('hex')}`,
    view: { ...submission.view, state: { values } },
    response_urls: [],
  };
}
