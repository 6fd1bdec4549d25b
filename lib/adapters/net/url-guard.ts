/**
 * SSRF guard for webhook URLs. A URL passes only when every address its host resolves
 * to is public; the approved address is handed back so the sender connects to it and
 * nothing else (see ports/http-sender.ts). Run it at registration (fail early) and again
 * before every delivery attempt: DNS answers change (rebinding), registrations do not.
 *
 * Numeric host spellings (`0x7f000001`, `2130706433`, `127.1`, `0177.0.0.1`) need no
 * special code: the WHATWG URL parser turns them into dotted IPv4 before we look.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ValidationError } from '../../domain/errors.js';
import type { PinnedAddress } from '../../ports/http-sender.js';
import { classifyAddress } from './ip-ranges.js';

/** Every address a host name resolves to (A and AAAA). */
export type Resolver = (hostname: string) => Promise<readonly PinnedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export interface UrlGuardOptions {
  /** @default systemResolver (getaddrinfo) */
  readonly resolver?: Resolver;
  /** Local mode only: let webhooks call 127.0.0.0/8 and ::1 (e.g. a receiver on this laptop). */
  readonly allowLoopback?: boolean;
  /** A slow DNS server must not hold a delivery worker. @default 5000 */
  readonly resolveTimeoutMs?: number;
}

export interface GuardedUrl {
  readonly url: URL;
  readonly pinned: PinnedAddress;
}

/**
 * A URL a webhook may not call; the message says why and what is allowed. `transient`:
 * the host did not resolve (DNS may recover, so a delivery retries), as opposed to a
 * host that resolves somewhere forbidden (final).
 */
export class WebhookUrlRefusedError extends ValidationError {
  constructor(
    url: string,
    reason: string,
    readonly transient = false,
  ) {
    const hint = 'webhooks may only call public http(s) addresses';
    super(
      [{ path: 'url', message: `${reason}: ${hint}` }],
      `Webhook URL ${url.slice(0, 200)} refused: ${reason}`,
    );
  }
}

export class UrlGuard {
  private readonly resolver: Resolver;
  private readonly allowLoopback: boolean;
  private readonly resolveTimeoutMs: number;

  constructor(options: UrlGuardOptions = {}) {
    this.resolver = options.resolver ?? systemResolver;
    this.allowLoopback = options.allowLoopback ?? false;
    this.resolveTimeoutMs = options.resolveTimeoutMs ?? 5_000;
  }

  async check(raw: string | URL): Promise<GuardedUrl> {
    const shown = String(raw);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new WebhookUrlRefusedError(shown, 'not a valid absolute URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new WebhookUrlRefusedError(shown, `scheme ${url.protocol} is not http or https`);
    }
    if (url.username || url.password) {
      throw new WebhookUrlRefusedError(shown, 'credentials in the URL are not allowed; sign with the secret');
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const family = isIP(host);
    const addresses = family ? [{ address: host, family: family as 4 | 6 }] : await this.resolve(shown, host);
    for (const a of addresses) {
      const cls = classifyAddress(a.address);
      if (cls === 'public' || (cls === 'loopback' && this.allowLoopback)) continue;
      const via = family ? '' : `${host} resolves to `;
      throw new WebhookUrlRefusedError(shown, `${via}${a.address}, a ${cls} address`);
    }
    return { url, pinned: addresses[0]! };
  }

  private async resolve(shown: string, host: string): Promise<readonly PinnedAddress[]> {
    let answers: readonly PinnedAddress[];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('DNS timeout')), this.resolveTimeoutMs).unref();
    });
    try {
      answers = await Promise.race([this.resolver(host), timeout]);
    } catch {
      throw new WebhookUrlRefusedError(shown, `host ${host} does not resolve`, true);
    } finally {
      clearTimeout(timer);
    }
    if (answers.length === 0) throw new WebhookUrlRefusedError(shown, `host ${host} has no addresses`, true);
    return answers;
  }
}
