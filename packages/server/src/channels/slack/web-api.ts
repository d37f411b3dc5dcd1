import {
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
} from '@slack/web-api';
import { DeliveryError } from '../index.js';

/**
 * The official Slack Web API client, set up for Countersign: no retries of its own (the outbox retries, with
 * backoff, across restarts), rate limits rejected at once (the outbox waits `Retry-After`), and a timeout.
 */
export function slackClient(config: { botToken: string; apiUrl: string }, timeoutMs: number): WebClient {
  return new WebClient(config.botToken, {
    slackApiUrl: config.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: timeoutMs,
    // The client logs every failed request itself; the outbox and the routes log what matters.
    logLevel: LogLevel.ERROR,
  });
}

/**
 * Slack answers `ok: false` with these when trying again later may work; `fatal_error` and `internal_error` may come
 * after part of the call took effect (Slack says so for `fatal_error`).
 */
const transientErrors = new Set(['ratelimited', 'rate_limited', 'service_unavailable', 'request_timeout']);
const inDoubtErrors = new Set(['internal_error', 'fatal_error']);

/** The `error` of an `ok: false` answer, if `error` is one. */
export function slackErrorCode(error: unknown): string | undefined {
  return error instanceof WebAPIPlatformError ? error.data.error : undefined;
}

/**
 * How a failed Web API call is retried by the outbox. Rate limits wait `Retry-After`; 5xx answers, timeouts and
 * dropped connections are retried and marked in doubt (Slack may have posted); every other `ok: false` answer
 * (`invalid_auth`, `channel_not_found`, `not_in_channel`, `token_revoked`, `invalid_blocks`, …) is Slack refusing
 * a request it understood, which repeating cannot change: dead-lettered at once, to be fixed and retried by an admin.
 */
export function deliveryErrorOf(method: string, error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof WebAPIRateLimitedError) {
    return new DeliveryError(`Slack ${method}: rate limited for ${error.retryAfter} s`, {
      retryAfterMs: error.retryAfter * 1000,
      cause: error,
    });
  }
  if (error instanceof WebAPIPlatformError) {
    const code = error.data.error;
    const retryAfter = error.data.response_metadata?.retryAfter;
    if (transientErrors.has(code) || inDoubtErrors.has(code)) {
      return new DeliveryError(`Slack ${method}: ${code}`, {
        inDoubt: inDoubtErrors.has(code),
        ...(retryAfter !== undefined && { retryAfterMs: retryAfter * 1000 }),
        cause: error,
      });
    }
    return new DeliveryError(`Slack ${method}: ${code}${hintFor(code)}`, { permanent: true, cause: error });
  }
  if (error instanceof WebAPIHTTPError) {
    const retried = error.statusCode >= 500 || error.statusCode === 408;
    return new DeliveryError(`Slack ${method}: HTTP ${error.statusCode} ${error.statusMessage}`.trim(), {
      permanent: !retried,
      inDoubt: retried,
      cause: error,
    });
  }
  if (error instanceof WebAPIRequestError) {
    // A refused connection never reached Slack: nothing can have been posted.
    const refused = causeCode(error.original) === 'ECONNREFUSED';
    return new DeliveryError(`Slack ${method}: ${error.original.message}`, { inDoubt: !refused, cause: error });
  }
  return new DeliveryError(`Slack ${method}: ${(error as Error)?.message ?? String(error)}`, {
    inDoubt: true,
    cause: error,
  });
}

function causeCode(error: Error): string | undefined {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** What an operator should do about the refusals they will meet when setting the app up. */
function hintFor(code: string): string {
  switch (code) {
    case 'invalid_auth':
    case 'not_authed':
    case 'token_revoked':
    case 'token_expired':
    case 'account_inactive':
      return ' (check channels.slack.botToken: the bot token xoxb-… of an installed app)';
    case 'channel_not_found':
      return ' (no such channel, or a private channel the bot was not invited to)';
    case 'not_in_channel':
      return ' (invite the bot to the channel, or give the app the chat:write.public scope)';
    case 'missing_scope':
      return ' (add the scope the app lacks and reinstall it; see docs/channels.md)';
    default:
      return '';
  }
}

/**
 * Runs a Web API call that gives up when `signal` aborts. The client has no per-call signal: the request itself ends
 * at the client's timeout, but the caller does not wait for it. An abort leaves the call in doubt.
 */
export async function withSignal<T>(method: string, call: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw new DeliveryError(`Slack ${method}: aborted before it was sent`);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new DeliveryError(`Slack ${method}: no answer in time`, { inDoubt: true }));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([call, aborted]);
  } catch (error) {
    throw deliveryErrorOf(method, error);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    // The losing call may still fail later; nobody listens to it then.
    call.catch(() => {});
  }
}
