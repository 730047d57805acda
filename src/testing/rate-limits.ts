import { describe, expect, it } from "vitest";
import type { Storage } from "../storage/ports.js";
import { at, unique } from "./fixtures.js";

/** The rateLimits port's contract: atomic counting in fixed windows. */
export function rateLimitsContract(makeStorage: () => Promise<Storage> | Storage) {
  describe("rateLimits port", () => {
    it("counts hits in a window and reports when it ends", async () => {
      const { rateLimits } = await makeStorage();
      const key = unique("ip:login");
      expect(await rateLimits.peek(key, at(0))).toBeNull();
      expect(await rateLimits.hit(key, 60_000, at(0))).toEqual({ count: 1, resetAt: at(60) });
      expect(await rateLimits.hit(key, 60_000, at(10))).toEqual({ count: 2, resetAt: at(60) });
      expect(await rateLimits.peek(key, at(20))).toEqual({ count: 2, resetAt: at(60) });
      expect(await rateLimits.peek(unique("other"), at(20))).toBeNull();
    });

    it("opens a new window once the old one has ended", async () => {
      const { rateLimits } = await makeStorage();
      const key = unique("account:login");
      await rateLimits.hit(key, 60_000, at(0));
      await rateLimits.hit(key, 60_000, at(1));
      expect(await rateLimits.peek(key, at(60))).toBeNull();
      expect(await rateLimits.hit(key, 60_000, at(60))).toEqual({ count: 1, resetAt: at(120) });
    });

    it("counts every one of many concurrent hits exactly once", async () => {
      const { rateLimits } = await makeStorage();
      const key = unique("burst");
      const results = await Promise.all(
        Array.from({ length: 25 }, () => rateLimits.hit(key, 60_000, at(0))),
      );
      expect(results.map((result) => result.count).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 25 }, (_, i) => i + 1),
      );
      expect((await rateLimits.peek(key, at(1)))?.count).toBe(25);
    });

    it("resets a key and leaves the others", async () => {
      const { rateLimits } = await makeStorage();
      const [key, other] = [unique("lock"), unique("lock")];
      await rateLimits.hit(key, 60_000, at(0));
      await rateLimits.hit(other, 60_000, at(0));
      await rateLimits.reset(key);
      expect(await rateLimits.peek(key, at(1))).toBeNull();
      expect(await rateLimits.hit(key, 30_000, at(2))).toEqual({ count: 1, resetAt: at(32) });
      expect((await rateLimits.peek(other, at(1)))?.count).toBe(1);
      await rateLimits.reset(unique("never-hit"));
    });
  });
}
