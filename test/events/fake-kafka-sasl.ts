/**
 * A fake Kafka listener on 127.0.0.1 that speaks just enough of the wire protocol to see
 * how a client authenticates: ApiVersions v1, SaslHandshake v1 (offers OAUTHBEARER) and
 * SaslAuthenticate v0/v1, whose bytes (the OAUTHBEARER client-first message carrying the
 * IAM token) it records and accepts; then it drops the connection at the next request
 * (the client's flexible-version ApiVersions), so the client keeps reconnecting. No Kafka
 * broker is reachable here and metadata/produce are not emulated: this exercises the
 * producer's SASL wiring and the bus's failure path, not produce itself.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;

export interface FakeSaslBroker {
  readonly broker: string;
  /** Decoded SaslAuthenticate payloads, in arrival order. */
  readonly authMessages: string[];
  readonly apiKeysSeen: number[];
  /** Resolves with the first SaslAuthenticate payload. */
  readonly firstAuth: Promise<string>;
  close(): Promise<void>;
}

function frame(correlationId: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeInt32BE(4 + body.length, 0);
  head.writeInt32BE(correlationId, 4);
  return Buffer.concat([head, body]);
}

const int16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const str = (s: string): Buffer => Buffer.concat([int16(Buffer.byteLength(s)), Buffer.from(s)]);

function apiVersionsV1(): Buffer {
  const apis: [number, number, number][] = [
    [API_VERSIONS, 0, 1],
    [SASL_HANDSHAKE, 0, 1],
    [SASL_AUTHENTICATE, 0, 1],
  ];
  const entries = apis.map(([k, min, max]) => Buffer.concat([int16(k), int16(min), int16(max)]));
  return Buffer.concat([int16(0), int32(apis.length), ...entries, int32(0)]);
}

function handshakeV1(): Buffer {
  return Buffer.concat([int16(0), int32(1), str('OAUTHBEARER')]);
}

function authenticateAcceptedV1(): Buffer {
  return Buffer.concat([int16(0), int16(-1), int32(0), Buffer.alloc(8)]);
}

export async function startFakeSaslBroker(): Promise<FakeSaslBroker> {
  const authMessages: string[] = [];
  const apiKeysSeen: number[] = [];
  let onAuth!: (message: string) => void;
  const firstAuth = new Promise<string>((resolve) => (onAuth = resolve));
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffered = Buffer.alloc(0);
    let authenticated = false;
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const size = buffered.readInt32BE(0);
        const req = buffered.subarray(4, 4 + size);
        buffered = buffered.subarray(4 + size);
        const apiKey = req.readInt16BE(0);
        const correlationId = req.readInt32BE(4);
        const clientIdLength = req.readInt16BE(8);
        const body = req.subarray(10 + Math.max(clientIdLength, 0));
        apiKeysSeen.push(apiKey);
        // After SASL the client negotiates the real API versions (flexible encodings this fake
        // does not speak): drop the connection, as a broker without the cluster would.
        if (authenticated) {
          socket.destroy();
          return;
        }
        if (apiKey === API_VERSIONS) socket.write(frame(correlationId, apiVersionsV1()));
        else if (apiKey === SASL_HANDSHAKE) socket.write(frame(correlationId, handshakeV1()));
        else if (apiKey === SASL_AUTHENTICATE) {
          authMessages.push(body.subarray(4, 4 + body.readInt32BE(0)).toString('utf8'));
          authenticated = true;
          onAuth(authMessages[authMessages.length - 1]!);
          socket.write(frame(correlationId, authenticateAcceptedV1()));
        } else socket.destroy();
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    broker: `127.0.0.1:${port}`,
    authMessages,
    apiKeysSeen,
    firstAuth,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
