/**
 * DynamoDB stand-in for local mode and tests: dynalite on a loopback port, in a worker thread
 * of its own. The adapter talks to it through the same @aws-sdk/client-dynamodb code used in
 * AWS. In the thread, dynalite's request parsing and LevelDB work run beside the API and the
 * workers instead of on their event loop (measured with `npm run bench:engine`), the way a
 * separate DynamoDB service would.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

export interface DynaliteOptions {
  /** LevelDB directory (e.g. `.data/dynamodb`) to keep data; in-memory when absent. */
  readonly path?: string;
}

export interface RunningDynalite {
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * The thread's code. Plain CommonJS run with `eval` so it needs no TypeScript loader in the
 * thread (tsx, vitest and compiled builds alike); dynalite is required by its resolved path.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const dynalite = require(workerData.dynalite);
// createTableMs 0: tables are ACTIVE at once, so bootstrap need not poll.
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: workerData.path });
// Node closes idle keep-alive sockets after 5 s, while the SDK's agent keeps reusing them: a
// request after a pause then fails with ECONNRESET (the client makes one attempt). The only
// clients are this process's SDK clients, so idle sockets may stay open until close.
server.keepAliveTimeout = 0;
server.once('error', (err) => parentPort.postMessage({ error: String(err && err.stack || err) }));
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  server.close((err) => {
    parentPort.postMessage({ closed: true, error: err ? String(err) : undefined });
    parentPort.close();
  });
  server.closeAllConnections();
});
`;

type ThreadMessage = { port?: number; error?: string; closed?: boolean };

export async function startDynalite(options: DynaliteOptions = {}): Promise<RunningDynalite> {
  if (options.path) mkdirSync(options.path, { recursive: true });
  const worker = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: { dynalite: createRequire(import.meta.url).resolve('dynalite'), path: options.path },
  });
  const port = await new Promise<number>((resolve, reject) => {
    const fail = (err: unknown) => reject(err instanceof Error ? err : new Error(String(err)));
    worker.once('error', fail);
    worker.once('exit', (code) => fail(new Error(`dynalite thread exited (code ${code}) before listening`)));
    worker.once('message', (m: ThreadMessage) => {
      worker.removeAllListeners('exit');
      if (m.port === undefined) fail(new Error(`dynalite did not start: ${m.error ?? 'no port'}`));
      else resolve(m.port);
    });
  });
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        worker.once('message', (m: ThreadMessage) => {
          if (m.error) reject(new Error(m.error));
        });
        worker.once('exit', () => resolve());
        worker.postMessage('close');
      })),
  };
}

/**
 * dynalite wants a well-formed SigV4 Authorization header but never checks the signature, so
 * the local client sends a fixed one instead of hashing every request (SigV4 was several
 * per cent of the engine's CPU in `npm run bench:engine`). Real DynamoDB clients sign.
 */
const unsignedForDynalite: DynamoDBClientConfig['signer'] = {
  sign: (request) => {
    request.headers['x-amz-date'] = '20260101T000000Z';
    request.headers['authorization'] =
      'AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, ' +
      'SignedHeaders=host;x-amz-date, Signature=0';
    return Promise.resolve(request);
  },
};

/** A client for dynalite: fixed region, dummy credentials and signature (dynalite checks none). */
export function dynaliteClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    signer: unsignedForDynalite,
    maxAttempts: 1,
  });
}
