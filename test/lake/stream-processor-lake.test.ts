/**
 * The AWS write path: DynamoDB stream records of execution items -> the stream processor ->
 * LakeWriter -> FirehoseLakeSink -> a fake Firehose endpoint (real SDK client, JSON 1.1).
 * The items are encoded by the store's own codec; the output is a real agent run.
 */
import { readFileSync } from 'node:fs';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStreamHandler } from '../../lambdas/stream-processor/handler.js';
import { executionItem } from '../../lib/adapters/aws/dynamodb-execution-codec.js';
import { FirehoseLakeSink } from '../../lib/adapters/aws/firehose-lake-sink.js';
import { MemoryBus } from '../../lib/adapters/local/memory-bus.js';
import { cbamAgent } from '../../lib/agents/cbam/index.js';
import { runAgent } from '../../lib/agents/runner.js';
import type { Execution } from '../../lib/domain/execution.js';
import { FactorCatalogue } from '../../lib/factors/catalogue.js';
import { lakeStreamNames } from '../../lib/lake/layout.js';
import { LakeWriter } from '../../lib/services/lake-writer.js';
import { startFakeFirehose, type FakeFirehose } from './fake-firehose.js';

const TENANT = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
let fake: FakeFirehose;

beforeEach(async () => {
  fake = await startFakeFirehose();
});
afterEach(() => fake.close());

function handler() {
  const client = new FirehoseClient({
    endpoint: fake.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' },
    maxAttempts: 1,
  });
  const sink = new FirehoseLakeSink({
    client,
    streams: lakeStreamNames('glaf-test-lake-'),
    maxAttempts: 2,
    sleep: () => Promise.resolve(),
  });
  return createStreamHandler(new MemoryBus(), new LakeWriter(sink));
}

async function cbamRun(): Promise<{ running: Execution; completed: Execution; output: unknown }> {
  const input = JSON.parse(readFileSync('lib/agents/examples/cbam.json', 'utf8')) as unknown;
  const result = await runAgent(cbamAgent, input, { factors: FactorCatalogue.builtin() });
  if (!result.ok) throw new Error('cbam example refused');
  const running: Execution = {
    tenantId: TENANT,
    executionId: 'exec-1',
    agentId: 'cbam',
    agentVersion: cbamAgent.version,
    status: 'RUNNING',
    input,
    priority: 1,
    attempts: 1,
    requestHash: 'h',
    createdAt: '2026-03-31T23:59:59.000Z',
    updatedAt: '2026-04-01T00:00:00.000Z',
    expiresAt: 0,
  };
  const completed: Execution = {
    ...running,
    status: 'COMPLETED',
    output: result.output,
    updatedAt: '2026-04-01T00:00:01.250Z',
  };
  return { running, completed, output: result.output };
}

function image(e: Execution): Record<string, AttributeValue> {
  const item = executionItem(e, JSON.stringify(e.input));
  if (e.output !== undefined) item['output'] = { S: JSON.stringify(e.output) };
  return item;
}

const record = (seq: string, before: Execution | undefined, after: Execution): DynamoDBRecord => ({
  eventID: seq,
  eventName: before ? 'MODIFY' : 'INSERT',
  dynamodb: {
    SequenceNumber: seq,
    // The Lambda event's images have the DynamoDB JSON shape.
    NewImage: image(after) as never,
    ...(before ? { OldImage: image(before) as never } : {}),
  },
});

describe('stream processor -> lake', () => {
  it('writes a completed execution to the executions and cbam_import_lines streams; a claim writes nothing', async () => {
    // Prepare
    const { running, completed, output } = await cbamRun();
    const pending: Execution = { ...running, status: 'PENDING', attempts: 0 };
    // Act
    const res = await handler()({
      Records: [record('1', pending, running), record('2', running, completed)],
    });
    // Assess
    expect(res.batchItemFailures).toEqual([]);
    const execs = fake.delivered
      .get('glaf-test-lake-executions')!
      .map((r) => JSON.parse(r) as Record<string, unknown>);
    expect(execs).toHaveLength(1);
    expect(execs[0]).toMatchObject({
      execution_id: 'exec-1',
      status: 'COMPLETED',
      duration_ms: 2250,
      tenant_id: TENANT,
      dt: '2026-04-01',
    });
    const lines = fake.delivered
      .get('glaf-test-lake-cbam_import_lines')!
      .map((r) => JSON.parse(r) as Record<string, unknown>);
    const agentLines = (output as { lines: { cn_code: string; total: { embedded_tco2e: number } }[] }).lines;
    expect(lines.map((l) => [l['cn_code'], l['total_tco2e']])).toEqual(
      agentLines.map((l) => [l.cn_code, l.total.embedded_tco2e]),
    );
    expect(fake.delivered.has('glaf-test-lake-emission_results')).toBe(false);
  });

  it('reports the record for retry when the lake refuses its rows', async () => {
    // Prepare
    const { running, completed } = await cbamRun();
    fake.failWith(() => 'ServiceUnavailableException');
    // Act
    const res = await handler()({ Records: [record('7', running, completed)] });
    // Assess
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: '7' }]);
  });
});
