import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, safeRedirectPath } from "../../src/index.js";
import { allowedRedirect } from "../../src/util/redirect-target.js";
import { sitePath } from "../../src/util/safe-path.js";
import { makeAuth } from "../helpers.js";

const SITE = "https://app.example.com";

/** Where a browser goes when a page on SITE calls `location.assign(target)` or follows `Location`. */
const landing = (target: string) => new URL(target, `${SITE}/sign-in`);

/** The check the starters used before: a leading `/`, not `//` (some also refused `/\`). */
const oldStarterCheck = (next: string) =>
  next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\");

// Each as the page sees it: `?next=/%09/evil.example` arrives decoded, as "/\t/evil.example".
const BYPASSES = [
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r/evil.example",
  "/\r\n/evil.example",
  "/\t\\evil.example",
];

// Harmless as they stand, but the parsed pathname is `//evil.example`: a helper that rebuilt the
// value from `pathname` without checking it again would hand out a protocol-relative URL.
const DOT_SEGMENTS = ["/.//evil.example", "/a/..//evil.example", "/x/%2E%2E//evil.example"];

const REFUSED = [
  ...BYPASSES,
  ...DOT_SEGMENTS,
  "/./\\evil.example",
  // The raw query values: harmless to a browser as they stand, refused because one more decode
  // (a framework, a proxy, another redirect) turns them into the bypasses above.
  "/%09/evil.example",
  "/%0d%0a/evil.example",
  "/%5Cevil.example",
  "/%5cevil.example",
  "/%2F/evil.example",
  "/%2f%2fevil.example",
  "/\\evil.example",
  "/\\/evil.example",
  "//evil.example",
  "//evil.example/path",
  "///evil.example",
  "\\\\evil.example",
  "\\/evil.example",
  " //evil.example",
  "\t//evil.example",
  "https://evil.example",
  "http:evil.example",
  "https:/evil.example",
  "HTTPS://evil.example",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "evil.example",
  "account",
  "?next=/x",
  "#top",
  "",
  "/\u0000/evil.example",
  "/\u007f",
  "/\u0085",
  "/\u00a0/evil.example",
  "/\u2028",
  "/a b",
  "/100%",
  "/%E0%A4%A",
];

describe("safeRedirectPath", () => {
  it("refuses every bypass and off-site value, answering the fallback", () => {
    for (const value of REFUSED) {
      expect(sitePath(value), JSON.stringify(value)).toBeNull();
      expect(safeRedirectPath(value), JSON.stringify(value)).toBe("/");
      expect(safeRedirectPath(value, "/account"), JSON.stringify(value)).toBe("/account");
    }
  });

  it("the bypasses are real: each passes the starters' old check and lands on another host", () => {
    for (const value of BYPASSES) {
      expect(oldStarterCheck(value), JSON.stringify(value)).toBe(true);
      expect(landing(value).host, JSON.stringify(value)).toBe("evil.example");
    }
    // `/%5Cevil.example`, decoded by URLSearchParams, is `/\evil.example`: the URL parser reads
    // the backslash as a slash. (The Hono and Next.js starters did not refuse `/\` at all.)
    expect(landing("/\\evil.example").host).toBe("evil.example");
    for (const value of DOT_SEGMENTS) {
      const { pathname } = landing(value);
      expect(pathname, value).toBe("//evil.example");
      expect(landing(pathname).host, value).toBe("evil.example");
    }
    expect(new URLSearchParams("next=/%09/evil.example").get("next")).toBe("/\t/evil.example");
    expect(new URLSearchParams("next=/%5Cevil.example").get("next")).toBe("/\\evil.example");
  });

  it("accepts paths on this site, returning them as the URL parser normalises them", () => {
    expect(safeRedirectPath("/")).toBe("/");
    expect(safeRedirectPath("/account")).toBe("/account");
    expect(safeRedirectPath("/ok?x=1#y")).toBe("/ok?x=1#y");
    // An encoded space is harmless; an encoded tab or backslash is not.
    expect(safeRedirectPath("/search?q=a%20b")).toBe("/search?q=a%20b");
    expect(safeRedirectPath("/search?q=a%09b")).toBe("/");
    expect(safeRedirectPath("/dashboard/settings?tab=2&q=a+b")).toBe(
      "/dashboard/settings?tab=2&q=a+b",
    );
    expect(safeRedirectPath("/a/./b/../c")).toBe("/a/c");
    expect(safeRedirectPath("/café")).toBe("/caf%C3%A9");
    expect(safeRedirectPath("/files/a%2Fb")).toBe("/files/a%2Fb");
    expect(safeRedirectPath("/discount/50%25")).toBe("/discount/50%25");
    expect(safeRedirectPath("/@evil.example")).toBe("/@evil.example");
    expect(safeRedirectPath("/evil.example")).toBe("/evil.example");
  });

  it("answers the fallback for anything that is not a string", () => {
    for (const value of [undefined, null, 0, 1, true, ["/account"], { toString: () => "/a" }]) {
      expect(safeRedirectPath(value, "/home")).toBe("/home");
    }
    expect(safeRedirectPath(undefined)).toBe("/");
  });

  it("throws when the fallback itself is not a path on this site", () => {
    for (const fallback of ["https://evil.example", "//evil.example", "/\t/evil.example", ""]) {
      expect(() => safeRedirectPath("//x", fallback), fallback).toThrow(ConfigError);
    }
    // A good value never needs the fallback, yet the rule is the same on every call.
    expect(() => safeRedirectPath("/ok", "//evil.example")).not.toThrow();
  });

  it("whatever it returns stays on the site, read raw, stripped of tab/CR/LF, or decoded once more", () => {
    const pieces = fc.constantFrom(
      "/",
      "//",
      "\\",
      "\t",
      "\r",
      "\n",
      " ",
      ".",
      "..",
      "%",
      "%2e",
      "%2F",
      "%5C",
      "%09",
      "%0a",
      "?",
      "#",
      "@",
      ":",
      "evil.example",
      "https:",
      "javascript:",
      "a",
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 8 }), fc.string(), (parts, noise) => {
        for (const value of [parts.join(""), `/${parts.join("")}`, noise, `/${noise}`]) {
          const result = safeRedirectPath(value, "/fallback");
          expect(result.startsWith("/")).toBe(true);
          for (const read of [
            result,
            result.replace(/[\t\r\n]/g, ""),
            (() => {
              try {
                return decodeURIComponent(result);
              } catch {
                return result;
              }
            })(),
          ]) {
            expect(landing(read).origin, JSON.stringify(value)).toBe(SITE);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("never contradicts allowedRedirect: an accepted path resolves to baseURL's origin", () => {
    const { resolved: config } = makeAuth({ trustedOrigins: ["https://app.example.com"] });
    const origin = new URL(config.baseURL).origin;
    for (const value of ["/", "/account", "/ok?x=1#y", "/a/./b/../c", "/café"]) {
      const path = sitePath(value) as string;
      const absolute = allowedRedirect(config, path);
      expect(absolute, value).not.toBeNull();
      expect(new URL(absolute as string).origin).toBe(origin);
    }
    // And what allowedRedirect refuses for being off-site, this refuses too.
    for (const value of REFUSED) {
      if (allowedRedirect(config, value) === null) expect(sitePath(value), value).toBeNull();
    }
  });
});
