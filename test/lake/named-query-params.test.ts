/**
 * The tenant parameter convention of the named queries (lib/lake/named-queries.ts): every
 * query carries `tenant_id IN (?)` and no other placeholder; binding repeats the placeholder
 * per tenant and refuses anything but lower-case UUIDs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bindTenants, loadNamedQueries, TENANT_MARKER } from '../../lib/lake/named-queries.js';

const A = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const B = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c';

describe('named query tenant parameter', () => {
  it('every shipped query filters its tenants with the marker, and has no other placeholder', () => {
    const queries = loadNamedQueries();
    expect(queries.length).toBe(7);
    for (const q of queries) {
      expect({ name: q.name, marker: q.sql.includes(TENANT_MARKER) }).toEqual({ name: q.name, marker: true });
      expect(q.sql.split('?').length - 1).toBe(q.sql.split(TENANT_MARKER).length - 1);
    }
  });

  it('binds one tenant as published, several by repeating the placeholder', () => {
    expect(bindTenants({ name: 'x', sql: `SELECT 1 FROM t WHERE ${TENANT_MARKER}` }, [A])).toEqual({
      sql: 'SELECT 1 FROM t WHERE tenant_id IN (?)',
      params: [A],
    });
    const two = bindTenants(
      {
        name: 'y',
        sql: `SELECT 1 FROM t WHERE ${TENANT_MARKER} UNION ALL SELECT 2 FROM u WHERE ${TENANT_MARKER}`,
      },
      [A, B, A],
    );
    expect(two).toEqual({
      sql: 'SELECT 1 FROM t WHERE tenant_id IN (?, ?) UNION ALL SELECT 2 FROM u WHERE tenant_id IN (?, ?)',
      params: [A, B, A, B],
    });
  });

  it('refuses no tenants and anything that is not a lower-case uuid', () => {
    const q = loadNamedQueries()[0]!;
    expect(() => bindTenants(q, [])).toThrow(/name at least one tenant/);
    for (const bad of ["x' OR '1'='1", A.toUpperCase(), `${A} `, 'demo'])
      expect(() => bindTenants(q, [bad])).toThrow(/not a tenant id/);
    // Positive control: the same query with a valid id binds.
    expect(bindTenants(q, [A]).params).toEqual([A]);
  });

  it('refuses a query file without the marker or with another placeholder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glaf-nq-'));
    try {
      writeFileSync(join(dir, 'a.sql'), '-- no tenant predicate here\nSELECT 1 FROM executions');
      expect(() => loadNamedQueries(dir)).toThrow(/must filter its tenants with 'tenant_id IN \(\?\)'/);
      writeFileSync(
        join(dir, 'a.sql'),
        `-- extra placeholder\nSELECT 1 FROM executions WHERE ${TENANT_MARKER} AND status = ?`,
      );
      expect(() => loadNamedQueries(dir)).toThrow(/the only '\?' allowed/);
      writeFileSync(join(dir, 'a.sql'), `-- fine\nSELECT 1 FROM executions WHERE ${TENANT_MARKER}`);
      expect(loadNamedQueries(dir).map((q) => q.name)).toEqual(['a']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
