/**
 * One contract for both SecretStore adapters: 0600 files (local mode) and Secrets
 * Manager (through the fake endpoint in fake-secrets-manager.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerStore } from '../../lib/adapters/aws/secrets-manager-store.js';
import { FileSecretStore } from '../../lib/adapters/local/file-secret-store.js';
import { NotFoundError, ValidationError } from '../../lib/domain/errors.js';
import type { SecretStore } from '../../lib/ports/secret-store.js';
import { startFakeSecretsManager } from './fake-secrets-manager.js';

interface Made {
  store: SecretStore;
  close(): Promise<void>;
}

function secretStoreContract(name: string, factory: () => Promise<Made>): void {
  describe(`SecretStore contract: ${name}`, () => {
    let made: Made;
    const A = randomUUID();
    const B = randomUUID();
    beforeAll(async () => {
      made = await factory();
    });
    afterAll(async () => made.close());

    it('stores and returns a secret by reference', async () => {
      const ref = await made.store.create(A, 'whsec_one');
      expect(await made.store.get(A, ref)).toBe('whsec_one');
    });

    it('gives each secret its own reference', async () => {
      const [r1, r2] = [await made.store.create(A, 's1'), await made.store.create(A, 's2')];
      expect(r1).not.toBe(r2);
      expect([await made.store.get(A, r1), await made.store.get(A, r2)]).toEqual(['s1', 's2']);
    });

    it("does not resolve another tenant's reference, nor a forged one", async () => {
      const ref = await made.store.create(A, 'whsec_a');
      await expect(made.store.get(B, ref)).rejects.toThrow(NotFoundError);
      await expect(made.store.get(B, ref.replace(A, B))).rejects.toThrow(NotFoundError);
      await expect(made.store.get(A, `${ref}/../../x`)).rejects.toThrow(NotFoundError);
      await expect(made.store.get(A, 'file:../../etc/passwd')).rejects.toThrow(NotFoundError);
      await made.store.delete(B, ref.replace(A, B)).catch(() => undefined);
      expect(await made.store.get(A, ref)).toBe('whsec_a'); // positive control: still there
    });

    it('deletes, idempotently', async () => {
      const ref = await made.store.create(A, 'whsec_gone');
      await made.store.delete(A, ref);
      await expect(made.store.get(A, ref)).rejects.toThrow(NotFoundError);
      await expect(made.store.delete(A, ref)).resolves.toBeUndefined();
    });

    it('refuses a malformed tenant id', async () => {
      await expect(made.store.create('not-a-tenant', 'x')).rejects.toThrow(ValidationError);
    });
  });
}

const tmp = () => mkdtemp(join(tmpdir(), 'glaf-secrets-'));

secretStoreContract('FileSecretStore', async () => {
  const dir = await tmp();
  return { store: new FileSecretStore(dir), close: () => rm(dir, { recursive: true, force: true }) };
});

secretStoreContract('SecretsManagerStore (fake endpoint)', async () => {
  const dir = await tmp();
  const fake = await startFakeSecretsManager(new FileSecretStore(dir));
  const client = new SecretsManagerClient({
    endpoint: fake.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return {
    store: new SecretsManagerStore({ client, prefix: 'glaf-test/webhooks' }),
    close: async () => {
      client.destroy();
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('adapter specifics', () => {
  it('FileSecretStore writes 0600 files in 0700 directories and leaves no temp files', async () => {
    const dir = await tmp();
    try {
      const tenant = randomUUID();
      const ref = await new FileSecretStore(dir).create(tenant, 'whsec_mode');
      const file = join(dir, 'secrets', tenant, ref.split('/')[1]!);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, 'secrets', tenant))).mode & 0o777).toBe(0o700);
      expect(await readdir(join(dir, 'secrets', tenant))).toEqual([ref.split('/')[1]]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('SecretsManagerStore tags the tenant, names under the prefix and force-deletes', async () => {
    const dir = await tmp();
    const sm = await startFakeSecretsManager(new FileSecretStore(dir));
    const client = new SecretsManagerClient({
      endpoint: sm.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    try {
      const tenant = randomUUID();
      const store = new SecretsManagerStore({ client, kmsKeyId: 'alias/glaf-webhooks' });
      const ref = await store.create(tenant, 'whsec_sm');
      await store.delete(tenant, ref);

      const [create, del] = sm.calls;
      expect(create).toMatchObject({
        target: 'CreateSecret',
        body: {
          Name: expect.stringMatching(new RegExp(`^glaf/webhooks/${tenant}/[0-9a-f-]{36}$`)) as unknown,
          Tags: [{ Key: 'tenant_id', Value: tenant }],
          KmsKeyId: 'alias/glaf-webhooks',
        },
      });
      expect(del).toMatchObject({ target: 'DeleteSecret', body: { ForceDeleteWithoutRecovery: true } });
      expect(ref).toBe(`aws-sm:${String(create!.body['Name'])}`);
    } finally {
      client.destroy();
      await sm.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
