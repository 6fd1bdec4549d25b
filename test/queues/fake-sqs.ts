/**
 * A fake SQS endpoint on 127.0.0.1 speaking the AWS JSON 1.0 protocol
 * (`X-Amz-Target: AmazonSQS.<Operation>`, what @aws-sdk/client-sqs 3.x sends), backed by the
 * in-process MemoryQueue. No SQS is reachable here: running the SqsQueue adapter through this
 * proves the adapter's wire mapping (commands, fields, seconds, MD5s, error names), not the
 * behaviour of SQS itself; the queue semantics come from the MemoryQueue behind it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';
import { QUEUE_NAMES, type QueueName } from '../../lib/config/queues.js';
import type { SqsQueueUrls } from '../../lib/adapters/aws/sqs-queue.js';
import type { MemoryQueue } from '../../lib/adapters/local/memory-queue.js';
import { ReceiptHandleInvalidError } from '../../lib/ports/queue.js';

const ACCOUNT = '000000000000';
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

class SqsFault extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

type Body = Record<string, unknown>;

export interface FakeSqs {
  readonly endpoint: string;
  readonly urls: Record<QueueName, SqsQueueUrls>;
  /** Operations received, in order (to show which calls the adapter made). */
  readonly calls: string[];
  client(): SQSClient;
  close(): Promise<void>;
}

export async function startFakeSqs(backing: MemoryQueue): Promise<FakeSqs> {
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    // A client that hangs up (aborted long poll) ends the wait, so no message is taken for nobody.
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    void handle(req, gone.signal).then(
      (out) => reply(200, out),
      (err: unknown) => {
        const fault = err instanceof SqsFault ? err : new SqsFault('InternalError', String(err));
        reply(400, { __type: `com.amazonaws.sqs#${fault.type}`, message: fault.message });
      },
    );
    function reply(status: number, body: unknown) {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(body));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const urls = Object.fromEntries(
    QUEUE_NAMES.map((q) => [
      q,
      { url: `${endpoint}/${ACCOUNT}/${q}`, deadLetterUrl: `${endpoint}/${ACCOUNT}/${q}-dlq` },
    ]),
  ) as Record<QueueName, SqsQueueUrls>;

  /** `.../<name>` or `.../<name>-dlq` (also as the ARN's last segment). */
  const resolve = (urlOrArn: unknown): { queue: QueueName; dead: boolean } => {
    const last = String(urlOrArn).split(/[/:]/).pop() ?? '';
    const dead = last.endsWith('-dlq');
    const queue = (dead ? last.slice(0, -4) : last) as QueueName;
    if (!QUEUE_NAMES.includes(queue)) throw new SqsFault('QueueDoesNotExist', `No queue ${String(urlOrArn)}`);
    return { queue, dead };
  };

  async function handle(req: IncomingMessage, signal: AbortSignal): Promise<unknown> {
    const op = String(req.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Body;
    calls.push(op);
    switch (op) {
      case 'SendMessageBatch': {
        const { queue } = resolve(body.QueueUrl);
        const entries = body.Entries as { Id: string; MessageBody: string }[];
        if (entries.length > 10) throw new SqsFault('TooManyEntriesInBatchRequest', 'at most 10 entries');
        await backing.send(
          queue,
          entries.map((e) => e.MessageBody),
        );
        return {
          Successful: entries.map((e) => ({
            Id: e.Id,
            MessageId: randomUUID(),
            MD5OfMessageBody: md5(e.MessageBody),
          })),
          Failed: [],
        };
      }
      case 'ReceiveMessage': {
        const { queue } = resolve(body.QueueUrl);
        const messages = await backing.receive(queue, {
          maxMessages: Number(body.MaxNumberOfMessages ?? 1),
          waitTimeMs: Number(body.WaitTimeSeconds ?? 0) * 1000,
          visibilityTimeoutMs: Number(body.VisibilityTimeout ?? 30) * 1000,
          signal,
        });
        return {
          Messages: messages.map((m) => ({
            MessageId: m.messageId,
            ReceiptHandle: m.receiptHandle,
            MD5OfBody: md5(m.body),
            Body: m.body,
            Attributes: { ApproximateReceiveCount: String(m.receiveCount) },
          })),
        };
      }
      case 'DeleteMessage':
        await backing.delete(resolve(body.QueueUrl).queue, String(body.ReceiptHandle));
        return {};
      case 'ChangeMessageVisibility':
        try {
          const { queue } = resolve(body.QueueUrl);
          await backing.changeVisibility(
            queue,
            String(body.ReceiptHandle),
            Number(body.VisibilityTimeout) * 1000,
          );
          return {};
        } catch (err) {
          if (err instanceof ReceiptHandleInvalidError)
            throw new SqsFault('ReceiptHandleIsInvalid', err.message);
          throw err;
        }
      case 'GetQueueAttributes': {
        const { queue, dead } = resolve(body.QueueUrl);
        const s = await backing.stats(queue);
        return {
          Attributes: {
            QueueArn: `arn:aws:sqs:local:${ACCOUNT}:${queue}${dead ? '-dlq' : ''}`,
            ApproximateNumberOfMessages: String(dead ? s.deadLetter : s.visible),
            ApproximateNumberOfMessagesNotVisible: String(dead ? 0 : s.inFlight),
          },
        };
      }
      case 'StartMessageMoveTask': {
        const { queue, dead } = resolve(body.SourceArn);
        if (!dead) throw new SqsFault('InvalidParameterValue', 'SourceArn must be a dead-letter queue');
        await backing.redrive(queue);
        return { TaskHandle: randomUUID() };
      }
      default:
        throw new SqsFault('UnsupportedOperation', `The fake does not implement ${op}`);
    }
  }

  return {
    endpoint,
    urls,
    calls,
    client: () =>
      new SQSClient({
        endpoint,
        region: 'local',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      }),
    close: () =>
      new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
