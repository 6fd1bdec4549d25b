/**
 * ObjectStore on a directory (local mode and tests): the key is the relative path. Files are
 * 0600 in 0700 directories: archives and exports hold tenant data.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ValidationError } from '../../domain/errors.js';
import { OBJECT_KEY_RE, type ObjectStore } from '../../ports/object-store.js';

export class FileObjectStore implements ObjectStore {
  constructor(private readonly root: string) {}

  async put(key: string, body: string): Promise<string> {
    if (!OBJECT_KEY_RE.test(key))
      throw new ValidationError([{ path: 'key', message: `invalid key '${key}'` }]);
    const file = join(this.root, key);
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    // Write then rename: a reader never sees half an object, a re-run replaces it whole.
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, body, { mode: 0o600 });
    await rename(tmp, file);
    return file;
  }
}
