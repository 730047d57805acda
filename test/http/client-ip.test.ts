import { describe, expect, it } from "vitest";
import { clientIP, isTrustedProxy } from "../../src/http/client-ip.js";
import { ConfigError } from "../../src/index.js";
import { call, makeAuth } from "../helpers.js";

const wrong = (email: string, clientIP: string, headers: Record<string, string> = {}) => ({
  body: { email, password: "wrong guess!!" },
  clientIP,
  headers,
});

describe("trusted proxies", () => {
  it("accept IPv6 addresses and ranges beside IPv4 ones", () => {
    const proxies = ["10.0.0.0/8", "2001:db8::/32", "::1", "fd00::/8"];
    expect(isTrustedProxy("10.1.2.3", proxies)).toBe(true);
    expect(isTrustedProxy("::ffff:10.1.2.3", proxies)).toBe(true);
    expect(isTrustedProxy("2001:db8:ab:cd::1", proxies)).toBe(true);
    expect(isTrustedProxy("2001:0db8:00ab::1", proxies)).toBe(true);
    expect(isTrustedProxy("::1", proxies)).toBe(true);
    expect(isTrustedProxy("0:0:0:0:0:0:0:1", proxies)).toBe(true);
    expect(isTrustedProxy("[::1]", proxies)).toBe(true);
    expect(isTrustedProxy("fd12:3456::1%eth0", proxies)).toBe(true);
    expect(isTrustedProxy("2001:db9::1", proxies)).toBe(false);
    expect(isTrustedProxy("::2", proxies)).toBe(false);
    expect(isTrustedProxy("11.1.2.3", proxies)).toBe(false);
    expect(isTrustedProxy("not-an-ip", proxies)).toBe(false);
  });

  it("are read from X-Forwarded-For right to left over IPv6 hops, answering canonically", () => {
    const auth = makeAuth({ trustedProxies: ["2001:db8:ffff::/48", "10.0.0.0/8"] });
    const request = (forwarded: string) =>
      new Request("http://localhost:3000/auth/login", {
        headers: { "x-forwarded-for": forwarded },
      });
    expect(
      clientIP(
        request("2001:DB8:1:2:0:0:0:9, 2001:db8:ffff::2"),
        "2001:db8:ffff::1",
        auth.resolved,
      ),
    ).toBe("2001:db8:1:2::9");
    expect(clientIP(request("[2001:db8:1::5]:1234"), "10.0.0.1", auth.resolved)).toBe(
      "2001:db8:1::5",
    );
    // An untrusted peer's header is ignored; a dual-stack socket's mapped IPv4 is unmapped.
    expect(clientIP(request("198.51.100.1"), "::ffff:203.0.113.5", auth.resolved)).toBe(
      "203.0.113.5",
    );
  });

  it("refuse an entry that is neither an address nor a CIDR range, naming trustedProxies", () => {
    for (const entry of ["proxy.internal", "10.0.0.0/33", "2001:db8::/129", "10.0.0.1:80", ""]) {
      expect(() => makeAuth({ trustedProxies: ["10.0.0.0/8", entry] }), entry).toThrow(ConfigError);
      expect(() => makeAuth({ trustedProxies: [entry] }), entry).toThrow(/trustedProxies/);
    }
    expect(() => makeAuth({ trustedProxies: ["2001:db8::/32", "::1", "127.0.0.1"] })).not.toThrow();
  });
});

describe("per-IP limits over IPv6", () => {
  it("count one client per /64", async () => {
    const auth = makeAuth({ rateLimit: { perIP: { max: 2, window: 60 } } });
    const attempt = (ip: string, i: number) =>
      call(auth, "POST", "/auth/login", wrong(`u${i}@example.com`, ip));
    expect((await attempt("2001:db8:1:2::1", 1)).status).toBe(401);
    expect((await attempt("2001:db8:1:2:ffff::9", 2)).status).toBe(401);
    // A third address in the same /64 shares the limit...
    expect((await attempt("2001:db8:1:2:abcd::77", 3)).status).toBe(429);
    // ...and the neighbouring /64 has its own.
    expect((await attempt("2001:db8:1:3::1", 4)).status).toBe(401);
  });

  it("follow rateLimit.perIP.ipv6Prefix", async () => {
    const auth = makeAuth({ rateLimit: { perIP: { max: 1, window: 60, ipv6Prefix: 48 } } });
    const attempt = (ip: string, i: number) =>
      call(auth, "POST", "/auth/login", wrong(`u${i}@example.com`, ip));
    expect((await attempt("2001:db8:1:2::1", 1)).status).toBe(401);
    expect((await attempt("2001:db8:1:3::1", 2)).status).toBe(429);
    expect((await attempt("2001:db8:2::1", 3)).status).toBe(401);
    expect(() => makeAuth({ rateLimit: { perIP: { ipv6Prefix: 16 } } })).toThrow(/ipv6Prefix/);
    expect(() => makeAuth({ rateLimit: { perIP: { ipv6Prefix: 129 } } })).toThrow(/ipv6Prefix/);
  });

  it("count an IPv4-mapped client as its IPv4 address", async () => {
    const auth = makeAuth({ rateLimit: { perIP: { max: 1, window: 60 } } });
    const attempt = (ip: string, i: number) =>
      call(auth, "POST", "/auth/login", wrong(`u${i}@example.com`, ip));
    expect((await attempt("203.0.113.9", 1)).status).toBe(401);
    expect((await attempt("::ffff:203.0.113.9", 2)).status).toBe(429);
  });

  it("key on the client behind a trusted IPv6 proxy", async () => {
    const auth = makeAuth({
      rateLimit: { perIP: { max: 1, window: 60 } },
      trustedProxies: ["2001:db8:ffff::/48"],
    });
    const via = (client: string, i: number) =>
      call(
        auth,
        "POST",
        "/auth/login",
        wrong(`u${i}@example.com`, "2001:db8:ffff::1", { "x-forwarded-for": client }),
      );
    expect((await via("2001:db8:1:2::1", 1)).status).toBe(401);
    expect((await via("2001:db8:1:3::1", 2)).status).toBe(401);
    expect((await via("2001:db8:1:3::2", 3)).status).toBe(429);
  });
});
