/**
 * Countersign's error codes. A code never changes meaning once published: clients, tests and the HTTP edge
 * switch on it, never on message text. Every code is documented in `docs/errors.md` (a test keeps the two in
 * step).
 */
export const errorCodes = {
  unauthenticated: 'The request carries no valid credential.',
  forbidden: 'The caller is authenticated but may not do this.',
  validation_failed: 'The input does not match the schema; `issues` lists each problem and where it is.',
  not_found: 'No such resource, or the caller may not see it.',
  conflict: 'The request clashes with what exists: a taken id, or an idempotency key reused for a different action.',
  self_approval: 'A reviewer tried to review an action they requested, own, or are named `onBehalfOf` for.',
  not_eligible: 'The reviewer is in none of the groups allowed to review this action.',
  already_reviewed: 'The reviewer has already reviewed this action; each reviewer counts once.',
  not_pending: 'The action is no longer pending (it was decided, expired or cancelled).',
  not_approved: 'An outcome was reported for an action that was never approved.',
  not_due: 'A timed transition (expiry, escalation) was asked for before its time.',
  justification_required: 'The matching policy rule requires a justification and none was given.',
  grant_invalid: 'The grant token is malformed, badly signed or not for this audience or action.',
  grant_expired: 'The grant token has expired.',
  grant_used: 'The grant has already been redeemed.',
  payload_too_large: 'The request body is larger than the server accepts.',
  rate_limited: 'Too many requests; retry after the time given.',
  internal: 'An unexpected server error; nothing was changed, and it was logged with the request id.',
  unavailable: 'The server cannot reach its store or is shutting down; nothing was changed.',
  policy_invalid: 'The policy file does not parse, validate or type-check; nothing was loaded.',
  canonicalization_failed: 'A value cannot be canonicalised as RFC 8785 JSON (non-finite number, lone surrogate, …).',
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** The base of every error Countersign raises on purpose. `code` is stable; `message` is for people. */
export class CountersignError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'CountersignError';
    this.code = code;
    this.details = details;
  }
}

/** True when `error` is a {@link CountersignError}, optionally with the given code. */
export function isCountersignError(error: unknown, code?: ErrorCode): error is CountersignError {
  return error instanceof CountersignError && (code === undefined || error.code === code);
}
