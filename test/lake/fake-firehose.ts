/**
 * A fake Firehose endpoint on 127.0.0.1: node:http speaking the service's JSON 1.1
 * protocol for `Firehose_20150804.PutRecordBatch`. It keeps every accepted record per
 * stream (base64 `Data` decoded), refuses calls over 500 records or 4 MiB like the
 * service, and can fail chosen records to exercise per-record retries.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Return an error code to fail this record on this call, or undefined to accept it. */
export type RecordFailureRule = (record: string, call: number) => string | undefined;

export interface FakeFirehose {
  readonly endpoint: string;
  /** Accepted records per delivery stream, decoded. */
  readonly delivered: Map<string, string[]>;
  /** Record count of each call, in order. */
  readonly callSizes: number[];
  /** Byte size (decoded data) of each call, in order. */
  readonly callBytes: number[];
  failWith(rule: RecordFailureRule | undefined): void;
  close(): Promise<void>;
}

export async function startFakeFirehose(): Promise<FakeFirehose> {
  let rule: RecordFailureRule | undefined;
  const delivered = new Map<string, string[]>();
  const callSizes: number[] = [];
  const callBytes: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      const target = String(req.headers['x-amz-target']);
      if (target !== 'Firehose_20150804.PutRecordBatch')
        return reply(400, { __type: 'UnknownOperationException', message: target });
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        DeliveryStreamName: string;
        Records: { Data: string }[];
      };
      const data = body.Records.map((r) => Buffer.from(r.Data, 'base64'));
      const bytes = data.reduce((n, d) => n + d.byteLength, 0);
      callSizes.push(data.length);
      callBytes.push(bytes);
      if (data.length > 500 || bytes > 4 * 1024 * 1024)
        return reply(400, { __type: 'InvalidArgumentException', message: 'batch over the limits' });
      const call = callSizes.length;
      const kept = delivered.get(body.DeliveryStreamName) ?? [];
      const responses = data.map((d) => {
        const text = d.toString('utf8');
        const code = rule?.(text, call);
        if (code) return { ErrorCode: code, ErrorMessage: `fake ${code}` };
        kept.push(text);
        return { RecordId: `fake-${kept.length}` };
      });
      delivered.set(body.DeliveryStreamName, kept);
      reply(200, {
        FailedPutCount: responses.filter((r) => 'ErrorCode' in r).length,
        Encrypted: false,
        RequestResponses: responses,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    delivered,
    callSizes,
    callBytes,
    failWith: (r) => {
      rule = r;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
