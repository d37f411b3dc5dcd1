import { describe, expect, it } from 'vitest';
import { actionVerbSchema, reviewInputSchema, submittedActionSchema } from './index.js';

const valid = {
  action: 'data.export',
  resource: { type: 'dataset', id: 'customers', labels: ['pii'] },
  environment: 'production',
};

function issuePaths(input: unknown): string[] {
  const result = submittedActionSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

describe('the submitted action', () => {
  it('fills the defaults that make digests and conditions stable', () => {
    const parsed = submittedActionSchema.parse({ ...valid, resource: { type: 'dataset', id: 'x' } });
    expect(parsed.params).toEqual({});
    expect(parsed.context).toEqual({});
    expect(parsed.resource.labels).toEqual([]);
  });

  it.each([
    ['an unknown top-level key', { ...valid, extra: 1 }, ''],
    ['an unknown resource key', { ...valid, resource: { ...valid.resource, owner: 'x' } }, 'resource'],
    ['a missing resource', { action: 'data.export', environment: 'prod' }, 'resource'],
    ['an empty environment', { ...valid, environment: '' }, 'environment'],
    ['white space in an environment', { ...valid, environment: 'prod eu' }, 'environment'],
    ['a non-finite parameter', { ...valid, params: { rows: Number.POSITIVE_INFINITY } }, 'params.rows'],
    ['a non-JSON parameter', { ...valid, params: { at: new Date() } }, 'params.at'],
    ['too many labels', { ...valid, resource: { ...valid.resource, labels: Array(65).fill('x') } }, 'resource.labels'],
  ])('refuses %s', (_, input, path) => {
    expect(issuePaths(input)).toContain(path);
  });

  it.each(['data.export', 'iam.grant_role', 'service.restart', 'sync.vendor.push', 'a', 'k8s.pod-delete'])(
    'accepts the verb %s',
    (verb) => {
      expect(actionVerbSchema.safeParse(verb).success).toBe(true);
    },
  );

  it.each(['Data.Export', 'data..export', '.data', 'data.', 'data export', '', 'data.*'])(
    'refuses the verb %j',
    (verb) => {
      expect(actionVerbSchema.safeParse(verb).success).toBe(false);
    },
  );

  it('takes a review as {verdict, comment}', () => {
    expect(reviewInputSchema.parse({ verdict: 'approve', comment: 'ok' })).toEqual({
      verdict: 'approve',
      comment: 'ok',
    });
    expect(reviewInputSchema.safeParse({ verdict: 'maybe' }).success).toBe(false);
  });
});
