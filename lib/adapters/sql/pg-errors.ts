/** PostgreSQL SQLSTATE codes the adapters turn into domain errors. */
export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';
export const CHECK_VIOLATION = '23514';

/** The SQLSTATE of an error from node-postgres or PGlite (both expose `code`). */
export function sqlState(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = err.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** Timestamps come back as Date from both drivers; the domain uses ISO strings. */
export function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}
