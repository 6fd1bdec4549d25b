/**
 * Where webhook signing secrets live: 0600 files locally, AWS Secrets Manager in AWS.
 * Never SQL, never logs. A reference names the tenant it belongs to, and every call
 * repeats the tenant id, so a reference leaked across tenants still resolves to nothing.
 */

export interface SecretStore {
  /** Stores `value` and returns an opaque reference to keep in the database. */
  create(tenantId: string, value: string): Promise<string>;
  /** NotFoundError when the reference is unknown or belongs to another tenant. */
  get(tenantId: string, ref: string): Promise<string>;
  /** Idempotent: deleting a missing secret is not an error. */
  delete(tenantId: string, ref: string): Promise<void>;
}
