/**
 * Where offboarding writes a tenant's export in local mode: a JSON file under
 * `<dataDir>/exports/` (0600: it holds every row the tenant had). S3 with Object Lock in AWS.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TenantExportSink } from '../../ports/tenant-store.js';

export class FileExportSink implements TenantExportSink {
  constructor(
    private readonly dir: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async put(tenantId: string, json: string): Promise<string> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const stamp = this.clock().toISOString().replace(/[:.]/g, '-');
    const file = join(this.dir, `${tenantId}-${stamp}.json`);
    // 'wx': never overwrite an earlier export.
    await writeFile(file, json, { mode: 0o600, flag: 'wx' });
    return file;
  }
}
