import { CountersignError, type ErrorCode, errorCodes } from '@countersign/core';
import { z } from 'zod';

/** The HTTP status of each error code: the only place codes meet HTTP. */
export const statusOf: Record<ErrorCode, number> = {
  unauthenticated: 401,
  forbidden: 403,
  validation_failed: 400,
  not_found: 404,
  conflict: 409,
  self_approval: 403,
  not_eligible: 403,
  already_reviewed: 409,
  not_pending: 409,
  not_approved: 409,
  not_due: 409,
  justification_required: 422,
  grant_invalid: 400,
  grant_expired: 410,
  grant_used: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  policy_invalid: 422,
  canonicalization_failed: 400,
};

export const issueSchema = z.object({ path: z.string(), message: z.string() });

/** An RFC 9457 problem document with Countersign's stable `code`. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]]),
    instance: z.string().optional(),
    issues: z.array(issueSchema).optional(),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof problemSchema>;

export function problemFor(error: CountersignError, instance?: string): Problem {
  const issues = error.details?.issues;
  return {
    type: `urn:countersign:error:${error.code}`,
    title: errorCodes[error.code],
    status: statusOf[error.code],
    detail: error.message,
    code: error.code,
    ...(instance !== undefined && { instance }),
    ...(Array.isArray(issues) && { issues: issues as Problem['issues'] }),
  };
}

/** Turns zod issues into a `validation_failed` error naming each field. */
export function validationError(where: string, error: z.ZodError): CountersignError {
  const issues = error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return new CountersignError('validation_failed', `invalid ${where}: ${summary}`, { issues });
}
