/**
 * A fake EventBridge endpoint on 127.0.0.1 (no EventBridge is reachable from tests): a
 * node:http server speaking the service's JSON 1.1 protocol for `AWSEvents.PutEvents`,
 * backed by the in-process MemoryBus: accepted entries are parsed and published there, so
 * the test observes them through a real subscriber. Like the service it refuses more than
 * 10 entries per call, and it can fail chosen entries to exercise per-entry retries.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DomainEvent } from '../../lib/domain/events/envelope.js';
import type { MemoryBus } from '../../lib/adapters/local/memory-bus.js';

export interface ReceivedEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly EventBusName: string;
  readonly Time?: number;
}

/** Return an error code to fail this entry on this call, or undefined to accept it. */
export type FailureRule = (entry: ReceivedEntry, call: number) => string | undefined;

export interface FakeEventBridge {
  readonly endpoint: string;
  /** Event ids of each PutEvents call, in order (empty for a call answered with 500). */
  readonly calls: string[][];
  readonly targets: string[];
  failWith(rule: FailureRule | undefined): void;
  /** Answer the next n calls with HTTP 500 (the whole call fails). */
  failNextCalls(n: number): void;
  close(): Promise<void>;
}

export async function startFakeEventBridge(bus: MemoryBus): Promise<FakeEventBridge> {
  let rule: FailureRule | undefined;
  let serverErrors = 0;
  const calls: string[][] = [];
  const targets: string[] = [];
  let nextId = 1;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const target = String(req.headers['x-amz-target']);
        targets.push(target);
        const reply = (status: number, body: unknown): void => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(body));
        };
        if (serverErrors > 0) {
          serverErrors--;
          calls.push([]);
          return reply(500, { __type: 'InternalException', message: 'fake outage' });
        }
        if (target !== 'AWSEvents.PutEvents') {
          return reply(400, { __type: 'UnknownOperationException', message: target });
        }
        const { Entries } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          Entries: ReceivedEntry[];
        };
        const call = calls.length + 1;
        calls.push(Entries.map((e) => (JSON.parse(e.Detail) as { id: string }).id));
        if (Entries.length > 10) {
          return reply(400, { __type: 'ValidationException', message: 'at most 10 entries' });
        }
        const results = [];
        for (const entry of Entries) {
          const code = rule?.(entry, call);
          if (code) {
            results.push({ ErrorCode: code, ErrorMessage: `fake ${code}` });
            continue;
          }
          await bus.publish([JSON.parse(entry.Detail) as DomainEvent]);
          results.push({ EventId: `fake-${nextId++}` });
        }
        reply(200, { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results });
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    targets,
    failWith: (r) => {
      rule = r;
    },
    failNextCalls: (n) => {
      serverErrors = n;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
