import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError, environmentVariables, resolveServerConfig, serverConfigSchema } from './index.js';

/** A fresh directory for one test, removed when the test finishes. */
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'countersign-config-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('server configuration', () => {
  it('needs a policy, and says how to give one', async () => {
    await expect(resolveServerConfig({ env: {}, cwd: '/srv' })).rejects.toThrow(/--policy FILE.*COUNTERSIGN_POLICY/);
  });

  it('defaults the data directory to .countersign beside the working directory, and freezes the result', async () => {
    const config = await resolveServerConfig({ flags: { policy: 'policy.yaml' }, env: {}, cwd: '/srv' });
    expect(config).toMatchObject({
      policy: '/srv/policy.yaml',
      dataDir: '/srv/.countersign',
      port: 8080,
      host: '127.0.0.1',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes flags over the environment over the file, with file paths relative to the file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'countersign.yaml');
    await writeFile(file, 'policy: policies/main.yaml\nport: 9000\nlogLevel: warn\ngrantAudience: executors\n');
    const fromFile = await resolveServerConfig({ file, env: {}, cwd: '/elsewhere' });
    expect(fromFile).toMatchObject({
      policy: join(dir, 'policies/main.yaml'),
      dataDir: join(dir, '.countersign'),
      port: 9000,
      logLevel: 'warn',
      grantAudience: 'executors',
    });
    const withEnv = await resolveServerConfig({ file, env: { COUNTERSIGN_PORT: '9100' }, cwd: '/elsewhere' });
    expect(withEnv.port).toBe(9100);
    const withFlag = await resolveServerConfig({ file, env: { COUNTERSIGN_PORT: '9100' }, flags: { port: 9200 } });
    expect(withFlag.port).toBe(9200);
  });

  it('names the bad key and its environment variable', async () => {
    const error = await resolveServerConfig({
      flags: { policy: 'p.yaml' },
      env: { COUNTERSIGN_PORT: 'eighty', DATABASE_URL: 'mysql://x' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/port \(COUNTERSIGN_PORT\)/);
    expect((error as Error).message).toMatch(/databaseUrl \(DATABASE_URL\)/);
  });

  it('refuses unknown keys in a config file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'c.yaml');
    await writeFile(file, 'policy: p.yaml\nprot: 1\n');
    await expect(resolveServerConfig({ file, env: {} })).rejects.toThrow(/prot/);
  });

  it('refuses a short admin token', async () => {
    await expect(
      resolveServerConfig({ flags: { policy: 'p.yaml' }, env: { COUNTERSIGN_ADMIN_TOKEN: 'short' } }),
    ).rejects.toThrow(/adminToken \(COUNTERSIGN_ADMIN_TOKEN\)/);
  });

  it('maps every environment variable onto a setting the schema knows', () => {
    const keys = Object.keys(serverConfigSchema.shape);
    const settings = Object.values(environmentVariables) as string[];
    for (const setting of settings) expect(keys).toContain(setting.split('.')[0]);
    // Every flat setting has a variable; the nested sections (channels, outbox, masking) have one per secret or knob.
    const nested = ['channels', 'outbox', 'masking'];
    const flat = settings.filter((setting) => !setting.includes('.'));
    expect(new Set(flat).size).toBe(keys.length - nested.length);
  });

  it('puts nested settings from the environment inside the config file’s sections', async () => {
    const dir = await tempDir();
    const file = join(dir, 'countersign.yaml');
    await writeFile(
      file,
      'policy: p.yaml\nchannels:\n  slack: { apiUrl: "http://127.0.0.1:9/api/" }\n  webhooks:\n    siem: { url: "https://siem.example/hook", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }\n',
    );
    const config = await resolveServerConfig({
      file,
      env: {
        COUNTERSIGN_SLACK_BOT_TOKEN: 'xoxb-1-2-3',
        COUNTERSIGN_SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
        COUNTERSIGN_OUTBOX_MAX_ATTEMPTS: '3',
      },
    });
    expect(config.channels.slack).toEqual({
      botToken: 'xoxb-1-2-3',
      signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
      apiUrl: 'http://127.0.0.1:9/api/',
      linkByEmail: false,
    });
    expect(config.channels.webhooks.siem?.url).toBe('https://siem.example/hook');
    expect(config.outbox.maxAttempts).toBe(3);
    await expect(resolveServerConfig({ file, env: { COUNTERSIGN_SLACK_BOT_TOKEN: 'xoxb-1' } })).rejects.toThrow(
      /channels\.slack\.signingSecret \(COUNTERSIGN_SLACK_SIGNING_SECRET\)/,
    );
  });

  it('lists every environment variable in .env.example', async () => {
    const { readFile } = await import('node:fs/promises');
    const example = await readFile(new URL('../../../../.env.example', import.meta.url), 'utf8');
    for (const variable of Object.keys(environmentVariables))
      expect(example).toMatch(new RegExp(`^#? ?${variable}=`, 'm'));
  });
});
