/*
 * IP addresses as bytes: parsing (IPv4, every IPv6 spelling), canonical text, CIDR membership and
 * the key a per-IP rate limit counts under. Pure, no imports and no `node:` module, so it sits
 * with the other byte-level helpers where config, ops and http can all use it.
 */

/** A parsed address: 4 bytes for IPv4, 16 for IPv6. */
export interface IPAddress {
  family: 4 | 6;
  bytes: Uint8Array;
}

/** A CIDR range with its host bits cleared, e.g. 10.0.0.0/8 or 2001:db8::/32. */
export interface IPRange extends IPAddress {
  prefix: number;
}

const DECIMAL_OCTET = /^(?:0|[1-9]\d{0,2})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

/** Strict dotted quad: four decimal octets, no leading zeros (which some parsers read as octal). */
function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    if (!DECIMAL_OCTET.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes[i] = value;
  }
  return bytes;
}

/** The 16-bit words of groups like `2001:db8` (and a trailing `1.2.3.4` when allowed). */
function wordsOf(part: string, mayEndInIPv4: boolean): number[] | null {
  if (part === "") return [];
  const groups = part.split(":");
  const words: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i] as string;
    if (mayEndInIPv4 && i === groups.length - 1 && group.includes(".")) {
      const v4 = parseIPv4(group);
      if (!v4) return null;
      words.push(((v4[0] as number) << 8) | (v4[1] as number));
      words.push(((v4[2] as number) << 8) | (v4[3] as number));
    } else if (HEX_GROUP.test(group)) {
      words.push(Number.parseInt(group, 16));
    } else {
      return null;
    }
  }
  return words;
}

/** RFC 4291 §2.2 text: full, `::`-compressed, or with an embedded IPv4 tail (`::ffff:1.2.3.4`). */
function parseIPv6(text: string): Uint8Array | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const compressed = halves.length === 2;
  const head = wordsOf(halves[0] as string, !compressed);
  const tail = compressed ? wordsOf(halves[1] as string, true) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (compressed ? missing < 1 : missing !== 0) return null;
  const words = [...head, ...new Array<number>(compressed ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

function parseBare(text: string): IPAddress | null {
  if (text.includes(":")) {
    // A zone (`fe80::1%eth0`) names the local interface; it is no part of the address.
    const zone = text.indexOf("%");
    const bytes = parseIPv6(zone === -1 ? text : text.slice(0, zone));
    return bytes ? { family: 6, bytes } : null;
  }
  const bytes = parseIPv4(text);
  return bytes ? { family: 4, bytes } : null;
}

function parseHost(input: string, allowPort: boolean): IPAddress | null {
  const text = input.trim();
  if (text.startsWith("[")) {
    // `[2001:db8::1]`, and with a port `[2001:db8::1]:443`: brackets only ever hold IPv6.
    const match = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
    if (!match || (match[2] !== undefined && !allowPort)) return null;
    const address = parseBare(match[1] as string);
    return address?.family === 6 ? address : null;
  }
  // `203.0.113.7:51234`, as some proxies write X-Forwarded-For: one colon is never IPv6.
  const withPort = allowPort ? /^(\d+\.\d+\.\d+\.\d+):\d{1,5}$/.exec(text) : null;
  return parseBare(withPort ? (withPort[1] as string) : text);
}

/**
 * Parses an address as clients, sockets and proxies write it: IPv4, IPv6 in any compressed form
 * or with an embedded IPv4 tail, with a zone id (`%eth0`, dropped), in brackets (dropped), and
 * with a port after brackets or after IPv4 (dropped). Null when it is no address.
 */
export function parseIP(text: string): IPAddress | null {
  return parseHost(text, true);
}

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** `::ffff:a.b.c.d` is how a dual-stack socket shows an IPv4 client: that IPv4 address. */
export function unmapIPv4(address: IPAddress): IPAddress {
  if (address.family === 4 || !MAPPED_PREFIX.every((byte, i) => address.bytes[i] === byte)) {
    return address;
  }
  return { family: 4, bytes: address.bytes.slice(12) };
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of zero groups as `::`. */
export function formatIP(address: IPAddress): string {
  const { bytes } = address;
  if (address.family === 4) return Array.from(bytes).join(".");
  if (unmapIPv4(address).family === 4) return `::ffff:${Array.from(bytes.slice(12)).join(".")}`;
  const words = Array.from(
    { length: 8 },
    (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0),
  );
  let bestStart = -1;
  let bestLength = 1; // a single zero group is written as 0, not ::
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && words[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = (from: number, to: number) =>
    words
      .slice(from, to)
      .map((word) => word.toString(16))
      .join(":");
  if (bestStart === -1) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

/**
 * One spelling per address, or null when `text` is no address: IPv4-mapped IPv6 becomes its IPv4
 * address, IPv6 is written per RFC 5952, brackets, zone ids and ports are dropped.
 */
export function canonicalIP(text: string): string | null {
  const address = parseIP(text);
  return address ? formatIP(unmapIPv4(address)) : null;
}

function maskTo(bytes: Uint8Array, prefix: number): Uint8Array {
  const masked = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.min(Math.max(prefix - 8 * i, 0), 8);
    masked[i] = (bytes[i] as number) & ((0xff << (8 - bits)) & 0xff);
  }
  return masked;
}

/**
 * A range like `10.0.0.0/8`, `2001:db8::/32` or `::ffff:10.0.0.0/104` (the same as 10.0.0.0/8),
 * or one address (a range of one). Host bits are cleared: `10.1.2.3/8` means 10.0.0.0/8. Null when
 * it is neither; no port, since a range has none.
 */
export function parseCIDR(text: string): IPRange | null {
  const [addressPart, prefixPart, extra] = text.trim().split("/");
  if (extra !== undefined || addressPart === undefined) return null;
  let address = parseHost(addressPart, false);
  if (!address) return null;
  const full = address.family === 4 ? 32 : 128;
  let prefix = full;
  if (prefixPart !== undefined) {
    if (!/^\d{1,3}$/.test(prefixPart)) return null;
    prefix = Number(prefixPart);
    if (prefix > full) return null;
  }
  const unmapped = unmapIPv4(address);
  if (unmapped !== address && prefix >= 96) {
    address = unmapped;
    prefix -= 96;
  }
  return { family: address.family, bytes: maskTo(address.bytes, prefix), prefix };
}

/** Whether `address` lies in `range`; an IPv4-mapped IPv6 address counts as its IPv4 address. */
export function ipInRange(address: IPAddress, range: IPRange): boolean {
  const candidate = unmapIPv4(address);
  if (candidate.family !== range.family) return false;
  const masked = maskTo(candidate.bytes, range.prefix);
  return masked.every((byte, i) => byte === range.bytes[i]);
}

/**
 * Who a per-IP limit counts: an IPv4 client by its address (IPv4-mapped IPv6 included), an IPv6
 * client by its first `ipv6Prefix` bits, written `2001:db8:1:2::/64`. One subscriber is usually
 * handed a whole /64 (or more) and can pick any address in it at will, so counting single IPv6
 * addresses would give them 2^64 fresh limits. Text that is no address is counted as it is.
 */
export function ipRateLimitKey(ip: string, ipv6Prefix: number): string {
  const address = parseIP(ip);
  if (!address) return ip;
  const client = unmapIPv4(address);
  if (client.family === 4) return formatIP(client);
  return `${formatIP({ family: 6, bytes: maskTo(client.bytes, ipv6Prefix) })}/${ipv6Prefix}`;
}
