import { describe, expect, it } from 'vitest';
import { EXECUTION_TABLE } from '../../../lib/config/execution-table.js';

describe('execution table definition', () => {
  it('pins the keys, indexes, TTL, stream and billing both the stack and the local bootstrap use', () => {
    expect(EXECUTION_TABLE.partitionKey).toEqual({ name: 'PK', type: 'S' });
    expect(EXECUTION_TABLE.sortKey).toEqual({ name: 'SK', type: 'S' });
    expect(
      EXECUTION_TABLE.globalSecondaryIndexes.map((g) => [g.indexName, g.partitionKey.name, g.sortKey.name]),
    ).toEqual([
      ['ByStatus', 'GSI1PK', 'GSI1SK'],
      ['ByAgent', 'GSI2PK', 'GSI2SK'],
    ]);
    expect(EXECUTION_TABLE.timeToLiveAttribute).toBe('expiresAt');
    expect(EXECUTION_TABLE.stream).toBe('NEW_AND_OLD_IMAGES');
    expect(EXECUTION_TABLE.billing).toBe('PAY_PER_REQUEST');
  });
});
