/**
 * Offboarding exports on an ObjectStore: in AWS the Object Lock audit bucket (S3ObjectStore),
 * under `offboarding/tenant_id=<id>/<timestamp>.json`. The timestamp keeps every export of a
 * tenant (a second offboarding attempt after a failed delete writes a new object), and the
 * bucket's default retention keeps each one unaltered for the retention period.
 */
import { assertTenantId } from '../domain/execution-ids.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { TenantExportSink } from '../ports/tenant-store.js';

export const OFFBOARDING_PREFIX = 'offboarding/';

export class ObjectStoreExportSink implements TenantExportSink {
  constructor(
    private readonly objects: ObjectStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async put(tenantId: string, json: string): Promise<string> {
    assertTenantId(tenantId);
    const stamp = this.clock().toISOString().replace(/[:.]/g, '-');
    return this.objects.put(
      `${OFFBOARDING_PREFIX}tenant_id=${tenantId}/${stamp}.json`,
      json,
      'application/json',
    );
  }
}
