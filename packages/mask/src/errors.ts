/**
 * The masking toolkit's errors. A code never changes meaning once published: callers and tests switch on `code`,
 * never on message text. Messages say what went wrong and what to do next.
 */
export const maskErrorCodes = {
  mask_policy_invalid: 'The masking policy does not parse or validate; the message names the key and line.',
  mask_detector_invalid: 'A custom detector is malformed or its pattern is unsafe (could backtrack) or invalid.',
  mask_key_missing: 'Tokenisation was asked for but no key was given (neither `key` nor the `key_env` variable).',
  mask_input_invalid: 'The data to mask is malformed (a ragged CSV row, a JSONL line that is not JSON, …).',
  mask_format_unknown: 'The format named is not one the toolkit reads (csv, jsonl, text).',
  mask_core_missing:
    'The compiled detection core (`dist/scan-core.wasm`) is missing or unreadable: run `npm run build`.',
} as const;

export type MaskErrorCode = keyof typeof maskErrorCodes;

/**
 * What a message about a malformed record (`mask_input_invalid`) says to do to skip such records instead, in the
 * library's terms; the `countersign` command puts its own flag in its place.
 */
export const skipInvalidAdvice = "pass onInvalid: 'skip'";

/** Every error the masking toolkit raises on purpose. `code` is stable; `message` is for people. */
export class MaskError extends Error {
  readonly code: MaskErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: MaskErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'MaskError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }
}

/** True when `error` is a {@link MaskError}, optionally with the given code. */
export function isMaskError(error: unknown, code?: MaskErrorCode): error is MaskError {
  return error instanceof MaskError && (code === undefined || error.code === code);
}
