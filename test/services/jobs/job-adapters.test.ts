import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobConfigError, jobEnv, scheduledTimeOf } from '../../../lib/adapters/jobs/job-env.js';
import { objectStoreOf } from '../../../lib/adapters/jobs/job-stores.js';
import { S3ObjectStore } from '../../../lib/adapters/aws/s3-object-store.js';
import { FileObjectStore } from '../../../lib/adapters/local/file-object-store.js';
import { ValidationError } from '../../../lib/domain/errors.js';
import type { ObjectStore } from '../../../lib/ports/object-store.js';

describe('FileObjectStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glaf-objects-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const store: ObjectStore = new FileObjectStore(dir);

  it('writes the key as a private file and replaces it on a re-run', async () => {
    const file = await store.put('audit/tenant_id=x/dt=2026-01-01.json', '{"a":1}', 'application/json');
    await store.put('audit/tenant_id=x/dt=2026-01-01.json', '{"a":2}', 'application/json');
    expect(file).toBe(join(dir, 'audit/tenant_id=x/dt=2026-01-01.json'));
    expect(readFileSync(file, 'utf8')).toBe('{"a":2}');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it.each(['../escape.json', 'a/../../b', '/abs/path', 'a//b', 'a/./b', 'sp ace'])(
    'refuses the key %s (file and S3 stores share the rule)',
    async (key) => {
      await expect(store.put(key, 'x', 'text/plain')).rejects.toBeInstanceOf(ValidationError);
      // The S3 store refuses before any request (the client here has no endpoint or credentials).
      await expect(
        new S3ObjectStore({} as never, 'bucket').put(key, 'x', 'text/plain'),
      ).rejects.toBeInstanceOf(ValidationError);
    },
  );
});

describe('job environment and payload', () => {
  it('names the variables a job lacks', () => {
    expect(() => jobEnv(['DATABASE_URL', 'EXECUTION_TABLE_NAME'], {})).toThrow(
      new JobConfigError('Job environment lacks DATABASE_URL, EXECUTION_TABLE_NAME'),
    );
    expect(() => jobEnv([], { DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: a postgres:\/\/ URL/);
    expect(jobEnv(['DATABASE_URL'], { DATABASE_URL: 'postgres://u@h/db' }).GLAF_DB_ROLE_PREFIX).toBe('glaf');
  });

  it('picks S3 when a bucket is configured, else the local directory, else refuses', () => {
    expect(objectStoreOf(jobEnv([], { OUTPUT_BUCKET: 'glaf-jobs' }))).toBeInstanceOf(S3ObjectStore);
    expect(objectStoreOf(jobEnv([], { OUTPUT_DIR: '/tmp/x' }))).toBeInstanceOf(FileObjectStore);
    expect(() => objectStoreOf(jobEnv([], {}))).toThrow(JobConfigError);
  });

  it("uses the schedule's time, so a retry covers the same window", () => {
    const now = () => new Date('2030-01-01T00:00:00Z');
    expect(
      scheduledTimeOf('audit-export', { job: 'audit-export', scheduledTime: '2026-03-03T01:30:00Z' }, now),
    ).toEqual(new Date('2026-03-03T01:30:00Z'));
    expect(scheduledTimeOf('audit-export', {}, now)).toEqual(now());
    expect(() => scheduledTimeOf('audit-export', { job: 'factor-sync' }, now)).toThrow(/not audit-export/);
    expect(() => scheduledTimeOf('audit-export', { scheduledTime: 'yesterday' }, now)).toThrow(
      JobConfigError,
    );
  });
});
