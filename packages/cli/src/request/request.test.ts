import { afterEach, describe, expect, it } from 'vitest';
import { keyValue, resourceFrom } from '../action-flags/index.js';
import { actionFixture, approvedFixture, cli, deadUrl, type FakeApi, fakeApi, problem } from '../testing/fake-api.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const base = ['--action', 'data.export', '--resource', 'dataset:customers', '--env', 'production'];

async function submitting(status = 201, body = actionFixture()): Promise<FakeApi> {
  api = await fakeApi({ 'POST /v1/actions': () => ({ status, body }) });
  return api;
}

describe('--param and --resource parsing', () => {
  it.each([
    ['rows=250000', ['rows', 250000]],
    ['dryRun=true', ['dryRun', true]],
    ['owner=null', ['owner', null]],
    ['tables=["a","b"]', ['tables', ['a', 'b']]],
    ['limits={"max":3}', ['limits', { max: 3 }]],
    ['destination=s3://acme/x', ['destination', 's3://acme/x']],
    ['query=a=b', ['query', 'a=b']],
    ['zip=02134', ['zip', '02134']],
    ['note=', ['note', '']],
    ['id=12345678901234567890', ['id', '12345678901234567890']],
    ['ratio=0.5', ['ratio', 0.5]],
  ])('%s', (text, expected) => {
    expect(keyValue(text, '--param')).toEqual(expected);
  });

  it('refuses a parameter without key=', () => {
    expect(() => keyValue('rows', '--param')).toThrow('--param "rows" must be key=value');
    expect(() => keyValue('=1', '--param')).toThrow(/must be key=value/);
  });

  it('splits --resource at the first colon', () => {
    expect(resourceFrom('object:s3://bucket/key')).toEqual({ type: 'object', id: 's3://bucket/key' });
    expect(() => resourceFrom('customers')).toThrow('--resource "customers" must be TYPE:ID');
    expect(() => resourceFrom(':x')).toThrow(/TYPE:ID/);
  });
});

describe('countersign request', () => {
  it('submits the action as the agent and prints the decision and who must approve', async () => {
    const server = await submitting();
    const { code, stdout, stderr } = await cli(
      [
        'request',
        ...base,
        '--label',
        'pii',
        '--label',
        'finance',
        '--sensitivity',
        'high',
        '--param',
        'rows=250000',
        '--param',
        'destination=s3://acme-exports/customers',
        '--context',
        'ticket=OPS-42',
        '--justification',
        'Quarterly churn model',
        '--on-behalf-of',
        'erin@example.com',
        '--idempotency-key',
        'job-7',
      ],
      { env: { COUNTERSIGN_URL: server.url, COUNTERSIGN_TOKEN: 'csk_from_env' } },
    );
    expect(code).toBe(0);
    const [request] = server.seen;
    expect(request?.headers).toMatchObject({
      authorization: 'Bearer csk_from_env',
      'idempotency-key': 'job-7',
      'x-countersign-via': 'cli',
    });
    expect(request?.body).toEqual({
      action: 'data.export',
      resource: { type: 'dataset', id: 'customers', labels: ['pii', 'finance'], sensitivity: 'high' },
      environment: 'production',
      params: { rows: 250000, destination: 's3://acme-exports/customers' },
      justification: 'Quarterly churn model',
      context: { ticket: 'OPS-42' },
      onBehalfOf: 'erin@example.com',
    });
    expect(stdout).toMatch(/^act_1 {2}pending\n/);
    expect(stdout).toContain('decision: require_approval — PII exports need two stewards (rule pii-export)\n');
    expect(stdout).toContain('needs:    2 of [data-stewards] for pii-export');
    expect(stdout).toContain('progress: pii-export 0/2');
    expect(stderr).toContain('next: countersign show act_1 --wait 60');
  });

  it('prints the action as JSON with --json, and says when the idempotency key matched', async () => {
    const server = await submitting(200);
    const { code, stdout, stderr } = await cli([
      'request',
      ...base,
      '--url',
      server.url,
      '--token',
      't',
      '--idempotency-key',
      'k',
      '--json',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(actionFixture());
    expect(stderr).toContain('idempotency key "k" matches act_1; not asking twice');
  });

  it('exits 3 when policy denies', async () => {
    const server = await submitting(201, actionFixture({ status: 'denied' }));
    const { code, stdout } = await cli(['request', ...base, '--url', server.url, '--token', 't']);
    expect(code).toBe(3);
    expect(stdout).toMatch(/^act_1 {2}denied/);
  });

  it('with --wait, waits for the decision and exits by it', async () => {
    api = await fakeApi({
      'POST /v1/actions': () => ({ status: 201, body: actionFixture() }),
      'GET /v1/actions/:id': (request) => ({ body: request.query.has('wait') ? approvedFixture() : actionFixture() }),
    });
    const { code, stdout, stderr } = await cli(['request', ...base, '--url', api.url, '--token', 't', '--wait']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^act_1 {2}pending\n[\s\S]*\nact_1 {2}approved\n/);
    expect(stdout).toContain('grant:    expires 2026-01-31T09:10:00.000Z');
    expect(stderr).toMatch(/act_1 waiting \d+s · approved/);
  });

  it('with --wait SECONDS, exits 5 if it is still pending then (without cancelling)', async () => {
    api = await fakeApi({
      'POST /v1/actions': () => ({ status: 201, body: actionFixture() }),
      'GET /v1/actions/:id': (request) => (request.query.has('wait') ? undefined : { body: actionFixture() }),
    });
    // The long-poll hangs, so the client's own deadline ends it.
    const { code, stdout, stderr } = await cli([
      'request',
      ...base,
      '--url',
      api.url,
      '--token',
      't',
      '--wait',
      '0.05',
      '--json',
    ]);
    expect(code).toBe(5);
    expect(JSON.parse(stdout).status).toBe('pending');
    expect(stderr).toContain('act_1 is still pending after 0.05s');
    expect(api.to('POST /v1/actions/:id/cancel')).toHaveLength(0);
  });

  it('checks the action before sending anything, naming the bad field', async () => {
    const server = await submitting();
    const { code, stderr } = await cli([
      'request',
      '--action',
      'Data Export',
      '--resource',
      'dataset:x',
      '--env',
      'prod',
      '--url',
      server.url,
      '--token',
      't',
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/the action is not valid:\n {2}action: an action is a dotted lower-case name/);
    expect(server.seen).toHaveLength(0);
  });

  it('refuses a repeated --param key', async () => {
    const { code, stderr } = await cli(['request', ...base, '--param', 'a=1', '--param', 'a=2', '--token', 't']);
    expect(code).toBe(2);
    expect(stderr).toContain('--param a is given twice');
  });

  it('names COUNTERSIGN_TOKEN when no token is given', async () => {
    const { code, stderr } = await cli(['request', ...base]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no credential: set COUNTERSIGN_TOKEN \(or pass --token\) to an agent key/);
  });

  it('prints an API error as `countersign: detail [code]` with the field problems, and exits 1', async () => {
    api = await fakeApi({
      'POST /v1/actions': () =>
        problem(400, 'validation_failed', 'invalid body: resource.id: too long', {
          issues: [{ path: 'body.resource.id', message: 'too long' }],
        }),
    });
    const { code, stderr } = await cli(['request', ...base, '--url', api.url, '--token', 't']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'countersign: invalid body: resource.id: too long [validation_failed]\n  body.resource.id: too long\n',
    );
  });

  it('says the server could not be reached, and exits 1', async () => {
    const url = await deadUrl();
    const { code, stderr } = await cli(['request', ...base, '--url', url, '--token', 't']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `countersign: could not reach the Countersign server at ${url} (ECONNREFUSED); is it running? Start one with \`countersign serve\`, or point COUNTERSIGN_URL at yours\n`,
    );
  });

  it('refuses a bad --url', async () => {
    const { code, stderr } = await cli(['request', ...base, '--url', 'localhost:8080', '--token', 't']);
    expect(code).toBe(2);
    expect(stderr).toContain('--url: "localhost:8080" is not an http(s) URL');
  });
});
