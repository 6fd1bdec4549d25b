/**
 * A real webhook receiver on 127.0.0.1 (port 0) for delivery tests. It answers with the
 * scripted statuses in order (then the last one forever) and keeps every request it got.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Receiver {
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** Replace the status script; requests already received are kept. */
  script(statuses: readonly number[]): void;
  close(): Promise<void>;
}

export async function startReceiver(statuses: readonly number[] = [200]): Promise<Receiver> {
  let script = [...statuses];
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const status = script.length > 1 ? script.shift()! : (script[0] ?? 200);
      // A 3xx points back at this receiver: a sender that followed redirects would show up twice.
      const location = status >= 300 && status < 400 ? { location: '/hooks/redirected' } : {};
      res.writeHead(status, { 'content-type': 'text/plain', ...location }).end(`status ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/in`,
    port,
    requests,
    script: (next) => {
      script = [...next];
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
