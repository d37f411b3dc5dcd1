import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Effect } from '../schemas/index.js';
import {
  type DecisionInput,
  decide,
  explain,
  formatPolicyIssue,
  loadPolicy,
  type Policy,
  PolicyError,
  type PolicyIssue,
  runPolicyTests,
} from './index.js';

const examplePath = new URL('../../../../examples/policy.yaml', import.meta.url);
const exampleText = readFileSync(examplePath, 'utf8');

const agent = { id: 'etl', owner: 'dave@example.com' };
const header = `version: 1
defaults:
  decision: require_approval
  approval: { approvers: [ops], quorum: 1, timeout: 1h, grantTtl: 5m }
groups:
  ops: [olga@example.com]
  stewards: [sam@example.com, sue@example.com]
  security: [sec@example.com]
`;

function policyOf(rules: string, extra = ''): Policy {
  return loadPolicy(`${header}rules:\n${rules}${extra}`, { file: 'p.yaml' });
}

function input(overrides: Partial<DecisionInput> = {}): DecisionInput {
  return {
    action: 'data.export',
    resource: { type: 'dataset', id: 'customers', labels: [] },
    environment: 'production',
    params: {},
    context: {},
    agent,
    ...overrides,
  };
}

/** The issues a policy text is refused with (fails the test if it loads). */
function issuesOf(text: string): PolicyIssue[] {
  try {
    loadPolicy(text, { file: 'p.yaml' });
  } catch (error) {
    if (error instanceof PolicyError) {
      expect(error.code).toBe('policy_invalid');
      return [...error.issues];
    }
    throw error;
  }
  throw new Error('expected the policy to be refused');
}

function errorsOf(text: string): string[] {
  return issuesOf(text)
    .filter((issue) => issue.severity === 'error')
    .map(formatPolicyIssue);
}

describe('the example policy', () => {
  const policy = loadPolicy(exampleText, { file: 'examples/policy.yaml' });

  it('loads without warnings and passes its own tests', () => {
    expect(policy.warnings).toEqual([]);
    expect(policy.tests.length).toBeGreaterThanOrEqual(20);
    const failures = runPolicyTests(policy).filter((result) => !result.passed);
    expect(failures).toEqual([]);
  });

  it('records the SHA-256 of its text as the policy version', () => {
    const expected = `sha256:${createHash('sha256').update(exampleText).digest('hex')}`;
    expect(policy.version).toBe(expected);
    expect(decide(policy, input()).policyVersion).toBe(expected);
  });

  it('gives a large production PII export two requirements with their own quorums', () => {
    const decision = decide(
      policy,
      input({
        resource: { type: 'dataset', id: 'customers', labels: ['pii'] },
        params: { rows: 250000, destination: 's3://acme-exports/x' },
      }),
    );
    expect(decision.effect).toBe('require_approval');
    expect(decision.requirements).toEqual([
      { rule: 'pii-export', groups: ['data-stewards'], quorum: 2, escalate: { afterMs: 600_000, to: ['security'] } },
      { rule: 'prod-export', groups: ['platform-oncall'], quorum: 1 },
    ]);
    expect(decision.timeoutMs).toBe(30 * 60_000);
    expect(decision.grantTtlMs).toBe(5 * 60_000);
    expect(decision.requireJustification).toBe(true);
    expect(decision.notify).toEqual([
      'slack:#data-approvals',
      'teams:data-stewards',
      'webhook:siem',
      'slack:#platform-approvals',
    ]);
  });
});

describe('combining', () => {
  const policy = policyOf(`
  - id: allow-all-exports
    match: { action: data.export }
    decision: allow
  - id: review-prod
    match: { action: data.export, environment: production }
    decision: require_approval
    approval: { approvers: [stewards], quorum: 2, timeout: 30m, grantTtl: 10m, notify: ["slack:#a"] }
  - id: review-pii
    match: { action: data.export }
    when: '"pii" in resource.labels'
    decision: require_approval
    reason: PII leaves only with a steward's say-so
    approval: { approvers: [security], timeout: 2h, grantTtl: 2m, notify: ["slack:#a", "webhook:siem"], requireJustification: true }
  - id: deny-secret
    match: { action: data.export }
    when: 'resource.sensitivity == "secret"'
    decision: deny
    reason: Secret data never leaves
`);

  it.each<[string, Partial<DecisionInput>, Effect, string[]]>([
    ['allow when only an allow rule matches', { environment: 'staging' }, 'allow', ['allow-all-exports']],
    ['require_approval beats allow', {}, 'require_approval', ['review-prod']],
    [
      'every matching require_approval rule adds its requirement',
      { resource: { type: 'dataset', id: 'c', labels: ['pii'] } },
      'require_approval',
      ['review-prod', 'review-pii'],
    ],
    [
      'deny beats everything',
      { resource: { type: 'dataset', id: 'c', labels: ['pii'], sensitivity: 'secret' } },
      'deny',
      ['deny-secret'],
    ],
    ['the default applies when nothing matches', { action: 'data.read' }, 'require_approval', []],
  ])('%s', (_, overrides, effect, rules) => {
    const decision = decide(policy, input(overrides));
    expect(decision.effect).toBe(effect);
    expect(decision.rules).toEqual(rules);
  });

  it('takes the shortest timeout and grant TTL, any justification demand, and every notify target once', () => {
    const decision = decide(policy, input({ resource: { type: 'dataset', id: 'c', labels: ['pii'] } }));
    expect(decision.timeoutMs).toBe(30 * 60_000);
    expect(decision.grantTtlMs).toBe(2 * 60_000);
    expect(decision.requireJustification).toBe(true);
    expect(decision.notify).toEqual(['slack:#a', 'webhook:siem']);
    expect(decision.requirements.map((r) => [r.rule, r.groups, r.quorum])).toEqual([
      ['review-prod', ['stewards'], 2],
      ['review-pii', ['security'], 1],
    ]);
  });

  it('carries the rule reason, or says which rules decided', () => {
    const denied = decide(policy, input({ resource: { type: 'dataset', id: 'c', labels: [], sensitivity: 'secret' } }));
    expect(denied.reason).toBe('Secret data never leaves');
    expect(denied.requirements).toEqual([]);
    expect(denied.notify).toEqual([]);
    expect(decide(policy, input({ environment: 'dev' })).reason).toBe('allowed by rule allow-all-exports');
    expect(decide(policy, input()).reason).toBe('approval required by rule review-prod');
  });

  it('gives the default decision its own requirement from defaults.approval', () => {
    const decision = decide(policy, input({ action: 'cluster.create' }));
    expect(decision.requirements).toEqual([{ rule: 'default', groups: ['ops'], quorum: 1 }]);
    expect(decision.reason).toMatch(/default/);
  });

  it('honours defaults.decision', () => {
    const text = `version: 1\ndefaults: { decision: deny }\nrules: []\n`;
    const decision = decide(loadPolicy(text), input());
    expect(decision.effect).toBe('deny');
    expect(decision.requirements).toEqual([]);
  });

  it('uses an allow rule grantTtl for the grant', () => {
    const allowed = policyOf(`
  - id: quick
    match: { action: data.export }
    decision: allow
    approval: { grantTtl: 30s }
`);
    expect(decide(allowed, input()).grantTtlMs).toBe(30_000);
  });
});

describe('conditions that raise errors fail closed', () => {
  const policy = policyOf(`
  - id: allow-small
    match: { action: data.export }
    when: params.rows < 1000
    decision: allow
  - id: deny-huge
    match: { action: data.delete }
    when: params.rows > 1000000
    decision: deny
  - id: review-big
    match: { action: data.copy }
    when: params.rows > 1000
    decision: require_approval
  - id: allow-copies
    match: { action: data.copy }
    decision: allow
`);

  it('does not match an allow rule whose condition raised', () => {
    const decision = decide(policy, input({ params: {} }));
    expect(decision.effect).toBe('require_approval');
    expect(decision.rules).toEqual([]);
  });

  it('matches a deny rule whose condition raised', () => {
    expect(decide(policy, input({ action: 'data.delete', params: {} })).effect).toBe('deny');
  });

  it('matches a require_approval rule whose condition raised', () => {
    const decision = decide(policy, input({ action: 'data.copy', params: { rows: 'many' } }));
    expect(decision.effect).toBe('require_approval');
    expect(decision.rules).toEqual(['review-big']);
  });

  it('explains the error and the fail-closed reading', () => {
    const explanation = explain(policy, input({ action: 'data.delete', params: {} }));
    const rule = explanation.considered.find((r) => r.rule === 'deny-huge');
    expect(rule).toMatchObject({ matched: true, error: expect.stringMatching(/rows/) });
    expect(rule?.why).toMatch(/fails closed/);
  });

  it('evaluates against the decision time as now', () => {
    const timed = policyOf(`
  - id: office-hours
    match: { action: service.restart }
    when: now.getHours("UTC") >= 9 && now.getHours("UTC") < 17
    decision: allow
`);
    const restart = input({ action: 'service.restart' });
    expect(decide(timed, restart, new Date('2026-01-05T10:00:00Z')).effect).toBe('allow');
    expect(decide(timed, restart, new Date('2026-01-05T22:00:00Z')).effect).toBe('require_approval');
  });
});

describe('matching', () => {
  const policy = policyOf(`
  - id: any-data
    match: { action: "data.*" }
    decision: allow
  - id: prod-like
    match: { action: "*", environment: "prod*" }
    decision: require_approval
  - id: listed
    match: { action: [svc.restart, svc.stop], environment: [dev, staging] }
    decision: allow
  - id: typed
    match: { action: model.deploy, resource: { type: model, id: "churn-*" } }
    decision: deny
  - id: middle
    match: { action: "sync.*.push" }
    decision: deny
`);

  it.each<[string, Partial<DecisionInput>, string[]]>([
    ['a prefix glob', { action: 'data.export', environment: 'dev' }, ['any-data']],
    ['a glob crossing dots', { action: 'data.export.raw', environment: 'dev' }, ['any-data']],
    ['no match for another prefix', { action: 'database.drop', environment: 'dev' }, []],
    ['an environment glob', { action: 'iam.grant', environment: 'production' }, ['prod-like']],
    ['an environment glob (exact stem)', { action: 'iam.grant', environment: 'prod' }, ['prod-like']],
    ['a list of verbs', { action: 'svc.stop', environment: 'staging' }, ['listed']],
    ['a list of environments', { action: 'svc.stop', environment: 'qa' }, []],
    [
      'resource type and id',
      { action: 'model.deploy', environment: 'dev', resource: { type: 'model', id: 'churn-v2', labels: [] } },
      ['typed'],
    ],
    [
      'resource id mismatch',
      { action: 'model.deploy', environment: 'dev', resource: { type: 'model', id: 'fraud-v2', labels: [] } },
      [],
    ],
    ['a glob in the middle', { action: 'sync.vendor.push', environment: 'dev' }, ['middle']],
  ])('%s', (_, overrides, rules) => {
    const considered = explain(policy, input(overrides))
      .considered.filter((r) => r.matched)
      .map((r) => r.rule);
    expect(considered).toEqual(rules);
    const decision = decide(policy, input(overrides));
    const explained = explain(policy, input(overrides)).decision;
    expect(decision).toEqual(explained);
  });

  it('treats regex characters in patterns literally', () => {
    const literal = policyOf(`
  - id: dotted
    match: { action: "a.b" }
    decision: deny
`);
    expect(decide(literal, input({ action: 'a.b' })).effect).toBe('deny');
    expect(decide(literal, input({ action: 'axb' })).effect).toBe('require_approval');
  });
});

describe('loading refuses bad policies at file:line:column', () => {
  const rule = (body: string) => `${header}rules:\n  - id: r\n${body}`;

  it('reports a YAML syntax error', () => {
    expect(errorsOf('version: 1\nrules:\n  - id: a\n    match: {action: [x, y}\n')[0]).toMatch(
      /^p\.yaml:4:\d+: error: YAML:/,
    );
  });

  it('reports duplicate keys', () => {
    expect(errorsOf('version: 1\nversion: 1\n')[0]).toMatch(/^p\.yaml:2:1: error: YAML: .*[Uu]nique|duplicate/i);
  });

  it('points at an unknown CEL variable inside the condition', () => {
    const errors = errorsOf(
      rule(`    match: { action: x }\n    when: 'params.rows > 10 && reource.type == "x"'\n    decision: deny\n`),
    );
    // The condition starts at column 12 (after the quote); `reource` is 20 characters in.
    expect(errors).toEqual([expect.stringMatching(/^p\.yaml:12:32: error: CEL: Unknown variable: reource/)]);
  });

  it('points into a block scalar condition', () => {
    const errors = errorsOf(
      rule(`    when: |\n      resource.type == "a" &&\n        nosuch.field\n    decision: deny\n`),
    );
    expect(errors).toEqual([expect.stringMatching(/^p\.yaml:13:9: error: CEL: Unknown variable: nosuch/)]);
  });

  it('refuses an unknown field of a declared variable', () => {
    expect(errorsOf(rule(`    when: resource.labls.size() > 0\n    decision: deny\n`))).toEqual([
      expect.stringMatching(/^p\.yaml:11:\d+: error: CEL: No such key: labls/),
    ]);
  });

  it('refuses a non-boolean condition', () => {
    expect(errorsOf(rule(`    when: size(resource.labels)\n    decision: deny\n`))).toEqual([
      expect.stringMatching(/^p\.yaml:11:11: error: CEL: a when condition must be a bool, but this one is int/),
    ]);
    expect(errorsOf(rule(`    when: params.flag\n    decision: deny\n`))[0]).toMatch(
      /must be a bool, but this one is dyn/,
    );
  });

  it('refuses a CEL syntax error', () => {
    expect(errorsOf(rule(`    when: 'action == '\n    decision: deny\n`))[0]).toMatch(/^p\.yaml:11:\d+: error: CEL:/);
  });

  it('reports an unknown key at the key', () => {
    const errors = errorsOf(rule(`    match: { action: x, environmnt: prod }\n    decision: deny\n`));
    expect(errors).toEqual(['p.yaml:11:25: error: unknown key "environmnt"']);
  });

  it('reports schema, duration and CEL problems in one run, in file order', () => {
    const errors = errorsOf(`${header}rules:
  - id: a
    when: nope == 1
    decision: maybe
  - id: b
    decision: require_approval
    approval: { timeout: 5x }
`);
    expect(errors).toEqual([
      expect.stringMatching(/^p\.yaml:11:11: error: CEL: Unknown variable: nope/),
      expect.stringMatching(/^p\.yaml:12:15: error: rules\.0\.decision: /),
      expect.stringMatching(/^p\.yaml:15:26: error: rules\.1\.approval\.timeout: expected a duration/),
    ]);
  });

  it.each([
    ['a wrong version', 'version: 2\n', /^p\.yaml:1:10: error: version: version must be 1/],
    ['a missing version', 'rules: []\n', /^p\.yaml:1:1: error: version: /],
    [
      'a duplicate rule id',
      `${header}rules:\n  - { id: a, decision: allow }\n  - { id: a, decision: deny }\n`,
      /^p\.yaml:11:11: error: rule id "a" is already used/,
    ],
    ['the reserved id default', `${header}rules:\n  - { id: default, decision: allow }\n`, /reserved/],
    [
      'approval settings on a deny rule',
      rule(`    decision: deny\n    approval: { quorum: 2 }\n`),
      /a deny rule takes no approval settings/,
    ],
    [
      'a quorum on an allow rule',
      rule(`    decision: allow\n    approval: { quorum: 2 }\n`),
      /an allow rule takes only approval.grantTtl, not quorum/,
    ],
    ['a zero quorum', rule(`    decision: require_approval\n    approval: { quorum: 0 }\n`), /quorum is at least 1/],
    [
      'a bad notify target',
      rule(`    decision: require_approval\n    approval: { notify: ["email:x"] }\n`),
      /notify target/,
    ],
    [
      'an escalation that can never happen',
      rule(
        `    decision: require_approval\n    approval: { timeout: 10m, escalate: { after: 10m, to: [security] } }\n`,
      ),
      /would never happen/,
    ],
    [
      'an unknown test rule',
      `${header}rules: []\ntests:\n  - name: t\n    input: { action: a, resource: { type: t, id: i }, environment: e }\n    expect: { decision: allow, rules: [ghost] }\n`,
      /no rule has id "ghost"/,
    ],
    [
      'a malformed test input',
      `${header}rules: []\ntests:\n  - name: t\n    input: { action: a, environment: e }\n    expect: { decision: allow }\n`,
      /tests\.0\.input\.resource/,
    ],
  ])('refuses %s', (_, text, pattern) => {
    expect(errorsOf(text)[0]).toMatch(pattern);
  });

  it('refuses a default escalation that comes after the default timeout', () => {
    const text =
      'version: 1\ndefaults:\n  approval: { approvers: [ops], timeout: 10m, escalate: { after: 1h, to: [sec] } }\n';
    expect(errorsOf(text)).toEqual([
      expect.stringMatching(/^p\.yaml:3:\d+: error: escalation after 1h would never happen/),
    ]);
  });

  it('refuses a require_approval rule with no approvers anywhere', () => {
    const errors = errorsOf(
      'version: 1\ndefaults: { decision: deny }\nrules:\n  - { id: r, decision: require_approval }\n',
    );
    expect(errors[0]).toMatch(/^p\.yaml:4:5: error: rule r requires approval but names no approvers/);
  });

  it('refuses a default require_approval without default approvers', () => {
    expect(errorsOf('version: 1\nrules: []\n')[0]).toMatch(/defaults\.approval\.approvers must name who approves/);
  });

  it('warns, without refusing, about groups with no static members and unreachable quorums', () => {
    const policy = policyOf(`
  - id: r
    decision: require_approval
    approval: { approvers: [idp-only] }
  - id: q
    decision: require_approval
    approval: { approvers: [security], quorum: 2 }
`);
    expect(policy.warnings.map(formatPolicyIssue)).toEqual([
      expect.stringMatching(/^p\.yaml:13:29: warning: group "idp-only" has no static members/),
      expect.stringMatching(/^p\.yaml:16:\d+: warning: quorum 2 but groups security list only 1 distinct member/),
    ]);
  });
});

describe('policy tests', () => {
  it('reports each failing expectation with its location', () => {
    const policy = policyOf(
      `
  - id: a
    match: { action: data.export }
    decision: allow
`,
      `tests:
  - name: wrong
    input: { action: data.export, resource: { type: dataset, id: x }, environment: dev }
    expect:
      decision: deny
      rules: [a]
      reason: nope
      requirements: [{ rule: default, quorum: 3 }]
`,
    );
    const [result] = runPolicyTests(policy);
    expect(result).toMatchObject({ name: 'wrong', passed: false, file: 'p.yaml', line: 15, column: 5 });
    expect(result?.failures).toEqual([
      'expected decision deny, got allow (allowed by rule a)',
      'expected reason "nope", got "allowed by rule a"',
      'expected requirements from [default], got []',
    ]);
  });
});

describe('decide and explain always agree (property)', () => {
  const effects: Effect[] = ['allow', 'deny', 'require_approval'];
  const conditions = [
    undefined,
    'true',
    'false',
    'params.n > 5',
    '"pii" in resource.labels',
    'params.missing == 1',
    'environment.startsWith("prod")',
  ];
  const verbs = ['a.x', 'a.y', 'b.x'];
  const patterns = ['a.x', 'a.*', '*', 'b.x', '[a.x, b.x]'];

  const ruleArb = fc.record({
    effect: fc.constantFrom(...effects),
    action: fc.option(fc.constantFrom(...patterns), { nil: undefined }),
    environment: fc.option(fc.constantFrom('prod', 'dev', 'prod*', '[dev, staging]'), { nil: undefined }),
    when: fc.constantFrom(...conditions),
  });
  const inputArb = fc.record({
    action: fc.constantFrom(...verbs),
    environment: fc.constantFrom('prod', 'production', 'dev', 'staging'),
    n: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
    pii: fc.boolean(),
  });

  it('for random policies and inputs, and both follow the combining rules', () => {
    fc.assert(
      fc.property(
        fc.array(ruleArb, { maxLength: 12 }),
        fc.array(inputArb, { minLength: 1, maxLength: 6 }),
        (rules, inputs) => {
          const text = `${header}rules:${rules.length === 0 ? ' []' : ''}\n${rules
            .map((r, i) => {
              const match = [
                r.action && `action: ${quoteList(r.action)}`,
                r.environment && `environment: ${quoteList(r.environment)}`,
              ]
                .filter(Boolean)
                .join(', ');
              return `  - id: r${i}\n    match: { ${match} }\n${r.when ? `    when: '${r.when}'\n` : ''}    decision: ${r.effect}\n`;
            })
            .join('')}`;
          const policy = loadPolicy(text);
          for (const raw of inputs) {
            const action = input({
              action: raw.action,
              environment: raw.environment,
              params: raw.n === undefined ? {} : { n: raw.n },
              resource: { type: 'dataset', id: 'x', labels: raw.pii ? ['pii'] : [] },
            });
            const decision = decide(policy, action);
            const { decision: explained, considered } = explain(policy, action);
            expect(decision).toEqual(explained);
            // Reference combiner over explain's per-rule verdicts.
            const matched = (effect: Effect) =>
              considered.filter((r) => r.matched && r.effect === effect).map((r) => r.rule);
            const expected = matched('deny').length
              ? ['deny', matched('deny')]
              : matched('require_approval').length
                ? ['require_approval', matched('require_approval')]
                : matched('allow').length
                  ? ['allow', matched('allow')]
                  : ['require_approval', []];
            expect([decision.effect, decision.rules]).toEqual(expected);
            // Fail closed: an erroring condition never allows, and always counts for deny and require_approval.
            for (const r of considered.filter((c) => c.error !== undefined)) {
              expect(r.matched).toBe(r.effect !== 'allow');
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

function quoteList(pattern: string): string {
  return pattern.startsWith('[') ? pattern : `"${pattern}"`;
}
