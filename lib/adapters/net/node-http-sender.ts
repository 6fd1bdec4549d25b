/**
 * HttpSender over node:http / node:https. The socket goes to the guard-approved address
 * through a fixed `lookup`, so the host name is never resolved a second time; TLS still
 * verifies the certificate against the URL's host name (node derives SNI and the check
 * from `host`, not from the address), and no redirect is followed. The response body is drained and ignored: only the status matters.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import tls from 'node:tls';
import type { HttpRequest, HttpResponse, HttpSender } from '../../ports/http-sender.js';

export interface NodeHttpSenderOptions {
  /** Extra trusted CA certificates (PEM), e.g. a corporate CA; public CAs are always trusted. */
  readonly ca?: string;
}

export class NodeHttpSender implements HttpSender {
  constructor(private readonly options: NodeHttpSenderOptions = {}) {}

  post(request: HttpRequest): Promise<HttpResponse> {
    const { url, pinned } = request;
    const lookup: LookupFunction = (_host, options, callback) => {
      if (options.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
      else callback(null, pinned.address, pinned.family);
    };
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<HttpResponse>((resolve, reject) => {
      const req = client.request(
        url,
        {
          method: 'POST',
          headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
          lookup,
          agent: false, // no pooled socket that was opened for another address
          timeout: request.timeoutMs,
          ...(this.options.ca ? { ca: [...tls.rootCertificates, this.options.ca] } : {}),
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no response within ${request.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(request.body);
    });
  }
}
