/**
 * A fake AWS STS endpoint for tests (no STS is reachable here): a node:http server speaking
 * the service's query protocol (form-encoded POST, XML answers) for AssumeRole. It records
 * each call's role, session name and session tags, and issues credentials whose access key
 * id names the call (`ASIAFAKE<n>`) with the expiry the test chooses, so tests can tell which
 * tenant's credentials signed a request.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AssumeRoleCall {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly durationSeconds: number;
  /** Session tags, Key -> Value. */
  readonly tags: Readonly<Record<string, string>>;
  /** The access key id issued for this call. */
  readonly accessKeyId: string;
}

export interface FakeSts {
  readonly endpoint: string;
  readonly calls: AssumeRoleCall[];
  /** When issued credentials expire (default: one hour after the call). */
  expireAt(fn: (() => Date) | undefined): void;
  /** Holds answers until `release()` (to have loads in flight together). */
  hold(): void;
  release(): void;
  /** Answers being held now. */
  pending(): number;
  /** Answers the next n calls with an AccessDenied error. */
  denyNext(n: number): void;
  close(): Promise<void>;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export async function startFakeSts(): Promise<FakeSts> {
  const calls: AssumeRoleCall[] = [];
  let expiry: (() => Date) | undefined;
  let held: (() => void)[] | undefined;
  let denials = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const answer = (): void => {
        res.setHeader('content-type', 'text/xml');
        if (form.get('Action') !== 'AssumeRole') {
          res.statusCode = 400;
          res.end(
            `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${escapeXml(String(form.get('Action')))}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
          );
          return;
        }
        if (denials > 0) {
          denials--;
          res.statusCode = 403;
          res.end(
            '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>fake denial</Message></Error><RequestId>r</RequestId></ErrorResponse>',
          );
          return;
        }
        const tags: Record<string, string> = {};
        for (let i = 1; form.has(`Tags.member.${i}.Key`); i++) {
          tags[form.get(`Tags.member.${i}.Key`)!] = form.get(`Tags.member.${i}.Value`) ?? '';
        }
        const accessKeyId = `ASIAFAKE${String(calls.length + 1).padStart(4, '0')}`;
        calls.push({
          roleArn: form.get('RoleArn') ?? '',
          sessionName: form.get('RoleSessionName') ?? '',
          durationSeconds: Number(form.get('DurationSeconds') ?? 3600),
          tags,
          accessKeyId,
        });
        const expiration = (expiry ?? (() => new Date(Date.now() + 3_600_000)))().toISOString();
        res.statusCode = 200;
        res.end(
          `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>` +
            `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>secret-${accessKeyId}</SecretAccessKey>` +
            `<SessionToken>token-${accessKeyId}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
            `<AssumedRoleUser><AssumedRoleId>AROAFAKE:${escapeXml(form.get('RoleSessionName') ?? '')}</AssumedRoleId>` +
            `<Arn>${escapeXml(form.get('RoleArn') ?? '')}</Arn></AssumedRoleUser><PackedPolicySize>1</PackedPolicySize>` +
            `</AssumeRoleResult><ResponseMetadata><RequestId>req-${calls.length}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
        );
      };
      if (held) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    expireAt: (fn) => {
      expiry = fn;
    },
    hold: () => {
      held ??= [];
    },
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const answer of waiting) answer();
    },
    pending: () => held?.length ?? 0,
    denyNext: (n) => {
      denials = n;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
