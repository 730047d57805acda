import type { ResolvedConfig } from "../config/config.js";
import { canonicalIP, type IPRange, ipInRange, parseCIDR, parseIP } from "../util/ip-address.js";

const parsedRanges = new WeakMap<readonly string[], IPRange[]>();

/** The ranges a `trustedProxies` list names, parsed once per list. */
function rangesOf(proxies: readonly string[]): IPRange[] {
  let ranges = parsedRanges.get(proxies);
  if (!ranges) {
    // The config refuses entries that are neither; a hand-built list just skips them.
    ranges = proxies.map((entry) => parseCIDR(entry)).filter((range) => range !== null);
    parsedRanges.set(proxies, ranges);
  }
  return ranges;
}

/**
 * Whether `ip` is listed in `proxies`: exact addresses or CIDR ranges, IPv4 (`10.0.0.0/8`) or
 * IPv6 (`2001:db8::/32`, `::1`). An IPv4-mapped IPv6 address (`::ffff:10.1.2.3`) is matched as
 * its IPv4 address, whichever way the entry is written.
 */
export function isTrustedProxy(ip: string, proxies: readonly string[]): boolean {
  const address = parseIP(ip);
  if (!address) return false;
  return rangesOf(proxies).some((range) => ipInRange(address, range));
}

/** One spelling per client (see `canonicalIP`); text that is no address is kept as it came. */
function canonical(ip: string): string {
  return canonicalIP(ip) ?? ip;
}

/**
 * The client's address. `peer` is the socket address the adapter saw. A configured platform
 * header is believed as is; `X-Forwarded-For` only when the peer is a trusted proxy, read from
 * the right and skipping trusted hops, since anything left of them is the client's own say.
 * Addresses come back canonical: `::ffff:203.0.113.7` as `203.0.113.7`, IPv6 per RFC 5952,
 * brackets, zone ids and ports dropped.
 */
export function clientIP(
  request: Request,
  peer: string | null | undefined,
  config: ResolvedConfig,
): string | null {
  if (config.clientIPHeader) {
    const value = request.headers.get(config.clientIPHeader)?.split(",")[0]?.trim();
    if (value) return canonical(value);
  }
  if (!peer) return null;
  if (!isTrustedProxy(peer, config.trustedProxies)) return canonical(peer);
  const forwarded = request.headers.get("x-forwarded-for");
  if (!forwarded) return canonical(peer);
  const hops = forwarded
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!isTrustedProxy(hop, config.trustedProxies)) return canonical(hop);
  }
  return canonical(hops[0] ?? peer);
}
