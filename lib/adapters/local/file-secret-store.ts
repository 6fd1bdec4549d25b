/**
 * Local-mode SecretStore: one file per secret under `<dataDir>/secrets/<tenantId>/`,
 * directories 0700 and files 0600 (created with that mode, never chmod-ed afterwards, so
 * there is no window in which another user could read them). References look like
 * `file:<tenantId>/<uuid>` and are checked against a strict pattern before any path is
 * built: a forged reference cannot walk out of the directory or into another tenant's.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError } from '../../domain/errors.js';
import { assertTenantId } from '../../domain/execution-ids.js';
import type { SecretStore } from '../../ports/secret-store.js';

const REF = /^file:([0-9a-f-]{36})\/([0-9a-f-]{36})$/;

export class FileSecretStore implements SecretStore {
  private readonly root: string;

  /** @param dataDir the platform data directory (e.g. `.data`); secrets go in `secrets/`. */
  constructor(dataDir: string) {
    this.root = join(dataDir, 'secrets');
  }

  async create(tenantId: string, value: string): Promise<string> {
    assertTenantId(tenantId);
    const id = randomUUID();
    const dir = join(this.root, tenantId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // Write then rename: a reader never sees a half-written secret.
    const tmp = join(dir, `.${id}.tmp`);
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(value, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(dir, id));
    return `file:${tenantId}/${id}`;
  }

  async get(tenantId: string, ref: string): Promise<string> {
    const path = this.pathOf(tenantId, ref);
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('secret', ref);
      throw err;
    }
  }

  async delete(tenantId: string, ref: string): Promise<void> {
    await rm(this.pathOf(tenantId, ref), { force: true });
  }

  private pathOf(tenantId: string, ref: string): string {
    assertTenantId(tenantId);
    const m = REF.exec(ref);
    if (!m || m[1] !== tenantId) throw new NotFoundError('secret', ref.slice(0, 120));
    return join(this.root, tenantId, m[2]!);
  }
}
