/**
 * The README's first command block, as a newcomer runs it: `npm start`, paste the printed
 * token and curl command, Ctrl-C, start again, read the execution back. `npm start` runs
 * in its own process group and Ctrl-C is SIGINT to that whole group, as a terminal sends
 * it. `--port 0 --data-dir <tmp>` keep it off port 3000 and the repository's `.data/`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { call, newDataDir } from './harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const sh = promisify(execFile);

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly token: string;
  readonly curl: string;
  readonly output: () => string;
}

async function npmStart(dataDir: string): Promise<Started> {
  const child = spawn('npm', ['start', '--', '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    detached: true, // its own process group, like a terminal's foreground job
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      // The banner's last line: output can arrive in chunks that split a line.
      if (/Stop with Ctrl-C.*\n/.test(out)) resolve();
    };
    child.stdout.on('data', check);
    child.once('exit', (code) =>
      reject(new Error(`npm start exited (${code}) before it was ready:\n${out}`)),
    );
  });
  const url = /running at (http:\/\/\S+)/.exec(out)?.[1];
  const token = /^export TOKEN=(\S+)$/m.exec(out)?.[1];
  const curl = /^(curl .*)\n/m.exec(out)?.[1];
  if (!url || !token || !curl) throw new Error(`unexpected banner:\n${out}`);
  return { child, url, token, curl, output: () => out };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ctrl-C: SIGINT to the process group. Resolves once every process of the group has gone
 * and their output is flushed (the pipes close only when the last writer exits). npm
 * itself re-raises the SIGINT, as a shell job stopped with Ctrl-C does.
 */
async function ctrlC(s: Started): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    s.child.once('close', (code, signal) => resolve({ code, signal })),
  );
  process.kill(-s.child.pid!, 'SIGINT');
  const result = await closed;
  for (let i = 0; i < 100 && groupAlive(s.child.pid!); i++) await new Promise((r) => setTimeout(r, 100));
  expect(groupAlive(s.child.pid!)).toBe(false);
  return result;
}

describe('README first command block (npm start)', () => {
  const running: Started[] = [];
  let dataDir: string | undefined;
  afterAll(async () => {
    for (const s of running) if (groupAlive(s.child.pid!)) process.kill(-s.child.pid!, 'SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('starts, runs the printed curl, stops cleanly on Ctrl-C and finds the execution after a restart', async () => {
    const readme = await readFile(`${ROOT}/README.md`, 'utf8');
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock.trim().split('\n').slice(0, 2)).toEqual(['npm ci', 'npm start']);

    dataDir = await newDataDir();
    const first = await npmStart(dataDir);
    running.push(first);
    expect(first.curl).toContain(`${first.url}/v1/executions`);
    const { stdout } = await sh('sh', ['-c', first.curl], { env: { ...process.env, TOKEN: first.token } });
    const execution = JSON.parse(stdout) as { execution_id: string; status: string; output: unknown };
    expect(execution.status).toBe('COMPLETED');

    const stopped = await ctrlC(first);
    expect(stopped.code === 0 || stopped.signal === 'SIGINT').toBe(true);
    // The server's own shutdown ran to the end (server, dynalite and PGlite closed).
    expect(first.output()).toContain('stopped cleanly');
    expect(first.output()).not.toMatch(/Error|unhandled/i);

    const second = await npmStart(dataDir);
    running.push(second);
    // The token printed by the first run still works: the issuer's key stayed in the data directory.
    const again = await call(second.url, 'GET', `/v1/executions/${execution.execution_id}`, {
      token: first.token,
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ execution_id: execution.execution_id, status: 'COMPLETED' });
    expect((again.body as { output: unknown }).output).toEqual(execution.output);
    await ctrlC(second);
    expect(second.output()).toContain('stopped cleanly');
  }, 180_000); // two cold starts of a child process (PGlite, dynalite) on a shared 2-core machine
});
