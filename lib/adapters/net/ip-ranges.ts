/**
 * Which IP addresses a webhook may never reach. Addresses are compared as integers, so
 * spelling tricks (`::ffff:10.0.0.1`, `::ffff:a00:1`, zone ids) cannot slip past a string
 * match; IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4) are judged by the
 * embedded address.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'cgnat'
  | 'metadata'
  | 'reserved'
  | 'multicast';

interface Range {
  readonly base: bigint;
  readonly bits: number;
  readonly cls: Exclude<AddressClass, 'public'>;
}

function v4ToInt(address: string): bigint {
  return address.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function v6ToInt(address: string): bigint {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const v4 = v4ToInt(dotted[1]);
    text = `${text.slice(0, -dotted[1].length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const missing = 8 - headParts.length - tailParts.length;
  const groups = [...headParts, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailParts];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

const v4 = (cidr: string, cls: Range['cls']): Range => {
  const [addr = '', bits = '32'] = cidr.split('/');
  return { base: v4ToInt(addr), bits: Number(bits), cls };
};
const v6 = (cidr: string, cls: Range['cls']): Range => {
  const [addr = '', bits = '128'] = cidr.split('/');
  return { base: v6ToInt(addr), bits: Number(bits), cls };
};

// Most specific first: the metadata address sits inside link-local.
const V4_RANGES: readonly Range[] = [
  v4('169.254.169.254/32', 'metadata'), // AWS, GCP, Azure instance metadata
  v4('100.100.100.200/32', 'metadata'), // Alibaba Cloud metadata
  v4('0.0.0.0/8', 'reserved'), // "this network"; 0.0.0.0 reaches the local host on Linux
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'cgnat'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'reserved'), // IETF protocol assignments
  v4('192.0.2.0/24', 'reserved'), // documentation
  v4('192.88.99.0/24', 'reserved'), // 6to4 relay anycast
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'reserved'), // benchmarking
  v4('198.51.100.0/24', 'reserved'), // documentation
  v4('203.0.113.0/24', 'reserved'), // documentation
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved'), // includes 255.255.255.255
];

const V6_RANGES: readonly Range[] = [
  v6('fd00:ec2::254/128', 'metadata'), // AWS instance metadata over IPv6
  v6('::/128', 'reserved'),
  v6('::1/128', 'loopback'),
  v6('::/96', 'reserved'), // deprecated IPv4-compatible addresses
  v6('64:ff9b:1::/48', 'reserved'), // local-use NAT64
  v6('100::/64', 'reserved'), // discard
  v6('2001::/23', 'reserved'), // IETF special purpose, Teredo
  v6('2001:db8::/32', 'reserved'), // documentation
  v6('fc00::/7', 'unique-local'),
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'reserved'), // deprecated site-local
  v6('ff00::/8', 'multicast'),
];

const inRange = (value: bigint, width: number, r: Range): boolean =>
  value >> BigInt(width - r.bits) === r.base >> BigInt(width - r.bits);

function classifyV4(value: bigint): AddressClass {
  return V4_RANGES.find((r) => inRange(value, 32, r))?.cls ?? 'public';
}

/** IPv4 embedded in an IPv6 address: mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16. */
function embeddedV4(value: bigint): bigint | undefined {
  if (value >> 32n === 0xffffn) return value & 0xffffffffn;
  if (value >> 32n === 0x64ff9b0000000000000000n) return value & 0xffffffffn;
  if (value >> 112n === 0x2002n) return (value >> 80n) & 0xffffffffn;
  return undefined;
}

/** The class of an IP literal; throws TypeError for anything that is not one. */
export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(bare)) return classifyV4(v4ToInt(bare));
  if (!isIPv6(bare)) throw new TypeError(`not an IP address: ${address}`);
  const value = v6ToInt(bare);
  const inner = embeddedV4(value);
  if (inner !== undefined) return classifyV4(inner);
  return V6_RANGES.find((r) => inRange(value, 128, r))?.cls ?? 'public';
}
