import type { BuiltinEntityType, Detector, EntityType, SensitivityLabel } from '../types.js';

/**
 * The sensitivity labels each built-in type carries. IP addresses are `pii` as well as `network`: the GDPR counts
 * them as personal data.
 */
export const builtinLabels: Readonly<Record<BuiltinEntityType, readonly SensitivityLabel[]>> = Object.freeze({
  EMAIL: ['pii', 'contact'],
  PHONE: ['pii', 'contact'],
  US_SSN: ['pii', 'government_id'],
  CREDIT_CARD: ['pii', 'financial'],
  IBAN: ['pii', 'financial'],
  IP_ADDRESS: ['pii', 'network'],
  DATE_OF_BIRTH: ['pii'],
  US_PASSPORT: ['pii', 'government_id'],
  US_DRIVER_LICENSE: ['pii', 'government_id'],
  AWS_ACCESS_KEY: ['secrets'],
  GITHUB_TOKEN: ['secrets'],
  SLACK_TOKEN: ['secrets'],
  STRIPE_KEY: ['secrets'],
  JWT: ['secrets'],
  PRIVATE_KEY: ['secrets'],
  SECRET: ['secrets'],
  PERSON: ['pii'],
});

/**
 * The labels data carries when it holds findings of `types`: sorted, each once. A custom type's labels come from
 * its detector in `detectors` (pass `scanner.detectors`); without it a custom type counts as `pii`, the custom
 * detectors' default.
 *
 * @example labelsOf(['EMAIL', 'CREDIT_CARD']) // ['contact', 'financial', 'pii']
 */
export function labelsOf(types: Iterable<EntityType>, detectors: readonly Detector[] = []): SensitivityLabel[] {
  const labels = new Set<SensitivityLabel>();
  for (const type of types) {
    const own =
      (builtinLabels as Partial<Record<string, readonly SensitivityLabel[]>>)[type] ??
      detectors.find((detector) => detector.type === type)?.labels ??
      (['pii'] as const);
    for (const label of own) labels.add(label);
  }
  return [...labels].sort();
}
