/**
 * `npm run bench -- policy [--quick] [--json]`: decisions/s and p50/p99 latency of Countersign's decision engine on
 * a generated 200-rule CEL policy, against Cedar (cedar-wasm) deciding the same rules in the same run.
 *
 * Before anything is timed, every input is decided by both engines and the outcomes (effect and deciding rules)
 * must agree, so the figures compare the same work. Rounds alternate the engines, so drift in machine speed hits
 * both alike. Targets: Countersign p99 under 50 µs, and at least 10× Cedar's throughput.
 */
import { decide } from '../../packages/core/src/index.js';
import { cedarVersion } from './cedar-translation.js';
import { checkEquivalence, type EquivalenceReport } from './equivalence.js';
import { describePolicy, type PolicyShape } from './policy-generator.js';
import { createScenario, defaultSeed } from './scenario.js';
import {
  type DecideAt,
  measureThroughput,
  missingResultCount,
  percentile,
  recordLatencies,
  type ThroughputSample,
  timerOverheadNs,
} from './timing.js';

const runs = {
  full: { inputCount: 2_000, warmupMs: 1_500, rounds: 6, throughputMs: 1_000 },
  quick: { inputCount: 300, warmupMs: 100, rounds: 2, throughputMs: 60 },
} as const;

const targets = { countersignP99Us: 50, throughputRatio: 10 } as const;

type EngineName = 'countersign' | 'cedar';

export interface EngineFigures {
  decisionsPerSecond: number;
  /** Per-round throughput, to show how noisy the machine was. */
  roundDecisionsPerSecond: number[];
  p50Us: number;
  p99Us: number;
  latencySamples: number;
}

export interface PolicyBenchResult {
  bench: 'policy';
  /** False only when the engines disagreed, in which case nothing was timed (and the object is much smaller). */
  ok: true;
  quick: boolean;
  seed: number;
  node: string;
  cedarVersion: string;
  policy: PolicyShape;
  inputs: number;
  equivalence: Omit<EquivalenceReport, 'firstDisagreement'>;
  rounds: number;
  timerOverheadNs: number;
  engines: Record<EngineName, EngineFigures>;
  ratio: { decisionsPerSecond: number; p99: number };
  targets: { countersignP99Under50Us: boolean; throughputAtLeast10xCedar: boolean };
}

export async function main(args: string[]): Promise<void> {
  const unknown = args.filter((arg) => arg !== '--json' && arg !== '--quick');
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown.join(' ')}\nusage: npm run bench -- policy [--quick] [--json]`);
    process.exitCode = 2;
    return;
  }
  const json = args.includes('--json');
  const quick = args.includes('--quick');
  const run = quick ? runs.quick : runs.full;

  const scenario = createScenario({ seed: defaultSeed, inputCount: run.inputCount });
  const { policy, cedar, inputs, cedarRequests, now } = scenario;
  const shape = describePolicy(scenario.generated);

  const equivalence = checkEquivalence({ policy, cedar, inputs, cedarRequests, now });
  if (equivalence.firstDisagreement) {
    const { index, input, countersign, cedar: cedarOutcome } = equivalence.firstDisagreement;
    const report = { index, input, countersign, cedar: cedarOutcome };
    if (json) {
      console.log(
        JSON.stringify({ bench: 'policy', ok: false, equivalence: { ...equivalence, firstDisagreement: report } }),
      );
    } else {
      console.error(
        `equivalence FAILED: ${equivalence.total - equivalence.agreed} of ${equivalence.total} inputs differ; the first is input ${index}:`,
      );
      console.error(JSON.stringify(report, null, 2));
    }
    process.exitCode = 1;
    return;
  }
  if (!json) printPreamble(shape, equivalence, quick);

  const engines: Record<EngineName, DecideAt> = {
    countersign: (i) => decide(policy, inputs[i]!, now),
    cedar: (i) => cedar.authorize(cedarRequests[i]!),
  };
  const names: EngineName[] = ['countersign', 'cedar'];
  for (const name of names) measureThroughput(engines[name], inputs.length, run.warmupMs);

  const throughput: Record<EngineName, ThroughputSample[]> = { countersign: [], cedar: [] };
  const latencies: Record<EngineName, number[]> = { countersign: [], cedar: [] };
  for (let round = 0; round < run.rounds; round++) {
    // Alternate which engine goes first, so neither always runs on a warmer or cooler machine.
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      throughput[name].push(measureThroughput(engines[name], inputs.length, run.throughputMs));
      recordLatencies(engines[name], inputs.length, latencies[name]);
    }
  }
  if (missingResultCount() > 0) throw new Error('an engine returned no result; the timings are meaningless');

  const figures = (name: EngineName): EngineFigures => {
    const samples = throughput[name];
    const decisions = samples.reduce((sum, s) => sum + s.decisions, 0);
    const nanoseconds = samples.reduce((sum, s) => sum + s.nanoseconds, 0);
    const latencySamples = latencies[name].length;
    return {
      decisionsPerSecond: (decisions / nanoseconds) * 1e9,
      roundDecisionsPerSecond: samples.map((s) => (s.decisions / s.nanoseconds) * 1e9),
      p50Us: percentile(latencies[name], 0.5) / 1_000,
      p99Us: percentile(latencies[name], 0.99) / 1_000,
      latencySamples,
    };
  };
  const countersign = figures('countersign');
  const cedarFigures = figures('cedar');
  const ratio = {
    decisionsPerSecond: countersign.decisionsPerSecond / cedarFigures.decisionsPerSecond,
    p99: countersign.p99Us / cedarFigures.p99Us,
  };
  const { firstDisagreement: _none, ...agreement } = equivalence;
  const result: PolicyBenchResult = {
    bench: 'policy',
    ok: true,
    quick,
    seed: defaultSeed,
    node: process.version,
    cedarVersion: cedarVersion(),
    policy: shape,
    inputs: inputs.length,
    equivalence: agreement,
    rounds: run.rounds,
    timerOverheadNs: timerOverheadNs(),
    engines: { countersign, cedar: cedarFigures },
    ratio,
    targets: {
      countersignP99Under50Us: countersign.p99Us < targets.countersignP99Us,
      throughputAtLeast10xCedar: ratio.decisionsPerSecond >= targets.throughputRatio,
    },
  };
  if (json) console.log(JSON.stringify(result, null, 2));
  else printFigures(result);
}

function printPreamble(shape: PolicyShape, equivalence: EquivalenceReport, quick: boolean): void {
  const { mix } = equivalence;
  console.log(
    `policy: ${shape.rules} rules (${shape.withCondition} with a CEL condition; ${shape.effects.deny} deny, ` +
      `${shape.effects.require_approval} require_approval, ${shape.effects.allow} allow), ${shape.verbsNamed} verbs named, ` +
      `${shape.wildcardActionRules} rules with a wildcard or no action; seed ${defaultSeed}${quick ? ' (--quick)' : ''}`,
  );
  console.log(
    `equivalence: ${equivalence.agreed}/${equivalence.total} inputs agree on effect and deciding rules ` +
      `(allow ${mix.allow}, deny ${mix.deny}, require_approval ${mix.require_approval}, default ${mix.default}; ` +
      `${equivalence.rulesDeciding} distinct rules decide at least one)`,
  );
}

function printFigures(result: PolicyBenchResult): void {
  const { engines, ratio } = result;
  const rows: [string, EngineFigures][] = [
    ['countersign', engines.countersign],
    [`cedar ${result.cedarVersion}`, engines.cedar],
  ];
  console.log(`\n${'engine'.padEnd(14)}${'decisions/s'.padStart(13)}${'p50 µs'.padStart(10)}${'p99 µs'.padStart(10)}`);
  for (const [name, figures] of rows) {
    console.log(
      `${name.padEnd(14)}${Math.round(figures.decisionsPerSecond).toLocaleString('en-US').padStart(13)}` +
        `${figures.p50Us.toFixed(2).padStart(10)}${figures.p99Us.toFixed(2).padStart(10)}`,
    );
  }
  console.log(`\ncountersign/cedar: decisions/s ${ratio.decisionsPerSecond.toFixed(1)}×, p99 ${ratio.p99.toFixed(3)}×`);
  const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
  console.log(
    `targets: countersign p99 < ${targets.countersignP99Us} µs: ${verdict(result.targets.countersignP99Under50Us)} ` +
      `(${engines.countersign.p99Us.toFixed(2)} µs); countersign ≥ ${targets.throughputRatio}× cedar decisions/s: ` +
      `${verdict(result.targets.throughputAtLeast10xCedar)} (${ratio.decisionsPerSecond.toFixed(1)}×)`,
  );
  const spread = (figures: EngineFigures) =>
    `${Math.round(Math.min(...figures.roundDecisionsPerSecond)).toLocaleString('en-US')}–` +
    `${Math.round(Math.max(...figures.roundDecisionsPerSecond)).toLocaleString('en-US')}`;
  console.log(
    `(${result.rounds} rounds alternating engines; ${result.inputs} inputs; per-round decisions/s countersign ` +
      `${spread(engines.countersign)}, cedar ${spread(engines.cedar)}; latency is per call with ` +
      `hrtime.bigint, ~${result.timerOverheadNs} ns clock overhead included; Node ${result.node})`,
  );
}
