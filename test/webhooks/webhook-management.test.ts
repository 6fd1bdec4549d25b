import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../lib/domain/errors.js';
import type { WebhookService } from '../../lib/services/webhooks.js';
import { backends } from '../adapters/sql/harness.js';
import { verifyWebhookSignature } from '../../lib/domain/webhook-signature.js';
import { startReceiver, type Receiver } from './receiver.js';
import { NOW, openWebhookFixture, type WebhookFixture } from './webhook-fixture.js';

describe.each(backends())('WebhookService management on %s', (backend) => {
  let fx: WebhookFixture;
  let service: WebhookService;
  let receiver: Receiver;
  let A: string;
  let B: string;

  beforeAll(async () => {
    fx = await openWebhookFixture(backend);
    service = fx.service();
    receiver = await startReceiver();
    A = await fx.newTenant('tenant-a');
    B = await fx.newTenant('tenant-b');
  });
  afterAll(async () => {
    await receiver.close();
    await fx.close();
  });
  afterEach(async () => {
    for (const t of [A, B]) for (const w of await service.list(t)) await service.delete(t, w.id);
  });

  const rowCount = async () =>
    (await fx.db.scope.withAdmin((tx) => tx.query<{ n: number }>('select count(*)::int as n from webhooks')))
      .rows[0]!.n;
  const secretFiles = async () => {
    try {
      const dirs = await readdir(join(fx.dataDir, 'secrets'));
      const files = await Promise.all(dirs.map((d) => readdir(join(fx.dataDir, 'secrets', d))));
      return files.flat().length;
    } catch {
      return 0;
    }
  };

  describe('register', () => {
    it('returns the secret once; list and get never show it or its reference', async () => {
      const { webhook, secret } = await service.register(A, {
        url: receiver.url,
        events: ['execution.completed'],
      });

      expect(secret).toMatch(/^whsec_/);
      expect(webhook).toEqual({
        id: expect.any(String) as unknown,
        tenantId: A,
        url: receiver.url,
        events: ['execution.completed'],
        active: true,
        createdAt: expect.any(String) as unknown,
      });
      const shown = JSON.stringify([await service.list(A), await service.get(A, webhook.id)]);
      expect(shown).not.toContain(secret);
      expect(shown).not.toContain('secretRef');
    });

    it('keeps the secret out of SQL: the row holds only a reference to a 0600 file', async () => {
      const { webhook, secret } = await service.register(A, { url: receiver.url, events: ['*'] });

      const { rows } = await fx.db.scope.withAdmin((tx) =>
        tx.query<{ row: string; secret_ref: string }>(
          'select w::text as row, secret_ref from webhooks w where id = $1',
          [webhook.id],
        ),
      );
      expect(rows[0]!.row).not.toContain(secret);
      expect(rows[0]!.secret_ref).toMatch(new RegExp(`^file:${A}/[0-9a-f-]{36}$`));
      const file = join(fx.dataDir, 'secrets', rows[0]!.secret_ref.slice(`file:`.length));
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await stat(join(fx.dataDir, 'secrets', A))).mode & 0o777).toBe(0o700);
      expect(await fx.secrets.get(A, rows[0]!.secret_ref)).toBe(secret);
    });

    it('refuses a private address and a loopback one without the local-mode flag; writes nothing', async () => {
      const strict = fx.service({ allowLoopback: false });
      const [rowsBefore, filesBefore] = [await rowCount(), await secretFiles()];

      await expect(strict.register(A, { url: 'http://10.0.0.5/hook', events: ['*'] })).rejects.toThrow(
        /private/,
      );
      await expect(strict.register(A, { url: receiver.url, events: ['*'] })).rejects.toThrow(/loopback/);
      await expect(
        strict.register(A, { url: 'http://[::ffff:169.254.169.254]/', events: ['*'] }),
      ).rejects.toThrow(/metadata/);

      expect([await rowCount(), await secretFiles()]).toEqual([rowsBefore, filesBefore]);
    });

    it.each([
      ['unknown event type', { url: 'https://93.184.215.14/h', events: ['execution.exploded'] }, 'events.0'],
      ['no events', { url: 'https://93.184.215.14/h', events: [] }, 'events'],
      ['missing url', { events: ['*'] }, 'url'],
      ['extra field', { url: 'https://93.184.215.14/h', events: ['*'], secret: 'mine' }, '(root)'],
    ])('refuses invalid input: %s', async (_label, input, path) => {
      const err = await service.register(A, input).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues.map((i) => i.path)).toContain(path);
    });
  });

  describe('enable, disable, rotate, delete', () => {
    it('disables and enables', async () => {
      const { webhook } = await service.register(A, { url: receiver.url, events: ['*'] });
      expect((await service.setEnabled(A, webhook.id, false)).active).toBe(false);
      expect((await service.get(A, webhook.id)).active).toBe(false);
      expect((await service.setEnabled(A, webhook.id, true)).active).toBe(true);
    });

    it('rotation replaces the stored secret and deletes the old one', async () => {
      const { webhook } = await service.register(A, { url: receiver.url, events: ['*'] });
      const filesBefore = await secretFiles();

      const rotated = await service.rotateSecret(A, webhook.id);

      expect(rotated.webhook.id).toBe(webhook.id);
      expect(await secretFiles()).toBe(filesBefore);
      const { rows } = await fx.db.scope.withAdmin((tx) =>
        tx.query<{ secret_ref: string }>('select secret_ref from webhooks where id = $1', [webhook.id]),
      );
      expect(await fx.secrets.get(A, rows[0]!.secret_ref)).toBe(rotated.secret);
    });

    it('delete removes the row and its secret', async () => {
      const { webhook } = await service.register(A, { url: receiver.url, events: ['*'] });
      const filesBefore = await secretFiles();

      await service.delete(A, webhook.id);

      await expect(service.get(A, webhook.id)).rejects.toThrow(NotFoundError);
      expect(await secretFiles()).toBe(filesBefore - 1);
      await expect(service.delete(A, webhook.id)).rejects.toThrow(NotFoundError);
    });

    it('a malformed id is simply not found', async () => {
      await expect(service.get(A, "1' or '1'='1")).rejects.toThrow(NotFoundError);
    });
  });

  describe('tenant isolation', () => {
    it("tenant B can neither see nor change A's webhook; A can (positive control)", async () => {
      const { webhook, secret } = await service.register(A, { url: receiver.url, events: ['*'] });
      const id = webhook.id;

      expect(await service.list(B)).toEqual([]);
      await expect(service.get(B, id)).rejects.toThrow(NotFoundError);
      await expect(service.delete(B, id)).rejects.toThrow(NotFoundError);
      await expect(service.rotateSecret(B, id)).rejects.toThrow(NotFoundError);
      await expect(service.setEnabled(B, id, false)).rejects.toThrow(NotFoundError);
      await expect(service.sendTestPing(B, id)).rejects.toThrow(NotFoundError);
      await expect(service.listDeliveries(B, id)).rejects.toThrow(NotFoundError);

      // A's webhook is untouched: listed, active, and still signing with the original secret.
      expect((await service.list(A)).map((w) => w.id)).toEqual([id]);
      expect((await service.get(A, id)).active).toBe(true);
      const before = receiver.requests.length;
      const result = await service.sendTestPing(A, id);
      expect(result.delivered).toBe(true);
      const req = receiver.requests[before]!;
      expect(
        verifyWebhookSignature(req.body, req.headers['glaf-signature'] as string, secret, { now: NOW }).ok,
      ).toBe(true);
      expect((await service.listDeliveries(A, id)).items).toHaveLength(1);
    });

    it("B cannot read A's secret even with A's reference", async () => {
      const { webhook } = await service.register(A, { url: receiver.url, events: ['*'] });
      const { rows } = await fx.db.scope.withAdmin((tx) =>
        tx.query<{ secret_ref: string }>('select secret_ref from webhooks where id = $1', [webhook.id]),
      );
      const ref = rows[0]!.secret_ref;
      await expect(fx.secrets.get(B, ref)).rejects.toThrow(NotFoundError);
      await expect(fx.secrets.get(B, ref.replace(A, B))).rejects.toThrow(NotFoundError);
      await expect(fx.secrets.get(A, ref)).resolves.toMatch(/^whsec_/);
    });

    it("B's rows are invisible to A under RLS even when queried without a tenant filter", async () => {
      await service.register(A, { url: receiver.url, events: ['*'] });
      await service.register(B, { url: receiver.url, events: ['*'] });
      const seen = await fx.db.scope.withTenant(A, (tx) =>
        tx.query<{ tenant_id: string }>('select tenant_id from webhooks'),
      );
      expect(seen.rows.map((r) => r.tenant_id)).toEqual([A]);
    });
  });
});
