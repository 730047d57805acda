import type { ResolvedConfig } from "../config.js";

function ipv4ToNumber(ip: string): number | null {
  const parts = ip.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

/** Whether `ip` is listed in `proxies`: exact addresses, or IPv4 CIDR ranges like 10.0.0.0/8. */
export function isTrustedProxy(ip: string, proxies: readonly string[]): boolean {
  const normalized = ip.startsWith("::ffff:") ? ip.slice(7) : ip;
  for (const entry of proxies) {
    const [range, bits] = entry.split("/");
    if (bits === undefined) {
      if (entry === normalized || entry === ip) return true;
      continue;
    }
    const base = ipv4ToNumber(range ?? "");
    const address = ipv4ToNumber(normalized);
    const prefix = Number(bits);
    if (base === null || address === null || !(prefix >= 0 && prefix <= 32)) continue;
    const size = 2 ** (32 - prefix);
    if (Math.floor(address / size) === Math.floor(base / size)) return true;
  }
  return false;
}

/**
 * The client's address. `peer` is the socket address the adapter saw. A configured platform
 * header is believed as is; `X-Forwarded-For` only when the peer is a trusted proxy, read from
 * the right and skipping trusted hops, since anything left of them is the client's own say.
 */
export function clientIP(
  request: Request,
  peer: string | null | undefined,
  config: ResolvedConfig,
): string | null {
  if (config.clientIPHeader) {
    const value = request.headers.get(config.clientIPHeader)?.split(",")[0]?.trim();
    if (value) return value;
  }
  if (!peer) return null;
  if (!isTrustedProxy(peer, config.trustedProxies)) return peer;
  const forwarded = request.headers.get("x-forwarded-for");
  if (!forwarded) return peer;
  const hops = forwarded
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!isTrustedProxy(hop, config.trustedProxies)) return hop;
  }
  return hops[0] ?? peer;
}
