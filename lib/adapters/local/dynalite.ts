/**
 * DynamoDB stand-in for local mode and tests: dynalite in-process on a loopback port.
 * The adapter talks to it through the same @aws-sdk/client-dynamodb code used in AWS.
 */
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import dynalite from 'dynalite';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface DynaliteOptions {
  /** LevelDB directory (e.g. `.data/dynamodb`) to keep data; in-memory when absent. */
  readonly path?: string;
}

export interface RunningDynalite {
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startDynalite(options: DynaliteOptions = {}): Promise<RunningDynalite> {
  if (options.path) mkdirSync(options.path, { recursive: true });
  // createTableMs 0: tables are ACTIVE at once, so bootstrap need not poll.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: options.path });
  // Node closes idle keep-alive sockets after 5 s, while the SDK's agent keeps reusing them: a
  // request after a pause then fails with ECONNRESET (the client makes one attempt). The only
  // client is this process's SDK, so idle sockets may stay open until close.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

/** A client for dynalite: fixed region and dummy credentials (dynalite checks neither). */
export function dynaliteClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}
