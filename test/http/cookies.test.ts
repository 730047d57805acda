import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isTrustedProxy } from "../../src/http/client-ip.js";
import { readCookie, serializeCookie } from "../../src/util/cookies.js";

describe("cookies", () => {
  it("reads one cookie among many, first wins, quotes stripped", () => {
    expect(readCookie("a=1; b=2; a=3", "a")).toBe("1");
    expect(readCookie('a="x"', "a")).toBe("x");
    expect(readCookie("ab=1", "a")).toBeNull();
    expect(readCookie(null, "a")).toBeNull();
    expect(readCookie("junk; a=1", "a")).toBe("1");
  });

  it("agrees with a plain split-based parser on any header", () => {
    const reference = (header: string, name: string) => {
      for (const pair of header.split(";")) {
        const eq = pair.indexOf("=");
        if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
        const value = pair.slice(eq + 1).trim();
        return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
          ? value.slice(1, -1)
          : value;
      }
      return null;
    };
    const piece = fc.constantFrom("a", "b", "=", ";", " ", '"', "x", "session");
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 40 }).map((parts) => parts.join("")),
        fc.constantFrom("a", "b", "session"),
        (header, name) => {
          expect(readCookie(header, name)).toBe(reference(header, name));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("serialises attributes and refuses values that would inject attributes", () => {
    expect(
      serializeCookie("n", "v", { maxAge: 10.7, httpOnly: true, secure: true, sameSite: "Lax" }),
    ).toBe("n=v; Max-Age=10; Path=/; HttpOnly; Secure; SameSite=Lax");
    expect(() => serializeCookie("n", "v; Domain=evil.com")).toThrow();
  });
});

describe("trusted proxies", () => {
  it("matches exact addresses, IPv4 CIDR ranges and IPv4-mapped IPv6", () => {
    expect(isTrustedProxy("10.1.2.3", ["10.0.0.0/8"])).toBe(true);
    expect(isTrustedProxy("11.1.2.3", ["10.0.0.0/8"])).toBe(false);
    expect(isTrustedProxy("::ffff:10.1.2.3", ["10.0.0.0/8"])).toBe(true);
    expect(isTrustedProxy("::1", ["::1"])).toBe(true);
    expect(isTrustedProxy("192.168.1.1", ["192.168.1.0/31"])).toBe(true);
    expect(isTrustedProxy("192.168.1.2", ["192.168.1.0/31"])).toBe(false);
  });
});
