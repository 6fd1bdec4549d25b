/**
 * Offboarding exports as AWS writes them: ObjectStoreExportSink over S3ObjectStore against the
 * fake S3 endpoint (SigV4-signed, SHA-256 checksummed PutObject, as an Object Lock bucket wants).
 */
import { createHash } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../lib/adapters/aws/s3-object-store.js';
import { ObjectStoreExportSink } from '../../../lib/adapters/object-store-export-sink.js';
import { ValidationError } from '../../../lib/domain/errors.js';
import { startFakeS3, type FakeS3 } from './fake-s3.js';

const BUCKET = 'glaf-prod-audit-123456789012-eu-west-1';
const TENANT = '0196a1b2-0000-7000-8000-0000000000aa';

describe('ObjectStoreExportSink on S3', () => {
  let s3: FakeS3;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startFakeS3([BUCKET]);
    client = new S3Client({
      region: 'eu-west-1',
      endpoint: s3.endpoint,
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await s3.close();
  });

  it('writes each export once under offboarding/tenant_id=<id>/ with its time, checksummed', async () => {
    let now = new Date('2026-11-27T03:40:00.123Z');
    const sink = new ObjectStoreExportSink(new S3ObjectStore(client, BUCKET), () => now);
    const json = JSON.stringify({ tenantId: TENANT, tables: { agents: [{ id: 'a' }] } });
    const first = await sink.put(TENANT, json);
    now = new Date('2026-11-27T03:41:00.000Z');
    const second = await sink.put(TENANT, '{"again":true}');
    expect(first).toBe(`s3://${BUCKET}/offboarding/tenant_id=${TENANT}/2026-11-27T03-40-00-123Z.json`);
    expect(second).not.toBe(first);
    const stored = s3.objects.get(`${BUCKET}/offboarding/tenant_id=${TENANT}/2026-11-27T03-40-00-123Z.json`);
    expect(stored).toEqual({
      body: json,
      contentType: 'application/json',
      checksumSha256: createHash('sha256').update(json).digest('base64'),
    });
    expect(s3.objects.size).toBe(2);
  });

  it('refuses a tenant id that is not a UUID before any request', async () => {
    const sink = new ObjectStoreExportSink(new S3ObjectStore(client, BUCKET));
    const before = s3.objects.size;
    await expect(sink.put('../other', '{}')).rejects.toBeInstanceOf(ValidationError);
    expect(s3.objects.size).toBe(before);
  });

  it('fails the export (so offboarding deletes nothing) when the bucket refuses it', async () => {
    const sink = new ObjectStoreExportSink(new S3ObjectStore(client, 'some-other-bucket'));
    await expect(sink.put(TENANT, '{}')).rejects.toThrow();
  });
});
