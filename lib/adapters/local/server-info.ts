/**
 * `<dataDir>/server.json`: written while a local platform serves a data directory, so other
 * processes (the `token` command) know the embedded database is in use and ask the API.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';

const ServerInfoSchema = z.object({ url: z.url(), pid: z.number().int().positive() });
export type ServerInfo = z.infer<typeof ServerInfoSchema>;

const fileOf = (dataDir: string): string => join(dataDir, 'server.json');

export async function writeServerInfo(dataDir: string, info: ServerInfo): Promise<void> {
  await writeFile(fileOf(dataDir), `${JSON.stringify(info)}\n`, { mode: 0o600 });
}

export async function removeServerInfo(dataDir: string): Promise<void> {
  await rm(fileOf(dataDir), { force: true });
}

/** The running server, or null when none is recorded or its process is gone (a crash). */
export async function readServerInfo(dataDir: string): Promise<ServerInfo | null> {
  let raw: string;
  try {
    raw = await readFile(fileOf(dataDir), 'utf8');
  } catch {
    return null;
  }
  const parsed = ServerInfoSchema.safeParse(JSON.parse(raw) as unknown);
  if (!parsed.success || !alive(parsed.data.pid)) return null;
  return parsed.data;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
