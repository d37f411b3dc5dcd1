import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from './io.js';
import { main } from './main.js';

const examplePolicy = fileURLToPath(new URL('../../../examples/policy.yaml', import.meta.url));
const workdir = mkdtempSync(join(tmpdir(), 'countersign-cli-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(workdir, name);
  writeFileSync(path, text);
  return path;
}

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTTY: false,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const brokenPolicy = `version: 1
defaults:
  approval: { approvers: [ops] }
rules:
  - id: r1
    when: 'params.rows > 10 && reource.type == "x"'
    decision: deny
`;

const action = {
  action: 'data.export',
  resource: { type: 'dataset', id: 'customers', labels: ['pii'] },
  environment: 'production',
  params: { rows: 250000, destination: 's3://acme-exports/customers' },
  justification: 'Quarterly churn model retraining',
  agent: { id: 'etl', owner: 'dave@example.com' },
};

describe('countersign --help', () => {
  it.each([
    [],
    ['policy'],
    ['policy', 'check'],
    ['policy', 'test'],
    ['policy', 'explain'],
    ['serve'],
    ['keys'],
    ['keys', 'create'],
    ['keys', 'rotate'],
    ['keys', 'revoke'],
    ['keys', 'ls'],
    ['reviewers'],
    ['reviewers', 'token'],
    ['reviewers', 'revoke'],
    ['reviewers', 'link'],
    ['reviewers', 'unlink'],
    ['reviewers', 'links'],
    ['outbox'],
    ['outbox', 'ls'],
    ['outbox', 'retry'],
    ['request'],
    ['ls'],
    ['show'],
    ['approve'],
    ['reject'],
    ['run'],
  ])('prints usage for %j and exits 0', async (...command) => {
    const { code, stdout } = await run(...command, '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: countersign/);
  });

  it('shows examples in the help of every command that talks to a server', async () => {
    for (const command of [
      ['serve'],
      ['keys', 'create'],
      ['keys', 'rotate'],
      ['keys', 'revoke'],
      ['keys', 'ls'],
      ['reviewers', 'token'],
      ['reviewers', 'revoke'],
      ['reviewers', 'link'],
      ['reviewers', 'unlink'],
      ['reviewers', 'links'],
      ['outbox', 'ls'],
      ['outbox', 'retry'],
      ['request'],
      ['ls'],
      ['show'],
      ['approve'],
      ['reject'],
      ['run'],
    ]) {
      const { stdout } = await run(...command, '--help');
      expect(stdout, command.join(' ')).toMatch(/\nExamples?:\n {2}(countersign|export|DATABASE_URL)/);
    }
  });

  it('documents the exit codes of run in its help', async () => {
    const { stdout } = await run('run', '--help');
    for (const line of [
      '3  denied by policy',
      '4  rejected by a reviewer',
      '5  expired',
      '6  cancelled',
      '7  approved, the command ran, and it failed',
    ]) {
      expect(stdout).toContain(line);
    }
  });

  it('exits 2 on an unknown command and says how to get help', async () => {
    const { code, stderr } = await run('polcy');
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown command 'polcy'/);
  });
});

describe('countersign policy check', () => {
  it('accepts the example policy', async () => {
    const { code, stdout } = await run('policy', 'check', examplePolicy);
    expect(code).toBe(0);
    expect(stdout).toMatch(/: ok \(20 rules, 5 groups, 24 tests; version sha256:[0-9a-f]{64}\)/);
  });

  it('reports a broken policy at file:line:column and exits 1', async () => {
    const path = file('broken.yaml', brokenPolicy);
    const { code, stderr } = await run('policy', 'check', path);
    expect(code).toBe(1);
    expect(stderr).toContain(`${path}:6:32: error: CEL: Unknown variable: reource`);
    expect(stderr).toMatch(/1 error; the policy was not loaded/);
  });

  it('prints the issues as JSON with --json', async () => {
    const path = file('broken-json.yaml', brokenPolicy);
    const { code, stdout } = await run('policy', 'check', path, '--json');
    expect(code).toBe(1);
    const result = JSON.parse(stdout);
    expect(result.ok).toBe(false);
    expect(result.issues).toContainEqual(
      expect.objectContaining({ severity: 'error', line: 6, column: 32, path: 'rules.0.when' }),
    );
  });

  it('exits 2 with a clear message when the file is missing', async () => {
    const { code, stderr } = await run('policy', 'check', join(workdir, 'nope.yaml'));
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot read .*nope\.yaml: no such file/);
  });
});

describe('countersign policy test', () => {
  it('passes the example policy', async () => {
    const { code, stdout } = await run('policy', 'test', examplePolicy);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\n24 passed, 0 failed\n$/);
  });

  it('exits 1 and shows the failing expectation', async () => {
    const path = file(
      'failing.yaml',
      `version: 1
defaults: { decision: deny }
rules:
  - { id: a, match: { action: data.read }, decision: allow }
tests:
  - name: reads are allowed
    input: { action: data.read, resource: { type: dataset, id: x }, environment: dev }
    expect: { decision: allow }
  - name: exports are allowed
    input: { action: data.export, resource: { type: dataset, id: x }, environment: dev }
    expect: { decision: allow, rules: [a] }
`,
    );
    const { code, stdout } = await run('policy', 'test', path);
    expect(code).toBe(1);
    expect(stdout).toContain('✓ reads are allowed');
    expect(stdout).toContain('✗ exports are allowed');
    expect(stdout).toContain(`${path}:9:5: expected decision allow, got deny`);
    expect(stdout).toContain('expected rules [a], got []');
    expect(stdout).toMatch(/1 passed, 1 failed/);
  });

  it('reports results as JSON with --json', async () => {
    const { code, stdout } = await run('policy', 'test', examplePolicy, '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ ok: true, passed: 24, failed: 0 });
    expect(result.results[0].decision).toMatchObject({ effect: 'require_approval' });
  });

  it('exits 1 when the policy does not load', async () => {
    const { code, stderr } = await run('policy', 'test', file('broken-test.yaml', brokenPolicy));
    expect(code).toBe(1);
    expect(stderr).toMatch(/no test ran/);
  });
});

describe('countersign policy explain', () => {
  it('returns {decision: {effect, rules, reason, requirements: [{rule, groups, quorum}]}} with --json', async () => {
    const input = file('action.json', JSON.stringify(action));
    const { code, stdout } = await run('policy', 'explain', examplePolicy, '--input', input, '--json');
    expect(code).toBe(0);
    const { decision, considered } = JSON.parse(stdout);
    expect(decision).toMatchObject({
      effect: 'require_approval',
      rules: ['pii-export', 'prod-export'],
      reason: 'Exports of personal or bulk data need two data stewards',
      requirements: [
        { rule: 'pii-export', groups: ['data-stewards'], quorum: 2 },
        { rule: 'prod-export', groups: ['platform-oncall'], quorum: 1 },
      ],
    });
    expect(considered).toHaveLength(20);
    expect(considered[0]).toEqual({
      rule: 'non-prod-reads',
      effect: 'allow',
      matched: false,
      why: 'action "data.export" does not match "data.read"',
    });
  });

  it('keeps the same JSON shape for a denial and for the default', async () => {
    for (const [overrides, effect] of [
      [{ params: { rows: 1, destination: 's3://elsewhere/x' } }, 'deny'],
      [{ action: 'data.read' }, 'require_approval'],
    ] as const) {
      const input = file('variant.json', JSON.stringify({ ...action, ...overrides }));
      const { code, stdout } = await run('policy', 'explain', examplePolicy, '-i', input, '--json');
      expect(code).toBe(0);
      const { decision } = JSON.parse(stdout);
      expect(decision.effect).toBe(effect);
      expect(Object.keys(decision)).toEqual(expect.arrayContaining(['effect', 'rules', 'reason', 'requirements']));
      expect(Array.isArray(decision.requirements)).toBe(true);
    }
  });

  it('explains in words by default, marking matched rules and errors', async () => {
    const input = file('grant.json', JSON.stringify({ ...action, action: 'iam.grant_role', params: {} }));
    const { code, stdout } = await run('policy', 'explain', examplePolicy, '-i', input);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^decision: deny\n {2}reason: Admin roles are never granted by automation\n/);
    expect(stdout).toMatch(/✓ no-admin-grants +deny +when .* raised an error, so it fails closed/);
    expect(stdout).toMatch(/error: No such key: role/);
  });

  it('uses --now as the CEL now', async () => {
    const policy = file(
      'hours.yaml',
      `version: 1
defaults: { decision: deny }
rules:
  - id: office-hours
    when: now.getHours("UTC") >= 9 && now.getHours("UTC") < 17
    decision: allow
`,
    );
    const input = file('any.json', JSON.stringify(action));
    const day = await run('policy', 'explain', policy, '-i', input, '--json', '--now', '2026-01-05T10:00:00Z');
    const night = await run('policy', 'explain', policy, '-i', input, '--json', '--now', '2026-01-05T23:00:00Z');
    expect(JSON.parse(day.stdout).decision.effect).toBe('allow');
    expect(JSON.parse(night.stdout).decision.effect).toBe('deny');
  });

  it('exits 2 on an invalid action, naming the field', async () => {
    const input = file('bad.json', JSON.stringify({ action: 'Data Export', environment: 'prod' }));
    const { code, stderr } = await run('policy', 'explain', examplePolicy, '-i', input);
    expect(code).toBe(2);
    expect(stderr).toMatch(/is not a valid action:\n {2}action: an action is a dotted lower-case name/);
    expect(stderr).toMatch(/resource: /);
  });

  it('exits 2 on input that is not JSON, and when --input is missing', async () => {
    const notJson = await run('policy', 'explain', examplePolicy, '-i', file('x.json', '{nope'));
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/is not JSON/);
    const missing = await run('policy', 'explain', examplePolicy);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '-i, --input <action.json>' not specified/);
  });
});
