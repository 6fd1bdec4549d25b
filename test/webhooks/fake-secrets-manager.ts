/**
 * A fake AWS Secrets Manager endpoint for tests: no Secrets Manager is reachable here.
 * A node:http server speaking the service's JSON protocol (awsJson1_1: POST /, target in
 * `X-Amz-Target`, errors as `{ __type, message }`) for the three calls the adapter makes,
 * backed by the real FileSecretStore so stored values really go through 0600 files.
 * It records each request's target and body so tests can pin what the adapter sends.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SecretStore } from '../../lib/ports/secret-store.js';

export interface FakeSecretsManager {
  readonly endpoint: string;
  readonly calls: { target: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

type Handler = (body: Record<string, unknown>) => Promise<Record<string, unknown>>;

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startFakeSecretsManager(backing: SecretStore): Promise<FakeSecretsManager> {
  const byName = new Map<string, { tenantId: string; ref: string }>();
  const find = (id: unknown) => {
    const entry = byName.get(String(id));
    if (!entry)
      throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return entry;
  };
  const handlers: Record<string, Handler> = {
    CreateSecret: async (b) => {
      const name = String(b['Name']);
      if (byName.has(name)) throw new AwsError('ResourceExistsException', `secret ${name} already exists`);
      const tags = (b['Tags'] ?? []) as { Key: string; Value: string }[];
      const tenantId = tags.find((t) => t.Key === 'tenant_id')?.Value ?? '';
      byName.set(name, { tenantId, ref: await backing.create(tenantId, String(b['SecretString'])) });
      return { ARN: `arn:aws:secretsmanager:eu-west-1:000000000000:secret:${name}-AbCdEf`, Name: name };
    },
    GetSecretValue: async (b) => {
      const { tenantId, ref } = find(b['SecretId']);
      return { Name: b['SecretId'], SecretString: await backing.get(tenantId, ref) };
    },
    DeleteSecret: async (b) => {
      const { tenantId, ref } = find(b['SecretId']);
      await backing.delete(tenantId, ref);
      byName.delete(String(b['SecretId']));
      return { Name: b['SecretId'], DeletionDate: Date.now() / 1000 };
    },
  };
  const calls: FakeSecretsManager['calls'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      calls.push({ target, body });
      const handler = handlers[target];
      const reply = (status: number, payload: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(payload));
      };
      if (!handler) {
        reply(400, { __type: 'UnknownOperationException', message: target });
        return;
      }
      handler(body).then(
        (out) => reply(200, out),
        (err: unknown) =>
          err instanceof AwsError
            ? reply(400, { __type: err.type, message: err.message })
            : reply(500, { __type: 'InternalServiceError', message: String(err) }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
