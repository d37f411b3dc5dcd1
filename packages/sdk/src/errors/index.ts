/** One problem with one input field, as the server reports it under `issues` (code `validation_failed`). */
export interface ApiIssue {
  /** Where the problem is, e.g. `resource.id` (an array of keys and indexes, or a dotted string). */
  readonly path?: string | readonly (string | number)[];
  readonly message: string;
  readonly [key: string]: unknown;
}

/**
 * The server answered with an error: an RFC 9457 problem (`application/problem+json`). Switch on `code`, which
 * never changes meaning (see docs/errors.md); `detail` is for people.
 *
 * Responses that are not problems (a proxy's HTML error page, a route the server does not have) get a code derived
 * from the HTTP status (`unauthenticated`, `forbidden`, `not_found`, `payload_too_large`, `rate_limited`,
 * `unavailable`) or `unexpected_response`.
 */
export class CountersignApiError extends Error {
  /** The HTTP status, e.g. 409. */
  readonly status: number;
  /** The stable error code, e.g. `self_approval`. */
  readonly code: string;
  /** What went wrong, in words. */
  readonly detail: string;
  /** Field-level problems of a `validation_failed` error. */
  readonly issues: readonly ApiIssue[] | undefined;
  /** The problem type URI and title, as sent. */
  readonly type: string | undefined;
  readonly title: string | undefined;
  /** Seconds to wait before retrying (from `Retry-After`), when the server said. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    status: number;
    code: string;
    detail: string;
    issues?: readonly ApiIssue[] | undefined;
    type?: string | undefined;
    title?: string | undefined;
    retryAfterSeconds?: number | undefined;
  }) {
    super(`${init.detail} [${init.code}]`);
    this.name = 'CountersignApiError';
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.issues = init.issues;
    this.type = init.type;
    this.title = init.title;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/**
 * The server could not be reached at all (nothing listens at the URL, DNS failed), or the connection dropped: a
 * response or an event stream broke off, or an event stream went silent.
 */
export class CountersignConnectionError extends Error {
  /** Always `unreachable`, so callers can switch on `code` for both error classes. */
  readonly code = 'unreachable';
  /** The server URL the client was configured with. */
  readonly url: string;

  /** `message` replaces the default "could not reach …" (e.g. for a stream that broke off). */
  constructor(url: string, cause: unknown, message?: string) {
    super(
      message ??
        `could not reach the Countersign server at ${url} (${describeCause(cause)}); is it running? Start one with \`countersign serve\`, or point COUNTERSIGN_URL at yours`,
      { cause },
    );
    this.name = 'CountersignConnectionError';
    this.url = url;
  }
}

/** True when `error` is a {@link CountersignApiError}, optionally with the given code. */
export function isCountersignApiError(error: unknown, code?: string): error is CountersignApiError {
  return error instanceof CountersignApiError && (code === undefined || error.code === code);
}

/** The most telling part of a fetch failure: the socket error's code (`ECONNREFUSED`), else its message. */
export function describeCause(cause: unknown): string {
  // fetch wraps the socket error: TypeError('fetch failed', { cause: Error & { code: 'ECONNREFUSED' } }).
  const inner = cause instanceof Error && cause.cause !== undefined ? cause.cause : cause;
  if (inner && typeof inner === 'object' && 'code' in inner && typeof inner.code === 'string') return inner.code;
  if (inner instanceof Error) return inner.message;
  return String(inner);
}
