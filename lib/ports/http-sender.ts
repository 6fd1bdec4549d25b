/**
 * Outbound HTTP for webhook deliveries. The caller passes the address the URL guard
 * approved; the sender connects to exactly that address (no second DNS lookup, so a
 * rebinding DNS server cannot swap in a private address between check and connect),
 * while TLS and the Host header still use the URL's host name. Redirects are not
 * followed: a redirect could point anywhere.
 */

export interface PinnedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

export interface HttpRequest {
  readonly url: URL;
  readonly pinned: PinnedAddress;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

export interface HttpResponse {
  readonly status: number;
}

export interface HttpSender {
  /** Resolves with any HTTP status; rejects on connection errors and timeouts. */
  post(request: HttpRequest): Promise<HttpResponse>;
}
