/**
 * The sender connects to the pinned address while TLS still checks the URL's host name:
 * a throwaway CA-less certificate for "hooks.test" served on 127.0.0.1, reachable only
 * through the pinned address (no DNS knows hooks.test).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeHttpSender } from '../../lib/adapters/net/node-http-sender.js';
import { startReceiver } from './receiver.js';

const loopback = { address: '127.0.0.1', family: 4 as const };

function selfSigned(host: string): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'glaf-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        `/CN=${host}`,
        '-addext',
        `subjectAltName=DNS:${host}`,
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('NodeHttpSender', () => {
  let server: Server;
  let port: number;
  let cert: string;
  const seen: { host?: string; servername?: string }[] = [];

  beforeAll(async () => {
    const pair = selfSigned('hooks.test');
    cert = pair.cert;
    server = createServer(pair, (req, res) => {
      seen.push({ host: req.headers.host, servername: (req.socket as { servername?: string }).servername });
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (sender: NodeHttpSender, host: string) =>
    sender.post({
      url: new URL(`https://${host}:${port}/in`),
      pinned: loopback,
      headers: { 'content-type': 'application/json' },
      body: '{}',
      timeoutMs: 5_000,
    });

  it('HTTPS to the pinned address, verified against the URL host name (SNI + certificate)', async () => {
    const res = await post(new NodeHttpSender({ ca: cert }), 'hooks.test');

    expect(res.status).toBe(204);
    expect(seen.at(-1)).toEqual({ host: `hooks.test:${port}`, servername: 'hooks.test' });
  });

  it('refuses a certificate for another name: verification is not switched off by pinning', async () => {
    await expect(post(new NodeHttpSender({ ca: cert }), 'other.test')).rejects.toThrow(/altnames|hostname/i);
  });

  it('refuses an untrusted certificate', async () => {
    await expect(post(new NodeHttpSender(), 'hooks.test')).rejects.toThrow(/self[- ]signed|certificate/i);
  });

  it('does not follow redirects: a 302 is the answer', async () => {
    const receiver = await startReceiver([302]);
    try {
      const res = await new NodeHttpSender().post({
        url: new URL(receiver.url),
        pinned: loopback,
        headers: {},
        body: 'x',
        timeoutMs: 5_000,
      });
      expect(res.status).toBe(302);
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});
