import { describe, expect, it } from "vitest";
import {
  canonicalIP,
  ipInRange,
  ipRateLimitKey,
  parseCIDR,
  parseIP,
} from "../../src/util/ip-address.js";

const inRange = (ip: string, range: string) => {
  const address = parseIP(ip);
  const parsed = parseCIDR(range);
  if (!address || !parsed) throw new Error(`unparsable: ${ip} / ${range}`);
  return ipInRange(address, parsed);
};

describe("parseIP and canonicalIP", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["0.0.0.0", "0.0.0.0"],
    ["255.255.255.255", "255.255.255.255"],
    ["2001:db8::1", "2001:db8::1"],
    ["2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"],
    ["::", "::"],
    ["::1", "::1"],
    ["1::", "1::"],
    ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
    ["::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"],
    ["fe80::1%eth0", "fe80::1"],
    ["fe80::1%25", "fe80::1"],
    ["[2001:db8::1]", "2001:db8::1"],
    ["[2001:db8::1]:443", "2001:db8::1"],
    ["[fe80::1%eth0]:8080", "fe80::1"],
    ["203.0.113.7:51234", "203.0.113.7"],
    ["  2001:db8::1 ", "2001:db8::1"],
    ["::ffff:1.2.3.4", "1.2.3.4"],
    ["::FFFF:0102:0304", "1.2.3.4"],
    ["0:0:0:0:0:ffff:1.2.3.4", "1.2.3.4"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
    ["::1.2.3.4", "::102:304"],
    // Unbracketed IPv6 has no port: the last group is part of the address.
    ["2001:db8::1:443", "2001:db8::1:443"],
  ])("%s is %s", (input, canonical) => {
    expect(canonicalIP(input)).toBe(canonical);
  });

  it.each([
    "",
    "unknown",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "01.2.3.4",
    "1.2.3.-4",
    "1.2.3.4%eth0",
    "[1.2.3.4]",
    "[2001:db8::1",
    "2001:db8::1]",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8::",
    "::1:2:3:4:5:6:7:8",
    "1::2::3",
    ":::",
    ":1::",
    "1:::2",
    "12345::",
    "g::1",
    "1.2.3.4::",
    "::1.2.3.4:5",
    "::ffff:1.2.3",
    "::ffff:256.2.3.4",
  ])("refuses %j", (input) => {
    expect(parseIP(input)).toBeNull();
  });
});

describe("CIDR membership", () => {
  it("matches IPv4 ranges, IPv4-mapped clients included", () => {
    expect(inRange("10.1.2.3", "10.0.0.0/8")).toBe(true);
    expect(inRange("11.1.2.3", "10.0.0.0/8")).toBe(false);
    expect(inRange("::ffff:10.1.2.3", "10.0.0.0/8")).toBe(true);
    expect(inRange("192.168.1.1", "192.168.1.0/31")).toBe(true);
    expect(inRange("192.168.1.2", "192.168.1.0/31")).toBe(false);
    expect(inRange("8.8.8.8", "0.0.0.0/0")).toBe(true);
    expect(inRange("10.0.0.1", "10.0.0.1")).toBe(true);
    expect(inRange("10.0.0.2", "10.0.0.1")).toBe(false);
  });

  it("matches IPv6 ranges and single addresses", () => {
    expect(inRange("2001:db8:ffff::1", "2001:db8::/32")).toBe(true);
    expect(inRange("2001:db9::1", "2001:db8::/32")).toBe(false);
    expect(inRange("2001:db8:0:0:8000::", "2001:db8::/65")).toBe(false);
    expect(inRange("2001:db8:0:0:7fff::", "2001:db8::/65")).toBe(true);
    expect(inRange("::1", "::1")).toBe(true);
    expect(inRange("0:0:0:0:0:0:0:1", "::1/128")).toBe(true);
    expect(inRange("::2", "::1")).toBe(false);
    expect(inRange("fe80::1%eth0", "fe80::/10")).toBe(true);
    expect(inRange("2001:db8::1", "::/0")).toBe(true);
  });

  it("keeps the families apart, but reads a mapped range as IPv4", () => {
    expect(inRange("10.0.0.1", "::/0")).toBe(false);
    expect(inRange("::a00:1", "10.0.0.0/8")).toBe(false);
    expect(inRange("10.1.2.3", "::ffff:10.0.0.0/104")).toBe(true);
    expect(inRange("::ffff:10.1.2.3", "::ffff:10.0.0.0/104")).toBe(true);
    expect(inRange("11.1.2.3", "::ffff:10.0.0.0/104")).toBe(false);
  });

  it("clears host bits, and refuses what is no range", () => {
    expect(inRange("10.9.9.9", "10.1.2.3/8")).toBe(true);
    for (const bad of [
      "10.0.0.0/33",
      "2001:db8::/129",
      "10.0.0.0/",
      "10.0.0.0/8/8",
      "10.0.0.0/-1",
      "10.0.0.0/x",
      "host.example",
      "10.0.0.1:80",
      "[::1]:80",
      "",
    ]) {
      expect(parseCIDR(bad), bad).toBeNull();
    }
    expect(parseCIDR("[2001:db8::]/32")?.prefix).toBe(32);
  });
});

describe("ipRateLimitKey", () => {
  it("counts an IPv6 client by its /64 by default", () => {
    const key = (ip: string) => ipRateLimitKey(ip, 64);
    expect(key("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(key("2001:db8:1:2:ffff::9")).toBe(key("2001:db8:1:2::1"));
    expect(key("2001:0db8:0001:0002:abcd:ef01:2345:6789")).toBe(key("2001:db8:1:2::1"));
    expect(key("[2001:db8:1:2::7]:443")).toBe(key("2001:db8:1:2::1"));
    expect(key("2001:db8:1:3::1")).not.toBe(key("2001:db8:1:2::1"));
  });

  it("honours the configured prefix", () => {
    expect(ipRateLimitKey("2001:db8:1:2::1", 48)).toBe("2001:db8:1::/48");
    expect(ipRateLimitKey("2001:db8:1:3::1", 48)).toBe("2001:db8:1::/48");
    expect(ipRateLimitKey("2001:db8:1:2::1", 128)).toBe("2001:db8:1:2::1/128");
    expect(ipRateLimitKey("2001:db8:1:2::2", 128)).toBe("2001:db8:1:2::2/128");
    expect(ipRateLimitKey("2001:db8:1:2::1", 56)).toBe(ipRateLimitKey("2001:db8:1:ff::1", 56));
    expect(ipRateLimitKey("2001:db8:1:2::1", 56)).not.toBe(ipRateLimitKey("2001:db8:1:100::1", 56));
  });

  it("counts IPv4 by the full address, mapped or not", () => {
    expect(ipRateLimitKey("203.0.113.7", 64)).toBe("203.0.113.7");
    expect(ipRateLimitKey("::ffff:203.0.113.7", 64)).toBe("203.0.113.7");
    expect(ipRateLimitKey("203.0.113.7:5000", 64)).toBe("203.0.113.7");
    expect(ipRateLimitKey("203.0.113.8", 64)).not.toBe("203.0.113.7");
  });

  it("counts text that is no address as it is", () => {
    expect(ipRateLimitKey("unknown", 64)).toBe("unknown");
  });
});
