/**
 * `agent-factory token` as a user runs it (the real binary in a child process): a tenant by
 * slug, resolved through the running platform's API while it holds the data directory, or
 * in the database once it is stopped; the tokens it prints are accepted by the platform.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './harness.js';
import { decodeJwt } from './jwt-forge.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/agent-factory.js', import.meta.url));

async function token(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'token', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '' },
    });
    return { code: 0, stdout: stdout.trim(), stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('agent-factory token', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(async () => {
    await p?.stop();
    await p?.dispose();
  });

  it('mints a token for a tenant slug while the platform runs, and the platform accepts it', async () => {
    const r = await token(['--tenant', 'demo', '--role', 'viewer', '--data-dir', p.dataDir]);
    expect(r.code).toBe(0);
    expect(decodeJwt(r.stdout).payload).toMatchObject({
      tenant_id: p.platform.demo.tenantId,
      roles: ['viewer'],
      token_use: 'access',
    });
    expect((await p.call('GET', '/v1/agents', { token: r.stdout })).status).toBe(200);
    // A viewer token is a viewer: a developer route refuses it.
    expect((await p.call('POST', '/v1/agents', { token: r.stdout, body: {} })).status).toBe(403);
  });

  it('mints a platform-admin token without a tenant', async () => {
    const r = await token(['--platform-admin', '--data-dir', p.dataDir]);
    expect(r.code).toBe(0);
    expect(decodeJwt(r.stdout).payload).toMatchObject({ platform_admin: true });
    expect((await p.call('GET', '/v1/tenants', { token: r.stdout })).status).toBe(200);
  });

  it('exits 2 with a message for an unknown slug or role', async () => {
    const slug = await token(['--tenant', 'nope', '--data-dir', p.dataDir]);
    expect(slug.code).toBe(2);
    expect(slug.stderr).toContain("No tenant 'nope'");
    const role = await token(['--tenant', 'demo', '--role', 'owner', '--data-dir', p.dataDir]);
    expect(role.code).toBe(2);
    expect(role.stderr).toContain("Unknown role 'owner'");
  });

  it('resolves the slug in the database once the platform is stopped', async () => {
    await p.stop();
    const r = await token(['--tenant', 'demo', '--role', 'operator', '--data-dir', p.dataDir]);
    expect(r.code).toBe(0);
    expect(decodeJwt(r.stdout).payload).toMatchObject({
      tenant_id: p.platform.demo.tenantId,
      roles: ['operator'],
    });
  });
});
