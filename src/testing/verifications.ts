import { describe, expect, it } from "vitest";
import type { Storage, VerificationRecord } from "../storage/ports.js";
import { at, createdUser, unique } from "./fixtures.js";

function record(overrides: Partial<VerificationRecord> = {}): VerificationRecord {
  return {
    id: unique("token-hash"),
    purpose: "password-reset",
    userId: null,
    identifier: "someone@example.com",
    data: JSON.stringify({ redirectTo: '/welcome?x="é"' }),
    createdAt: at(0),
    expiresAt: at(900),
    ...overrides,
  };
}

/** The verifications port's contract: single use under concurrency, purpose-bound, expiring. */
export function verificationsContract(makeStorage: () => Promise<Storage> | Storage) {
  describe("verifications port", () => {
    it("consumes a token once, returning it with every field intact", async () => {
      const storage = await makeStorage();
      const user = await createdUser(storage);
      const token = record({ userId: user.id, identifier: user.email });
      await storage.verifications.create(token);
      expect(await storage.verifications.consume(token.id, token.purpose, at(1))).toEqual(token);
      expect(await storage.verifications.consume(token.id, token.purpose, at(2))).toBeNull();
      const anonymous = record({ data: null });
      await storage.verifications.create(anonymous);
      expect(await storage.verifications.consume(anonymous.id, anonymous.purpose, at(1))).toEqual(
        anonymous,
      );
    });

    it("gives a token to exactly one of many concurrent consumers", async () => {
      const storage = await makeStorage();
      const token = record({ purpose: "magic-link" });
      await storage.verifications.create(token);
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          storage.verifications.consume(token.id, "magic-link", at(1)),
        ),
      );
      expect(results.filter((result) => result !== null)).toHaveLength(1);
    });

    it("never serves a token for another purpose, and leaves it usable for its own", async () => {
      const storage = await makeStorage();
      const token = record({ purpose: "email-verification" });
      await storage.verifications.create(token);
      expect(await storage.verifications.consume(token.id, "password-reset", at(1))).toBeNull();
      expect(await storage.verifications.consume(token.id, "email-verification", at(1))).toEqual(
        token,
      );
    });

    it("refuses an expired token, at its expiry instant included", async () => {
      const storage = await makeStorage();
      const token = record({ expiresAt: at(900) });
      await storage.verifications.create(token);
      expect(await storage.verifications.consume(token.id, token.purpose, at(900))).toBeNull();
      // Refused once, it stays refused.
      expect(await storage.verifications.consume(token.id, token.purpose, at(1))).toBeNull();
    });

    it("voids a user's tokens, by purpose or all of them", async () => {
      const storage = await makeStorage();
      const user = await createdUser(storage);
      const other = await createdUser(storage);
      const reset = record({ userId: user.id, purpose: "password-reset" });
      const magic = record({ userId: user.id, purpose: "magic-link" });
      const verify = record({ userId: user.id, purpose: "email-verification" });
      const bystander = record({ userId: other.id, purpose: "password-reset" });
      for (const token of [reset, magic, verify, bystander])
        await storage.verifications.create(token);
      await storage.verifications.deleteByUser(user.id, "password-reset");
      expect(await storage.verifications.consume(reset.id, reset.purpose, at(1))).toBeNull();
      expect(await storage.verifications.consume(magic.id, magic.purpose, at(1))).not.toBeNull();
      await storage.verifications.deleteByUser(user.id);
      expect(await storage.verifications.consume(verify.id, verify.purpose, at(1))).toBeNull();
      expect(
        await storage.verifications.consume(bystander.id, bystander.purpose, at(1)),
      ).not.toBeNull();
    });

    it("deleteExpired keeps live tokens", async () => {
      const storage = await makeStorage();
      const old = record({ expiresAt: at(100) });
      const live = record({ expiresAt: at(1000) });
      await storage.verifications.create(old);
      await storage.verifications.create(live);
      // A store may drop expired tokens by itself (a TTL) and count none here.
      expect(await storage.verifications.deleteExpired(at(500))).toBeGreaterThanOrEqual(0);
      expect(await storage.verifications.consume(old.id, old.purpose, at(500))).toBeNull();
      expect(await storage.verifications.consume(live.id, live.purpose, at(500))).toEqual(live);
    });
  });
}
