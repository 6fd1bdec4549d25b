/**
 * Opaque page cursors: base64url JSON of DynamoDB's LastEvaluatedKey plus the query it
 * belongs to. Decoding checks the shape, the query and that every key stays inside the
 * caller's tenant partition, so an edited cursor cannot read another tenant's items.
 */
import * as z from 'zod';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../../domain/errors.js';

const cursorSchema = z.object({
  v: z.literal(1),
  q: z.string().max(300),
  k: z.record(z.string().max(20), z.string().max(1024)),
});

export function encodeCursor(
  query: string,
  lastKey: Record<string, AttributeValue> | undefined,
): string | undefined {
  if (!lastKey) return undefined;
  const k: Record<string, string> = {};
  for (const [name, value] of Object.entries(lastKey)) {
    if (value.S === undefined) throw new TypeError(`key attribute ${name} is not a string`);
    k[name] = value.S;
  }
  return Buffer.from(JSON.stringify({ v: 1, q: query, k }), 'utf8').toString('base64url');
}

function tampered(reason: string): never {
  throw new ValidationError(
    [
      {
        path: 'cursor',
        message: `Invalid cursor (${reason}); pass the cursor of the previous page unchanged`,
      },
    ],
    'Invalid cursor',
  );
}

/**
 * @param query the same query string given to encodeCursor
 * @param bounds each key attribute of the index queried and the prefix its value must
 *   have: partition keys get their full value (`TENANT#<id>`), sort keys their item prefix.
 */
export function decodeCursor(
  cursor: string | undefined,
  query: string,
  bounds: Readonly<Record<string, { readonly equals?: string; readonly prefix?: string }>>,
): Record<string, AttributeValue> | undefined {
  if (cursor === undefined) return undefined;
  if (typeof cursor !== 'string' || cursor.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    tampered('not base64url');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    tampered('not readable');
  }
  const parsed = cursorSchema.safeParse(raw);
  if (!parsed.success) tampered('unexpected shape');
  const { q, k } = parsed.data;
  if (q !== query) tampered('it belongs to a different query');
  const names = Object.keys(k).sort();
  if (names.join(',') !== Object.keys(bounds).sort().join(',')) tampered('unexpected key attributes');
  const out: Record<string, AttributeValue> = {};
  for (const [name, bound] of Object.entries(bounds)) {
    const value = k[name]!;
    if (bound.equals !== undefined && value !== bound.equals) tampered('it points outside this query');
    if (bound.prefix !== undefined && !value.startsWith(bound.prefix))
      tampered('it points outside this query');
    out[name] = { S: value };
  }
  return out;
}
