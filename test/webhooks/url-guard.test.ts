import { describe, expect, it } from 'vitest';
import { classifyAddress } from '../../lib/adapters/net/ip-ranges.js';
import { UrlGuard, WebhookUrlRefusedError, type Resolver } from '../../lib/adapters/net/url-guard.js';
import type { PinnedAddress } from '../../lib/ports/http-sender.js';

/** No network: every host name resolves through this table. */
function tableResolver(table: Record<string, readonly PinnedAddress[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolver = (host: string) => {
    calls.push(host);
    const answer = table[host];
    return answer ? Promise.resolve(answer) : Promise.reject(new Error(`ENOTFOUND ${host}`));
  };
  return Object.assign(resolver, { calls });
}
const a4 = (address: string): PinnedAddress => ({ address, family: 4 });
const a6 = (address: string): PinnedAddress => ({ address, family: 6 });

describe('UrlGuard', () => {
  const hostUrl = (addr: string) => (addr.includes(':') ? `https://[${addr}]/hook` : `https://${addr}/hook`);

  describe('refuses literal addresses that are not public', () => {
    it.each([
      ['10.0.0.1', 'private'],
      ['10.255.255.255', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.254', 'private'],
      ['192.168.1.10', 'private'],
      ['127.0.0.1', 'loopback'],
      ['127.8.9.10', 'loopback'],
      ['::1', 'loopback'],
      ['fe80::1', 'link-local'],
      ['fc00::1', 'unique-local'],
      ['fd12:3456::1', 'unique-local'],
      ['169.254.169.254', 'metadata'],
      ['169.254.1.1', 'link-local'],
      ['fd00:ec2::254', 'metadata'],
      ['100.64.0.1', 'cgnat'],
      ['100.127.255.254', 'cgnat'],
      ['::ffff:10.0.0.1', 'private'],
      ['::ffff:a00:1', 'private'],
      ['::ffff:169.254.169.254', 'metadata'],
      ['64:ff9b::a00:1', 'private'],
      ['2002:a00:1::1', 'private'],
      ['0.0.0.0', 'reserved'],
      ['::', 'reserved'],
      ['224.0.0.1', 'multicast'],
      ['ff02::1', 'multicast'],
      ['255.255.255.255', 'reserved'],
    ])('%s (%s)', async (addr, cls) => {
      const guard = new UrlGuard({ resolver: tableResolver({}) });
      await expect(guard.check(hostUrl(addr))).rejects.toThrow(WebhookUrlRefusedError);
      expect(classifyAddress(addr)).toBe(cls);
    });

    it.each([
      ['hex', 'http://0x7f000001/hook'],
      ['decimal', 'http://2130706433/hook'],
      ['short form', 'http://127.1/hook'],
      ['octal', 'http://0177.0.0.1/hook'],
      ['hex private', 'http://0x0a000001/hook'],
      ['decimal metadata', 'http://2852039166/hook'],
    ])('numeric trick: %s %s', async (_label, url) => {
      const resolver = tableResolver({});
      const guard = new UrlGuard({ resolver });
      await expect(guard.check(url)).rejects.toThrow(/a (loopback|private|metadata) address/);
      expect(resolver.calls).toEqual([]); // judged as the IP literal it is, never looked up
    });
  });

  describe('refuses host names that resolve to private addresses', () => {
    it.each([
      ['10.1.2.3', [a4('10.1.2.3')]],
      ['localhost', [a4('127.0.0.1'), a6('::1')]],
      ['metadata', [a4('169.254.169.254')]],
      ['mapped', [a6('::ffff:192.168.0.1')]],
      ['zone id', [a6('fe80::1%eth0')]],
      ['one bad answer among good ones', [a4('93.184.215.14'), a4('10.0.0.7')]],
    ])('%s', async (_label, answers) => {
      const guard = new UrlGuard({ resolver: tableResolver({ 'hooks.example.com': answers }) });
      await expect(guard.check('https://hooks.example.com/in')).rejects.toThrow(
        /hooks\.example\.com resolves to/,
      );
    });

    it('refuses a host that does not resolve, with the reason', async () => {
      const guard = new UrlGuard({ resolver: tableResolver({}) });
      await expect(guard.check('https://nowhere.example/')).rejects.toThrow(WebhookUrlRefusedError);
      await expect(guard.check('https://nowhere.example/')).rejects.toMatchObject({
        issues: [{ path: 'url', message: expect.stringMatching(/does not resolve/) as unknown }],
      });
    });
  });

  it('gives up on a resolver that never answers, as a transient failure', async () => {
    const guard = new UrlGuard({ resolver: () => new Promise(() => undefined), resolveTimeoutMs: 20 });
    await expect(guard.check('https://slow.example/')).rejects.toMatchObject({
      transient: true,
      message: expect.stringMatching(/does not resolve/) as unknown,
    });
  });

  it('marks a forbidden answer as final, not transient', async () => {
    const guard = new UrlGuard({ resolver: tableResolver({}) });
    await expect(guard.check('http://10.0.0.1/')).rejects.toMatchObject({ transient: false });
  });

  describe('allows public addresses', () => {
    it.each(['93.184.215.14', '8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111'])(
      'literal %s',
      async (addr) => {
        const guard = new UrlGuard({ resolver: tableResolver({}) });
        const ok = await guard.check(hostUrl(addr));
        expect(ok.pinned.address).toBe(addr);
        expect(classifyAddress(addr)).toBe('public');
      },
    );

    it('a host name whose every answer is public, pinned to the first answer', async () => {
      const guard = new UrlGuard({
        resolver: tableResolver({ 'hooks.example.com': [a4('93.184.215.14'), a6('2606:2800:21f:cb07::1')] }),
      });
      const ok = await guard.check('https://hooks.example.com/in?x=1');
      expect(ok.pinned).toEqual(a4('93.184.215.14'));
      expect(ok.url.href).toBe('https://hooks.example.com/in?x=1');
    });
  });

  describe('the allowLoopback flag (local mode)', () => {
    it.each(['http://127.0.0.1:8080/hook', 'http://[::1]:8080/hook', 'http://[::ffff:127.0.0.1]/hook'])(
      'allows %s only with the flag',
      async (url) => {
        await expect(new UrlGuard({ resolver: tableResolver({}) }).check(url)).rejects.toThrow(/loopback/);
        const ok = await new UrlGuard({ resolver: tableResolver({}), allowLoopback: true }).check(url);
        expect(classifyAddress(ok.pinned.address)).toBe('loopback');
      },
    );

    it('still refuses private and metadata addresses with the flag', async () => {
      const guard = new UrlGuard({ resolver: tableResolver({}), allowLoopback: true });
      await expect(guard.check('http://10.0.0.1/')).rejects.toThrow(/private/);
      await expect(guard.check('http://169.254.169.254/latest/meta-data/')).rejects.toThrow(/metadata/);
      await expect(guard.check('http://0.0.0.0:3000/')).rejects.toThrow(/reserved/);
    });
  });

  describe('refuses URLs that are not plain http(s)', () => {
    it.each([
      ['not a URL', 'hooks.example.com/in'],
      ['ftp', 'ftp://93.184.215.14/'],
      ['file', 'file:///etc/passwd'],
      ['credentials', 'https://user:pw@93.184.215.14/'],
    ])('%s', async (_label, url) => {
      await expect(new UrlGuard({ resolver: tableResolver({}) }).check(url)).rejects.toThrow(
        WebhookUrlRefusedError,
      );
    });
  });
});
