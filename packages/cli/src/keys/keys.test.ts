import { afterEach, describe, expect, it } from 'vitest';
import { cli, type FakeApi, fakeApi, problem } from '../testing/fake-api.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const created = { id: 'etl', owner: 'dave@example.com', labels: ['pipeline'], key: 'csk_secret' };

describe('countersign keys', () => {
  it('create: registers the agent, prints only the key on stdout and a hint on stderr', async () => {
    api = await fakeApi({ 'POST /v1/agents': () => ({ status: 201, body: created }) });
    const { code, stdout, stderr } = await cli(
      ['keys', 'create', 'etl', '--owner', 'dave@example.com', '--label', 'pipeline'],
      { env: { COUNTERSIGN_URL: api.url, COUNTERSIGN_TOKEN: 'csa_admin' } },
    );
    expect(code).toBe(0);
    expect(stdout).toBe('csk_secret\n');
    expect(stderr).toContain('shown once');
    expect(api.seen[0]?.body).toEqual({ id: 'etl', owner: 'dave@example.com', labels: ['pipeline'] });
    expect(api.seen[0]?.headers.authorization).toBe('Bearer csa_admin');
  });

  it('create --json prints the created agent with its key', async () => {
    api = await fakeApi({ 'POST /v1/agents': () => ({ status: 201, body: created }) });
    const { stdout } = await cli([
      'keys',
      'create',
      'etl',
      '--owner',
      'd@x',
      '--url',
      api.url,
      '--token',
      'a',
      '--json',
    ]);
    expect(JSON.parse(stdout)).toEqual(created);
  });

  it('create needs --owner, and says a conflict plainly', async () => {
    expect((await cli(['keys', 'create', 'etl', '--token', 'a'])).code).toBe(2);
    api = await fakeApi({ 'POST /v1/agents': () => problem(409, 'conflict', 'agent etl already exists') });
    const { code, stderr } = await cli(['keys', 'create', 'etl', '--owner', 'd@x', '--url', api.url, '--token', 'a']);
    expect(code).toBe(1);
    expect(stderr).toBe('countersign: agent etl already exists [conflict]\n');
  });

  it('rotate adds a key; revoke revokes all; ls lists agents', async () => {
    api = await fakeApi({
      'POST /v1/agents/:id/keys': () => ({ status: 201, body: { ...created, key: 'csk_new' } }),
      'DELETE /v1/agents/:id/keys': () => ({ body: { id: 'etl', revoked: 2 } }),
      'GET /v1/agents': () => ({
        body: {
          items: [
            {
              id: 'etl',
              owner: 'dave@example.com',
              labels: ['pipeline'],
              createdAt: '2026-01-31T09:00:00.000Z',
              keys: 2,
            },
          ],
        },
      }),
    });
    const options = ['--url', api.url, '--token', 'a'];
    const rotated = await cli(['keys', 'rotate', 'etl', ...options]);
    expect(rotated.stdout).toBe('csk_new\n');
    expect(rotated.stderr).toContain('The old keys still work');
    expect(rotated.stderr).toContain('countersign keys revoke etl --key <old key or id>');
    const revoked = await cli(['keys', 'revoke', 'etl', ...options]);
    expect(revoked.stdout).toBe('revoked 2 keys of agent etl\n');
    const listed = await cli(['keys', 'ls', ...options]);
    expect(listed.stdout).toMatch(
      /^AGENT +OWNER +LABELS +KEYS +CREATED +REVOKED\netl +dave@example\.com +pipeline +2 +2026-01-31T09:00:00\.000Z +-\n$/,
    );
    expect(JSON.parse((await cli(['keys', 'ls', ...options, '--json'])).stdout).items).toHaveLength(1);
    expect(api.seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/agents/etl/keys',
      'DELETE /v1/agents/etl/keys',
      'GET /v1/agents',
      'GET /v1/agents',
    ]);
  });

  it('names the admin token when COUNTERSIGN_TOKEN is missing', async () => {
    const { code, stderr } = await cli(['keys', 'ls']);
    expect(code).toBe(2);
    expect(stderr).toContain('set COUNTERSIGN_TOKEN (or pass --token) to the admin token');
  });

  describe('revoke --key', () => {
    const oldKey = `csk_0123456789abcdef_${'S'.repeat(43)}`;

    async function server() {
      api = await fakeApi({
        'POST /v1/agents/:id/keys': () => ({
          status: 201,
          body: { ...created, key: `csk_fedcba9876543210_${'N'.repeat(43)}` },
        }),
        'DELETE /v1/agents/:id/keys/:keyId': (_, params) =>
          params.keyId === '0123456789abcdef'
            ? { body: { id: params.id, revoked: 1 } }
            : problem(404, 'not_found', `agent ${params.id} has no live key ${params.keyId}`),
      });
      return ['--url', api.url, '--token', 'a'];
    }

    it('rotate names the new key by its id and says how to retire the old one', async () => {
      const rotated = await cli(['keys', 'rotate', 'etl', ...(await server())]);
      expect(rotated.code).toBe(0);
      expect(rotated.stdout).toBe(`csk_fedcba9876543210_${'N'.repeat(43)}\n`);
      expect(rotated.stderr).toBe(
        'countersign: new key fedcba9876543210 for agent etl, shown once. The old keys still work: switch every copy of the agent to the new key, then retire the old one with  countersign keys revoke etl --key <old key or id>\n',
      );
    });

    it('revokes one key given whole, sending and printing only its id', async () => {
      const options = await server();
      const revoked = await cli(['keys', 'revoke', 'etl', '--key', oldKey, ...options]);
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toBe('revoked key 0123456789abcdef of agent etl\n');
      expect(revoked.stderr).toBe('');
      expect(api?.seen.map((r) => `${r.method} ${r.path}`)).toEqual(['DELETE /v1/agents/etl/keys/0123456789abcdef']);
      expect(JSON.stringify(api?.seen)).not.toContain('SSSS');
    });

    it('revokes one key by its id, with --json', async () => {
      const options = await server();
      const revoked = await cli(['keys', 'revoke', 'etl', '--key', '0123456789ABCDEF', '--json', ...options]);
      expect(revoked.code).toBe(0);
      expect(JSON.parse(revoked.stdout)).toEqual({ id: 'etl', revoked: 1, keyId: '0123456789abcdef' });
    });

    it('exits 1 with not_found when the key is not live', async () => {
      const options = await server();
      const gone = await cli(['keys', 'revoke', 'etl', '--key', 'fedcba9876543210', ...options]);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toBe('countersign: agent etl has no live key fedcba9876543210 [not_found]\n');
    });

    it.each([
      ['csk_0123_cut-short-secret', /not a whole agent key/],
      [
        'csr_0123456789abcdef_reviewer-secret',
        /that is a reviewer token; revoke those with `countersign reviewers revoke/,
      ],
      ['my-old-key', /--key must be an agent key \(csk_…\) or its id/],
    ])('exits 2 without sending or echoing a --key that is not a key or key id: %s', async (key, message) => {
      const options = await server();
      const refused = await cli(['keys', 'revoke', 'etl', '--key', key, ...options]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(message);
      expect(refused.stderr).not.toContain(key);
      expect(api?.seen).toHaveLength(0);
    });
  });
});
