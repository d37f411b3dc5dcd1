import type { DecisionInput, JsonObject } from '../../packages/core/src/index.js';
import { SeededRandom } from '../seeded-random.js';
import {
  agentIds,
  agentLabels,
  environments,
  flagParams,
  isNumericParam,
  isStringParam,
  numericParams,
  type ParamKey,
  resourceIdPrefixes,
  resourceLabels,
  resourceNames,
  sensitivities,
  stringParams,
  unknownVerbs,
  verbFamilies,
} from './vocabulary.js';

const allResourceTypes = [...new Set(verbFamilies.flatMap((family) => family.resourceTypes))];
const allParamKeys: readonly ParamKey[] = [
  ...(Object.keys(numericParams) as ParamKey[]),
  ...(Object.keys(stringParams) as ParamKey[]),
  ...flagParams,
];

/**
 * Generates `count` varied actions as agents would submit them: mostly known verbs with their family's
 * parameters (each present in three inputs out of four, so `has(...)` guards matter), some verbs no rule names.
 * Numbers land on and around rule thresholds often, so `>` versus `>=` is exercised, and are always integers.
 */
export function generateInputs({ seed, count }: { seed: number; count: number }): DecisionInput[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, () => generateInput(random));
}

function generateInput(random: SeededRandom): DecisionInput {
  const family = random.pick(verbFamilies);
  const action = random.chance(0.06) ? random.pick(unknownVerbs) : random.pick(family.verbs);
  const environment = random.weighted<string>([
    ['production', 30],
    ...environments.filter((name) => name !== 'production').map((name) => [name, 14] as const),
  ]);
  const resourceId = `${random.chance(0.6) ? random.pick(resourceIdPrefixes) : ''}${random.pick(resourceNames)}${
    random.chance(0.2) ? '-pii' : ''
  }`;
  const labelCount = random.weighted([
    [0, 30],
    [1, 35],
    [2, 25],
    [3, 10],
  ] as const);
  const sensitivity = random.chance(0.3) ? undefined : random.pick(sensitivities);

  const params: JsonObject = {};
  for (const key of family.params) if (random.chance(0.75)) params[key] = paramValue(random, key);
  if (random.chance(0.1)) {
    const stray = random.pick(allParamKeys);
    params[stray] = paramValue(random, stray);
  }

  return {
    action,
    environment,
    resource: {
      type: random.chance(0.9) ? random.pick(family.resourceTypes) : random.pick(allResourceTypes),
      id: resourceId,
      labels: random.sample(resourceLabels, labelCount),
      ...(sensitivity && { sensitivity }),
    },
    params,
    ...(random.chance(0.5) && { justification: 'Quarterly retraining of the churn model' }),
    agent: {
      id: random.pick(agentIds),
      owner: 'dave@example.com',
      labels: random.sample(agentLabels, random.int(0, 2)),
    },
  };
}

function paramValue(random: SeededRandom, key: ParamKey): number | string | boolean {
  if (isNumericParam(key)) {
    const { min, max, thresholds } = numericParams[key];
    if (random.chance(0.5)) {
      // On or next to a threshold a rule compares against.
      return Math.min(max, Math.max(min, random.pick(thresholds) + random.int(-1, 1)));
    }
    // Log-uniform, so small and large values are both common (rows from tens to millions).
    return Math.min(max, min + Math.floor((max - min + 1) ** random.next()) - 1);
  }
  if (isStringParam(key)) return random.pick(stringParams[key].values);
  return random.chance(0.5);
}
