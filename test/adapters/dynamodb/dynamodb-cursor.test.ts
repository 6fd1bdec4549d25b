import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../lib/adapters/aws/dynamodb-cursor.js';
import { ValidationError } from '../../../lib/domain/errors.js';

describe('page cursors', () => {
  const bounds = { PK: { equals: 'TENANT#a' }, SK: { prefix: 'EXEC#' } };
  const key = { PK: { S: 'TENANT#a' }, SK: { S: 'EXEC#1' } };

  it('round-trips a LastEvaluatedKey as base64url', () => {
    const cursor = encodeCursor('all', key)!;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 'all', bounds)).toEqual(key);
    expect(encodeCursor('all', undefined)).toBeUndefined();
    expect(decodeCursor(undefined, 'all', bounds)).toBeUndefined();
  });

  it.each([
    ['garbage', '!!!'],
    ['not JSON', Buffer.from('{nope').toString('base64url')],
    ['wrong version', Buffer.from(JSON.stringify({ v: 2, q: 'all', k: {} })).toString('base64url')],
    [
      'non-string key',
      Buffer.from(JSON.stringify({ v: 1, q: 'all', k: { PK: 1, SK: 'EXEC#1' } })).toString('base64url'),
    ],
    ['other tenant', encodeCursor('all', { PK: { S: 'TENANT#b' }, SK: { S: 'EXEC#1' } })!],
    ['other item type', encodeCursor('all', { PK: { S: 'TENANT#a' }, SK: { S: 'USAGE#2025-01' } })!],
    ['other query', encodeCursor('status=RUNNING', key)!],
  ])('refuses %s', (_label, cursor) => {
    const err = (() => {
      try {
        decodeCursor(cursor, 'all', bounds);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues[0]?.path).toBe('cursor');
  });
});
