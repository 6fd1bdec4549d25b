/** FirehoseLakeSink through the real AWS SDK client against the fake endpoint on 127.0.0.1. */
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FirehoseLakeSink,
  LakeDeliveryError,
  type FirehoseLakeSinkOptions,
} from '../../lib/adapters/aws/firehose-lake-sink.js';
import type { LakeBatch } from '../../lib/lake/row-types.js';
import { startFakeFirehose, type FakeFirehose } from './fake-firehose.js';

const TENANT = '0b7c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3';
let fake: FakeFirehose;
let sleeps: number[];

beforeEach(async () => {
  fake = await startFakeFirehose();
  sleeps = [];
});
afterEach(() => fake.close());

function sink(extra: Partial<FirehoseLakeSinkOptions> = {}): FirehoseLakeSink {
  const client = new FirehoseClient({
    endpoint: fake.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' },
    maxAttempts: 1,
  });
  return new FirehoseLakeSink({
    client,
    streams: { emission_results: 'lake-emission-results', executions: 'lake-executions' },
    maxAttempts: 3,
    baseDelayMs: 100,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    ...extra,
  });
}

const emissions = (n: number, pad = 0): LakeBatch => ({
  table: 'emission_results',
  tenantId: TENANT,
  dt: '2026-01-02',
  rows: Array.from({ length: n }, (_, i) => ({
    execution_id: `e-${i}`,
    line_index: i,
    co2e_kg: i * 1.5,
    computed_at: '2026-01-02T03:04:05.678Z',
    site: pad ? 'x'.repeat(pad) : null,
  })),
});

describe('FirehoseLakeSink.write', () => {
  it('sends each row as one newline-terminated JSON record with tenant_id and dt for dynamic partitioning', async () => {
    // Act
    await sink().write([
      emissions(2),
      { table: 'executions', tenantId: TENANT, dt: '2026-01-02', rows: [{ execution_id: 'e-0' }] },
    ]);
    // Assess
    const records = fake.delivered.get('lake-emission-results')!;
    expect(records).toHaveLength(2);
    expect(records.every((r) => r.endsWith('\n'))).toBe(true);
    expect(JSON.parse(records[1]!)).toEqual({
      execution_id: 'e-1',
      line_index: 1,
      co2e_kg: 1.5,
      computed_at: '2026-01-02T03:04:05.678Z',
      site: null,
      tenant_id: TENANT,
      dt: '2026-01-02',
    });
    expect(fake.delivered.get('lake-executions')!.map((r) => JSON.parse(r) as unknown)).toEqual([
      { execution_id: 'e-0', tenant_id: TENANT, dt: '2026-01-02' },
    ]);
  });

  it('splits into calls of at most 500 records, in order', async () => {
    // Act
    await sink().write([emissions(1201)]);
    // Assess
    expect(fake.callSizes).toEqual([500, 500, 201]);
    const ids = fake.delivered
      .get('lake-emission-results')!
      .map((r) => (JSON.parse(r) as { line_index: number }).line_index);
    expect(ids).toEqual(Array.from({ length: 1201 }, (_, i) => i));
  });

  it('keeps each call within 4 MiB', async () => {
    // Prepare: 60 records of ~100 KiB = ~6 MiB
    const batch = emissions(60, 100 * 1024);
    // Act
    await sink().write([batch]);
    // Assess
    expect(fake.callSizes.length).toBeGreaterThan(1);
    expect(Math.max(...fake.callBytes)).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(fake.callSizes.reduce((a, b) => a + b, 0)).toBe(60);
  });

  it('retries only the records that failed, with backoff, and delivers all', async () => {
    // Prepare: records 3 and 7 throttled on the first call
    fake.failWith((record, call) =>
      call === 1 && /"line_index":(3|7),/.test(record) ? 'ServiceUnavailableException' : undefined,
    );
    // Act
    await sink().write([emissions(10)]);
    // Assess
    expect(fake.callSizes).toEqual([10, 2]);
    expect(sleeps).toEqual([75]);
    expect(fake.delivered.get('lake-emission-results')).toHaveLength(10);
  });

  it('throws LakeDeliveryError when records still fail after maxAttempts', async () => {
    // Prepare
    fake.failWith((record) => (/"line_index":4,/.test(record) ? 'ServiceUnavailableException' : undefined));
    // Act
    const write = sink().write([emissions(6)]);
    // Assess
    await expect(write).rejects.toBeInstanceOf(LakeDeliveryError);
    await expect(write).rejects.toThrow(
      /1 lake record\(s\) not delivered to lake-emission-results: ServiceUnavailableException/,
    );
    expect(fake.callSizes).toEqual([6, 1, 1]);
    expect(fake.delivered.get('lake-emission-results')).toHaveLength(5);
  });

  it('refuses a table without a configured stream before sending anything', async () => {
    // Act
    const write = sink().write([
      { table: 'eudr_checks', tenantId: TENANT, dt: '2026-01-02', rows: [{ a: 1 }] },
    ]);
    // Assess
    await expect(write).rejects.toThrow(/no Firehose delivery stream configured for lake table eudr_checks/);
    expect(fake.callSizes).toEqual([]);
  });
});
