import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

export { canonicalJson } from './canonical-json.js';

/** What an action digest covers: exactly what an approval authorises. */
export interface DigestedFields {
  action: string;
  resource: unknown;
  environment: string;
  params?: Record<string, unknown> | undefined;
}

/**
 * The action digest: `sha256:` and the hex SHA-256 of the RFC 8785 canonical JSON of
 * `{action, resource, environment, params}` (absent `params` counts as `{}`). Grants bind to it, so an executor
 * can check that what it is about to run is what was approved.
 *
 * @example actionDigest({ action: 'data.export', resource: { type: 'dataset', id: 'x' }, environment: 'prod' })
 */
export function actionDigest(fields: DigestedFields): `sha256:${string}` {
  const canonical = canonicalJson({
    action: fields.action,
    resource: fields.resource,
    environment: fields.environment,
    params: fields.params ?? {},
  });
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}
