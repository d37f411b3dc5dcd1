import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodes } from '../io.js';
import { cli } from '../testing/fake-api.js';

/** `countersign mask` and `countersign scan` on real files, in-process. */
describe('countersign mask and scan', () => {
  let dir: string;
  const at = (name: string) => join(dir, name);

  const csv = [
    'id,name,email,ssn,notes',
    '1,Ada,ada@example.com,123-45-6789,"called from +1 415 555 0134, card 4111 1111 1111 1111"',
    '2,Bob,bob@example.org,234-56-7890,"nothing to see, order ORD-2024-000123"',
    '',
  ].join('\n');
  const jsonl = [
    JSON.stringify({ id: 1, customer: { email: 'ada@example.com', tags: ['vip', 'ip 203.0.113.9'] }, n: 3 }),
    JSON.stringify({ id: 2, note: 'key AKIAIOSFODNN7EXAMPLE leaked' }),
    '',
  ].join('\n');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'countersign-mask-'));
    await writeFile(at('customers.csv'), csv);
    await writeFile(at('events.jsonl'), jsonl);
    await writeFile(at('clean.txt'), 'Quarterly numbers are up; version 1.2.3 ships on Monday.\n');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('masks every cell by content without a policy, writes the file and a JSON report, and summarises', async () => {
    const run = await cli(['mask', at('customers.csv'), at('out.csv'), '--report', at('report.json')]);
    expect(run.code, run.stderr).toBe(exitCodes.ok);
    const out = await readFile(at('out.csv'), 'utf8');
    expect(out).not.toContain('ada@example.com');
    expect(out).not.toContain('123-45-6789');
    expect(out).not.toContain('4111 1111 1111 1111');
    expect(out).toContain('<EMAIL>');
    expect(out).toContain('<US_SSN>');
    expect(out).toContain('<CREDIT_CARD>');
    expect(out).toContain('ORD-2024-000123');
    expect(out.split('\n')[0]).toBe('id,name,email,ssn,notes');

    const report = JSON.parse(await readFile(at('report.json'), 'utf8'));
    expect(report.records).toBe(2);
    expect(report.findings).toMatchObject({ EMAIL: 2, US_SSN: 2, CREDIT_CARD: 1 });
    expect(report.labels).toEqual(expect.arrayContaining(['pii', 'financial', 'government_id', 'contact']));
    expect(JSON.stringify(report)).not.toContain('ada@example.com');
    expect(run.stderr).toMatch(/^masked 2 records/);
    expect(run.stderr).toContain('EMAIL 2');
    expect(existsSync(at('out.csv.partial'))).toBe(false);
  });

  it('masks nested JSONL strings and prints the report with --json', async () => {
    const run = await cli(['mask', at('events.jsonl'), at('events.out.jsonl'), '--json']);
    expect(run.code, run.stderr).toBe(exitCodes.ok);
    const lines = (await readFile(at('events.out.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { id: 1, customer: { email: '<EMAIL>', tags: ['vip', 'ip <IP_ADDRESS>'] }, n: 3 },
      { id: 2, note: 'key <AWS_ACCESS_KEY> leaked' },
    ]);
    expect(JSON.parse(run.stdout)).toMatchObject({ format: 'jsonl', records: 2 });
  });

  it('applies a masking policy: tokenised joins, partial masks, dropped columns', async () => {
    await writeFile(
      at('policy.yaml'),
      [
        'version: 1',
        'key_env: MASK_KEY',
        'columns:',
        '  - { match: email, operator: tokenize }',
        '  - { match: ssn, operator: partial, keep: 4 }',
        '  - { match: name, operator: drop }',
        '',
      ].join('\n'),
    );
    const env = { MASK_KEY: 'a-key-of-our-own-for-this-test' };
    const first = await cli(['mask', '--policy', at('policy.yaml'), at('customers.csv'), at('p1.csv')], { env });
    expect(first.code, first.stderr).toBe(exitCodes.ok);
    const second = await cli(['mask', '--policy', at('policy.yaml'), at('customers.csv'), at('p2.csv')], { env });
    expect(second.code, second.stderr).toBe(exitCodes.ok);
    const out = await readFile(at('p1.csv'), 'utf8');
    expect(await readFile(at('p2.csv'), 'utf8')).toBe(out);
    const [header, ada] = out.split('\n');
    expect(header).toBe('id,email,ssn,notes');
    expect(ada).toMatch(/^1,tok_[0-9a-f]{24},\*\*\*-\*\*-6789,/);
    expect(ada).toContain('<CREDIT_CARD>');

    const other = await cli(['mask', '--policy', at('policy.yaml'), at('customers.csv'), at('p3.csv')], {
      env: { MASK_KEY: 'another-key-entirely-different' },
    });
    expect(other.code).toBe(exitCodes.ok);
    expect((await readFile(at('p3.csv'), 'utf8')).split('\n')[1]?.split(',')[1]).not.toBe(ada?.split(',')[1]);
  });

  it('refuses a policy that tokenises without a key, and a policy with a bad rule, naming what to fix', async () => {
    const noKey = await cli(['mask', '--policy', at('policy.yaml'), at('customers.csv'), at('nokey.csv')]);
    expect(noKey.code).toBe(exitCodes.usage);
    expect(noKey.stderr).toContain('mask_key_missing');
    expect(noKey.stderr).toContain('MASK_KEY');
    expect(existsSync(at('nokey.csv'))).toBe(false);

    await writeFile(at('bad.yaml'), 'version: 1\ncolumns:\n  - { match: email, operator: scramble }\n');
    const bad = await cli(['mask', '--policy', at('bad.yaml'), at('customers.csv'), at('bad.csv')]);
    expect(bad.code).toBe(exitCodes.usage);
    expect(bad.stderr).toContain('mask_policy_invalid');
    expect(bad.stderr).toContain('columns[0].operator');
  });

  it('fails on malformed input without leaving a half-written output file', async () => {
    await writeFile(at('broken.jsonl'), `${JSON.stringify({ a: 'x@example.com' })}\n{"a": \n`);
    const run = await cli(['mask', at('broken.jsonl'), at('broken.out.jsonl')]);
    expect(run.code).toBe(exitCodes.failed);
    expect(run.stderr).toContain('mask_input_invalid');
    expect(run.stderr).toMatch(/line 2/);
    expect(existsSync(at('broken.out.jsonl'))).toBe(false);
    expect(existsSync(at('broken.out.jsonl.partial'))).toBe(false);
    // What to do next, in the command's terms: its flag, not the library's option.
    expect(run.stderr).toContain('add --skip-invalid to skip and count such lines');
    expect(run.stderr).not.toContain('onInvalid');
  });

  it('skips and counts malformed records with --skip-invalid, in mask and in scan', async () => {
    const good = JSON.stringify({ a: 'x@example.com' });
    await writeFile(
      at('ragged.jsonl'),
      `${good}
{"a": 
${good}
`,
    );
    const masked = await cli(['mask', '--skip-invalid', at('ragged.jsonl'), at('ragged.out.jsonl'), '--json']);
    expect(masked.code, masked.stderr).toBe(exitCodes.ok);
    expect(JSON.parse(masked.stdout)).toMatchObject({ records: 2, invalid: 1, findings: { EMAIL: 2 } });
    expect((await readFile(at('ragged.out.jsonl'), 'utf8')).trimEnd().split('\n')).toEqual([
      '{"a":"<EMAIL>"}',
      '{"a":"<EMAIL>"}',
    ]);

    const scanned = await cli(['scan', '--skip-invalid', at('ragged.jsonl')]);
    expect(scanned.code, scanned.stderr).toBe(exitCodes.ok);
    expect(scanned.stdout).toContain('skipped 1 invalid records');
    const scannedJson = await cli(['scan', '--skip-invalid', '--json', at('ragged.jsonl')]);
    expect(JSON.parse(scannedJson.stdout)).toMatchObject({ records: 2, invalid: 1 });

    await writeFile(at('ragged.csv'), 'id,email\n1,x@example.com\n2,y@example.com,extra\n');
    const refused = await cli(['scan', at('ragged.csv')]);
    expect(refused.code).toBe(exitCodes.failed);
    expect(refused.stderr).toContain('add --skip-invalid to skip and count such rows');
    const skipped = await cli(['scan', '--skip-invalid', '--json', at('ragged.csv')]);
    expect(JSON.parse(skipped.stdout)).toMatchObject({ records: 1, invalid: 1, findings: { EMAIL: 1 } });
  });

  it('says what to do when the format cannot be told or the output would overwrite the input', async () => {
    await writeFile(at('data.bin'), 'a,b\n');
    const unknown = await cli(['mask', at('data.bin'), at('data.out')]);
    expect(unknown.code).toBe(exitCodes.usage);
    expect(unknown.stderr).toContain('--format csv or --format jsonl');
    const same = await cli(['mask', at('customers.csv'), at('customers.csv')]);
    expect(same.code).toBe(exitCodes.usage);
    expect(same.stderr).toContain('overwrite the input');
    const missing = await cli(['mask', at('nope.csv'), at('nope.out.csv')]);
    expect(missing.code).toBe(exitCodes.usage);
    expect(missing.stderr).toContain('cannot read');
  });

  it('shows progress on a terminal', async () => {
    const run = await cli(['mask', at('customers.csv'), at('tty.csv')], { stderrIsTTY: true });
    expect(run.code, run.stderr).toBe(exitCodes.ok);
    expect(run.stderr).toMatch(/\rmasking 100% 0\.0 MB, 2 records, [\d.]+ MB\/s/);
    expect(run.stderr).toContain('\x1b[K\n');
    expect(run.stderr).toMatch(/masked 2 records/);
  });

  it('scan reports types, columns and labels without changing the file', async () => {
    const run = await cli(['scan', at('customers.csv')]);
    expect(run.code, run.stderr).toBe(exitCodes.ok);
    expect(run.stdout).toContain('labels: ');
    expect(run.stdout).toMatch(/EMAIL\s+2/);
    expect(run.stdout).toMatch(/email\s+EMAIL 2/);
    expect(await readFile(at('customers.csv'), 'utf8')).toBe(csv);

    const json = await cli(['scan', at('events.jsonl'), '--json']);
    const report = JSON.parse(json.stdout);
    expect(report.findings).toMatchObject({ EMAIL: 1, IP_ADDRESS: 1, AWS_ACCESS_KEY: 1 });
    expect(report.labels).toEqual(expect.arrayContaining(['pii', 'secrets', 'network', 'contact']));
  });

  it('scan --fail-on exits 1 only when the file carries one of the labels', async () => {
    const dirty = await cli(['scan', '--fail-on', 'secrets', at('events.jsonl')]);
    expect(dirty.code).toBe(exitCodes.failed);
    expect(dirty.stderr).toContain('secrets');
    const clean = await cli(['scan', '--fail-on', 'pii,secrets', at('clean.txt')]);
    expect(clean.code, clean.stderr).toBe(exitCodes.ok);
    expect(clean.stdout).toContain('no personal data or secrets found');
    const typo = await cli(['scan', '--fail-on', 'pi', at('clean.txt')]);
    expect(typo.code).toBe(exitCodes.usage);
    expect(typo.stderr).toContain('unknown label pi');
  });

  it('has --help for both commands', async () => {
    const mask = await cli(['mask', '--help']);
    expect(mask.code).toBe(exitCodes.ok);
    expect(mask.stdout).toContain('--policy <file>');
    const scan = await cli(['scan', '--help']);
    expect(scan.code).toBe(exitCodes.ok);
    expect(scan.stdout).toContain('--fail-on <labels>');
  });
});
