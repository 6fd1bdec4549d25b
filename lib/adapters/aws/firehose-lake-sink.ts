/**
 * The AWS lake sink: one Firehose delivery stream per lake table (each converts JSON to
 * Parquet with the Glue table's schema and partitions dynamically on the record's
 * `tenant_id` and `dt`). PutRecordBatch takes at most 500 records and 4 MiB, and is not
 * all-or-nothing: failed records are retried with exponential backoff and jitter up to
 * `maxAttempts`, then the write throws so the stream processor retries its records.
 * Records are newline-terminated JSON; timestamps are ISO-8601 with `Z` (OpenX JSON SerDe).
 */
import { PutRecordBatchCommand, type FirehoseClient, type _Record } from '@aws-sdk/client-firehose';
import type { LakeBatch } from '../../lake/row-types.js';
import type { LakeTableName } from '../../lake/tables.js';
import type { LakeSink } from '../../ports/lake-sink.js';

export const PUT_RECORD_BATCH_MAX_RECORDS = 500;
export const PUT_RECORD_BATCH_MAX_BYTES = 4 * 1024 * 1024;
export const FIREHOSE_MAX_RECORD_BYTES = 1000 * 1024;

export interface FirehoseLakeSinkOptions {
  readonly client: FirehoseClient;
  /** Delivery stream name per lake table. */
  readonly streams: Readonly<Partial<Record<LakeTableName, string>>>;
  /** Tries per record, the first included. @default 4 */
  readonly maxAttempts?: number;
  /** @default 100 */
  readonly baseDelayMs?: number;
  /** @default 5000 */
  readonly maxDelayMs?: number;
  /** Injectable for tests. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

/** Records Firehose still refused after every retry; the caller must retry its source. */
export class LakeDeliveryError extends Error {
  constructor(
    readonly stream: string,
    readonly failed: number,
    readonly lastErrorCode: string | undefined,
  ) {
    super(`${failed} lake record(s) not delivered to ${stream}: ${lastErrorCode ?? 'unknown error'}`);
    this.name = 'LakeDeliveryError';
  }
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class FirehoseLakeSink implements LakeSink {
  constructor(private readonly options: FirehoseLakeSinkOptions) {}

  async write(batches: readonly LakeBatch[]): Promise<void> {
    const byStream = new Map<string, Uint8Array[]>();
    for (const b of batches) {
      const stream = this.options.streams[b.table];
      if (!stream) throw new Error(`no Firehose delivery stream configured for lake table ${b.table}`);
      const records = byStream.get(stream) ?? [];
      for (const row of b.rows) records.push(encodeRecord({ ...row, tenant_id: b.tenantId, dt: b.dt }));
      byStream.set(stream, records);
    }
    for (const [stream, records] of byStream) {
      for (const chunk of chunkRecords(stream, records)) await this.put(stream, chunk);
    }
  }

  private async put(stream: string, records: Uint8Array[]): Promise<void> {
    const { client, maxAttempts = 4, baseDelayMs = 100, maxDelayMs = 5000 } = this.options;
    const sleep = this.options.sleep ?? defaultSleep;
    const random = this.options.random ?? Math.random;
    let pending = records;
    let lastCode: string | undefined;
    for (let attempt = 1; ; attempt++) {
      const res = await client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: stream,
          Records: pending.map((Data): _Record => ({ Data })),
        }),
      );
      if (!res.FailedPutCount) return;
      const failed: Uint8Array[] = [];
      (res.RequestResponses ?? []).forEach((r, i) => {
        if (r.ErrorCode) {
          lastCode = r.ErrorCode;
          failed.push(pending[i]!);
        }
      });
      if (failed.length === 0) return;
      if (attempt >= Math.max(1, maxAttempts)) throw new LakeDeliveryError(stream, failed.length, lastCode);
      pending = failed;
      const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.round(cap / 2 + random() * (cap / 2)));
    }
  }
}

export function encodeRecord(row: Readonly<Record<string, unknown>>): Uint8Array {
  return Buffer.from(`${JSON.stringify(row)}\n`, 'utf8');
}

/** Consecutive chunks within both PutRecordBatch limits, order kept. */
export function chunkRecords(stream: string, records: readonly Uint8Array[]): Uint8Array[][] {
  const chunks: Uint8Array[][] = [];
  let current: Uint8Array[] = [];
  let bytes = 0;
  for (const r of records) {
    if (r.byteLength > FIREHOSE_MAX_RECORD_BYTES)
      throw new Error(
        `a lake record for ${stream} is ${r.byteLength} bytes; Firehose takes at most 1000 KiB`,
      );
    if (
      current.length === PUT_RECORD_BATCH_MAX_RECORDS ||
      bytes + r.byteLength > PUT_RECORD_BATCH_MAX_BYTES
    ) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += r.byteLength;
  }
  if (current.length) chunks.push(current);
  return chunks;
}
