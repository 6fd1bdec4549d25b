/**
 * Batches in the execution table (same table definition): a head item `TENANT#<id>` /
 * `BATCH#<id>` and the execution ids in chunks of 1,000 under `BATCH#<id>#IDS#<nnnnn>`
 * (10,000 ids would not fit the 400 KB item limit). Chunks are written before the head, so
 * a head that exists always has all its chunks.
 */
import { BatchWriteItemCommand, GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NotFoundError } from '../../domain/errors.js';
import type { Batch, BatchStore } from '../../services/batches.js';
import { tenantPk } from './dynamodb-keys.js';

const CHUNK = 1_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const headSk = (batchId: string): string => `BATCH#${batchId}`;
const chunkSk = (batchId: string, n: number): string => `BATCH#${batchId}#IDS#${String(n).padStart(5, '0')}`;

export class DynamoDbBatchStore implements BatchStore {
  constructor(private readonly options: { client: DynamoDBClient; tableName: string }) {}

  async put(batch: Batch): Promise<void> {
    const pk = tenantPk(batch.tenantId);
    const chunks: string[][] = [];
    for (let i = 0; i < batch.executionIds.length; i += CHUNK) {
      chunks.push(batch.executionIds.slice(i, i + CHUNK));
    }
    // BatchWriteItem takes 25 puts; each chunk item is ~37 KB, well under the 16 MB request cap.
    for (let i = 0; i < chunks.length; i += 25) {
      let requests = chunks.slice(i, i + 25).map((ids, j) => ({
        PutRequest: {
          Item: {
            PK: { S: pk },
            SK: { S: chunkSk(batch.batchId, i + j) },
            ids: { S: ids.join(',') },
          },
        },
      }));
      while (requests.length > 0) {
        const out = await this.options.client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.options.tableName]: requests } }),
        );
        requests = (out.UnprocessedItems?.[this.options.tableName] ?? []) as typeof requests;
      }
    }
    await this.options.client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [this.options.tableName]: [
            {
              PutRequest: {
                Item: {
                  PK: { S: pk },
                  SK: { S: headSk(batch.batchId) },
                  agentId: { S: batch.agentId },
                  agentVersion: { S: batch.agentVersion },
                  total: { N: String(batch.executionIds.length) },
                  chunks: { N: String(chunks.length) },
                  createdAt: { S: batch.createdAt },
                },
              },
            },
          ],
        },
      }),
    );
  }

  async get(tenantId: string, batchId: string): Promise<Batch> {
    if (!UUID.test(batchId)) throw new NotFoundError('batch', batchId);
    const pk = tenantPk(tenantId);
    const head = await this.getItem(pk, headSk(batchId));
    if (!head) throw new NotFoundError('batch', batchId);
    const chunkCount = Number(head.chunks?.N ?? '0');
    const chunks = await Promise.all(
      Array.from({ length: chunkCount }, (_, n) => this.getItem(pk, chunkSk(batchId, n))),
    );
    const executionIds = chunks.flatMap((c) => (c?.ids?.S ? c.ids.S.split(',') : []));
    return {
      batchId,
      tenantId,
      agentId: head.agentId?.S ?? '',
      agentVersion: head.agentVersion?.S ?? '',
      executionIds,
      createdAt: head.createdAt?.S ?? '',
    };
  }

  private async getItem(pk: string, sk: string) {
    const out = await this.options.client.send(
      new GetItemCommand({
        TableName: this.options.tableName,
        Key: { PK: { S: pk }, SK: { S: sk } },
        ConsistentRead: true,
      }),
    );
    return out.Item;
  }
}
