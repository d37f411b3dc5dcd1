import { beforeEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../testing/fake-api.js';

const server = vi.hoisted(() => ({
  resolveServerConfig: vi.fn(),
  startServer: vi.fn(),
  close: vi.fn(),
}));

vi.mock('@countersign/server', () => ({
  resolveServerConfig: server.resolveServerConfig,
  startServer: server.startServer,
}));

beforeEach(() => {
  vi.clearAllMocks();
  server.resolveServerConfig.mockImplementation(async (input: unknown) => ({ resolved: input }));
  server.close.mockResolvedValue(undefined);
});

/** A server that starts, and is interrupted (SIGINT) a moment later. */
function started(adminTokenSource: string, url = 'http://127.0.0.1:8080') {
  server.startServer.mockImplementation(async () => {
    setTimeout(() => process.emit('SIGINT'), 5);
    return { url, storeDescription: 'PGlite in /srv/countersign/.countersign', adminTokenSource, close: server.close };
  });
}

describe('countersign serve', () => {
  it('resolves the config from flags and environment, starts, prints a banner, and stops on SIGINT', async () => {
    started('/srv/countersign/.countersign/admin.token');
    const env = { PATH: '/bin', COUNTERSIGN_PORT: '9999' };
    const { code, stderr } = await cli(
      [
        'serve',
        '--policy',
        'policy.yaml',
        '--data-dir',
        'data',
        '--port',
        '8080',
        '--host',
        '0.0.0.0',
        '--config',
        'c.yaml',
      ],
      { env },
    );
    expect(code).toBe(0);
    expect(server.resolveServerConfig).toHaveBeenCalledWith({
      file: 'c.yaml',
      flags: { policy: 'policy.yaml', dataDir: 'data', port: 8080, host: '0.0.0.0', databaseUrl: undefined },
      env,
    });
    expect(server.startServer).toHaveBeenCalledWith({ resolved: expect.anything() });
    expect(stderr).toContain('countersign: serving on http://127.0.0.1:8080\n');
    expect(stderr).toContain('  data:        PGlite in /srv/countersign/.countersign\n');
    expect(stderr).toContain('  admin token: /srv/countersign/.countersign/admin.token\n');
    expect(stderr).toContain('  export COUNTERSIGN_TOKEN=$(cat /srv/countersign/.countersign/admin.token)\n');
    expect(stderr).not.toContain('COUNTERSIGN_URL');
    expect(stderr).toContain('countersign keys create');
    expect(server.close).toHaveBeenCalledOnce();
    expect(stderr).toMatch(/stopped\n$/);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('says when the admin token came from the environment, and how to reach a non-default URL', async () => {
    started('COUNTERSIGN_ADMIN_TOKEN', 'http://0.0.0.0:9000');
    const { stderr } = await cli(['serve', '--policy', 'p.yaml']);
    expect(stderr).toContain('  admin token: from $COUNTERSIGN_ADMIN_TOKEN\n');
    expect(stderr).toContain('  export COUNTERSIGN_URL=http://0.0.0.0:9000\n');
    expect(stderr).toContain('  export COUNTERSIGN_TOKEN=$COUNTERSIGN_ADMIN_TOKEN\n');
  });

  it('exits 2 with the message of a configuration error, and 1 when the server does not start', async () => {
    server.resolveServerConfig.mockRejectedValueOnce(new Error('no policy given: pass --policy FILE'));
    const bad = await cli(['serve']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('countersign: no policy given: pass --policy FILE\n');

    server.startServer.mockRejectedValueOnce(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8080'));
    const busy = await cli(['serve', '--policy', 'p.yaml']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain('the server did not start: listen EADDRINUSE');
  });

  it('refuses a port that is not one', async () => {
    const { code, stderr } = await cli(['serve', '--port', 'http']);
    expect(code).toBe(2);
    expect(stderr).toContain('--port "http" must be a whole number from 0 to 65535');
    expect(server.resolveServerConfig).not.toHaveBeenCalled();
  });
});
