/**
 * Consistent reads of execution items, coalesced: the reads asked for in the same turn of
 * the event loop go out as one BatchGetItem per tenant (up to 100 keys, ConsistentRead) instead
 * of one GetItem each. A worker that receives 10 messages reads their 10 executions in one
 * round trip. A lone read is still a plain GetItem. Keys are grouped by tenant so a request
 * never mixes partitions of two tenants (IAM `dynamodb:LeadingKeys` may bind the caller to
 * one). Keys DynamoDB leaves unprocessed (throttling, the 16 MB response limit) are read
 * one by one, so every caller gets its answer.
 */
import {
  BatchGetItemCommand,
  GetItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { execSk, tenantPk } from './dynamodb-keys.js';

type Item = Record<string, AttributeValue>;

interface Waiter {
  resolve(item: Item | undefined): void;
  reject(err: unknown): void;
}

/** BatchGetItem takes at most 100 keys. */
const MAX_KEYS = 100;

export class GetBatcher {
  /** tenant id -> execution id -> callers waiting for that item. */
  private pending = new Map<string, Map<string, Waiter[]>>();
  private scheduled = false;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  /** The execution item, or undefined when there is none. */
  get(tenantId: string, executionId: string): Promise<Item | undefined> {
    return new Promise((resolve, reject) => {
      let byId = this.pending.get(tenantId);
      if (!byId) this.pending.set(tenantId, (byId = new Map<string, Waiter[]>()));
      const waiters = byId.get(executionId) ?? [];
      waiters.push({ resolve, reject });
      byId.set(executionId, waiters);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Map();
    for (const [tenantId, byId] of batch) {
      const ids = [...byId.keys()];
      for (let i = 0; i < ids.length; i += MAX_KEYS) {
        const chunk = ids.slice(i, i + MAX_KEYS);
        void this.read(tenantId, chunk).then(
          (items) => {
            for (const id of chunk) for (const w of byId.get(id)!) w.resolve(items.get(id));
          },
          (err: unknown) => {
            for (const id of chunk) for (const w of byId.get(id)!) w.reject(err);
          },
        );
      }
    }
  }

  private async read(tenantId: string, ids: readonly string[]): Promise<Map<string, Item | undefined>> {
    const found = new Map<string, Item | undefined>();
    if (ids.length === 1) {
      found.set(ids[0]!, await this.getOne(tenantId, ids[0]!));
      return found;
    }
    const out = await this.client.send(
      new BatchGetItemCommand({
        RequestItems: {
          [this.table]: {
            Keys: ids.map((id) => ({ PK: { S: tenantPk(tenantId) }, SK: { S: execSk(id) } })),
            ConsistentRead: true,
          },
        },
      }),
    );
    const idOfSk = new Map(ids.map((id) => [execSk(id), id]));
    for (const item of out.Responses?.[this.table] ?? []) {
      const id = idOfSk.get(item['SK']?.S ?? '');
      if (id !== undefined) found.set(id, item);
    }
    const unprocessed = new Set((out.UnprocessedKeys?.[this.table]?.Keys ?? []).map((k) => k['SK']?.S ?? ''));
    await Promise.all(
      ids
        .filter((id) => unprocessed.has(execSk(id)))
        .map(async (id) => found.set(id, await this.getOne(tenantId, id))),
    );
    return found;
  }

  private async getOne(tenantId: string, executionId: string): Promise<Item | undefined> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { PK: { S: tenantPk(tenantId) }, SK: { S: execSk(executionId) } },
        ConsistentRead: true,
      }),
    );
    return out.Item;
  }
}
