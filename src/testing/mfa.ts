import { describe, expect, it } from "vitest";
import type { Storage } from "../storage/ports.js";
import { at, createdUser } from "./fixtures.js";

/*
 * The mfa port's contract: a second factor set up, confirmed, its codes used once each, and
 * every one of the atomic methods holding under concurrency (several instances over one
 * database race exactly like these Promise.all calls do).
 */

const codes = (prefix: string, count = 10) =>
  Array.from({ length: count }, (_, i) => `${prefix}-hash-${i}`);

/** A user whose MFA is on with secret `sealed-1`, last step 100 and ten codes `c-hash-<i>`. */
async function enabledUser(storage: Storage) {
  const user = await createdUser(storage);
  await storage.mfa.setPendingSecret(user.id, "sealed-1", at(0));
  const enabled = await storage.mfa.enable(user.id, {
    pendingSecret: "sealed-1",
    enabledAt: at(10),
    lastUsedStep: 100,
    recoveryCodes: codes("c"),
  });
  expect(enabled).toBe(true);
  return user;
}

export function mfaContract(makeStorage: () => Promise<Storage> | Storage) {
  describe("mfa port", () => {
    it("keeps a secret set up as pending, MFA off, until it is confirmed", async () => {
      const storage = await makeStorage();
      const user = await createdUser(storage);
      expect(await storage.mfa.get(user.id)).toBeNull();
      await storage.mfa.setPendingSecret(user.id, "sealed-1", at(0));
      expect(await storage.mfa.get(user.id)).toEqual({
        userId: user.id,
        totpSecret: null,
        enabledAt: null,
        lastUsedStep: 0,
        pendingSecret: "sealed-1",
        recoveryCodes: [],
        updatedAt: at(0),
      });
      // A new set-up replaces the unconfirmed secret.
      await storage.mfa.setPendingSecret(user.id, "sealed-2", at(5));
      expect((await storage.mfa.get(user.id))?.pendingSecret).toBe("sealed-2");
      // Nothing to use while MFA is off.
      expect(await storage.mfa.recordStep(user.id, 7, at(6))).toBe(false);
      expect(await storage.mfa.replaceRecoveryCodes(user.id, codes("x"), at(6))).toBe(false);
    });

    it("confirms only the secret still pending, with its codes and last step, in one write", async () => {
      const storage = await makeStorage();
      const user = await createdUser(storage);
      await storage.mfa.setPendingSecret(user.id, "sealed-2", at(0));
      const change = {
        pendingSecret: "sealed-1",
        enabledAt: at(10),
        lastUsedStep: 100,
        recoveryCodes: codes("c"),
      };
      expect(await storage.mfa.enable(user.id, change)).toBe(false);
      expect((await storage.mfa.get(user.id))?.totpSecret).toBeNull();
      expect(await storage.mfa.enable(user.id, { ...change, pendingSecret: "sealed-2" })).toBe(
        true,
      );
      expect(await storage.mfa.get(user.id)).toEqual({
        userId: user.id,
        totpSecret: "sealed-2",
        enabledAt: at(10),
        lastUsedStep: 100,
        pendingSecret: null,
        recoveryCodes: codes("c"),
        updatedAt: at(10),
      });
      expect(await storage.mfa.enable(user.id, { ...change, pendingSecret: "sealed-2" })).toBe(
        false,
      );
      expect(await storage.mfa.enable(`${user.id}-nobody`, change)).toBe(false);
    });

    it("keeps the enabled secret while a new one is set up, and swaps them on confirmation", async () => {
      const storage = await makeStorage();
      const user = await enabledUser(storage);
      await storage.mfa.setPendingSecret(user.id, "sealed-new", at(20));
      const pending = await storage.mfa.get(user.id);
      expect(pending).toMatchObject({
        totpSecret: "sealed-1",
        pendingSecret: "sealed-new",
        lastUsedStep: 100,
        recoveryCodes: codes("c"),
      });
      expect(
        await storage.mfa.enable(user.id, {
          pendingSecret: "sealed-new",
          enabledAt: at(30),
          lastUsedStep: 90,
          recoveryCodes: codes("n"),
        }),
      ).toBe(true);
      expect(await storage.mfa.get(user.id)).toMatchObject({
        totpSecret: "sealed-new",
        pendingSecret: null,
        lastUsedStep: 90,
        recoveryCodes: codes("n"),
      });
    });

    it("accepts a time step only when it is later than the last one used", async () => {
      const storage = await makeStorage();
      const user = await enabledUser(storage);
      expect(await storage.mfa.recordStep(user.id, 100, at(20))).toBe(false);
      expect(await storage.mfa.recordStep(user.id, 99, at(20))).toBe(false);
      expect(await storage.mfa.recordStep(user.id, 101, at(20))).toBe(true);
      expect(await storage.mfa.recordStep(user.id, 101, at(21))).toBe(false);
      // Steps past 2^32 (RFC 6238's 64-bit counter) are stored and compared exactly.
      expect(await storage.mfa.recordStep(user.id, 2 ** 33 + 1, at(22))).toBe(true);
      expect(await storage.mfa.recordStep(user.id, 2 ** 33, at(23))).toBe(false);
      expect((await storage.mfa.get(user.id))?.lastUsedStep).toBe(2 ** 33 + 1);
      expect(await storage.mfa.recordStep(`${user.id}-nobody`, 200, at(24))).toBe(false);
    });

    it("lets exactly one of many concurrent uses of one step through", async () => {
      const storage = await makeStorage();
      const user = await enabledUser(storage);
      const results = await Promise.all(
        Array.from({ length: 12 }, () => storage.mfa.recordStep(user.id, 101, at(20))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it("uses a recovery code once, answering how many remain", async () => {
      const storage = await makeStorage();
      const user = await enabledUser(storage);
      expect(await storage.mfa.consumeRecoveryCode(user.id, "c-hash-3", at(20))).toBe(9);
      expect(await storage.mfa.consumeRecoveryCode(user.id, "c-hash-3", at(21))).toBeNull();
      expect(await storage.mfa.consumeRecoveryCode(user.id, "not-a-code", at(21))).toBeNull();
      expect(await storage.mfa.consumeRecoveryCode(user.id, "c-hash-0", at(22))).toBe(8);
      const left = (await storage.mfa.get(user.id))?.recoveryCodes;
      expect(left?.sort()).toEqual(
        codes("c")
          .filter((code) => code !== "c-hash-3" && code !== "c-hash-0")
          .sort(),
      );
      expect(await storage.mfa.consumeRecoveryCode(`${user.id}-nobody`, "c-hash-1", at(23))).toBe(
        null,
      );
    });

    it("gives one concurrent use of a code success, and concurrent uses of different codes each theirs", async () => {
      const storage = await makeStorage();
      const user = await enabledUser(storage);
      const same = await Promise.all(
        Array.from({ length: 8 }, () =>
          storage.mfa.consumeRecoveryCode(user.id, "c-hash-5", at(20)),
        ),
      );
      expect(same.filter((remaining) => remaining !== null)).toEqual([9]);
      const different = await Promise.all(
        ["c-hash-1", "c-hash-2", "c-hash-4", "c-hash-6"].map((hash) =>
          storage.mfa.consumeRecoveryCode(user.id, hash, at(21)),
        ),
      );
      expect(different.every((remaining) => remaining !== null)).toBe(true);
      expect([...(different as number[])].sort()).toEqual([5, 6, 7, 8]);
      expect((await storage.mfa.get(user.id))?.recoveryCodes).toHaveLength(5);
    });

    it("replaces the codes: the old ones stop working", async () => {
      const storage = await makeStorage();
      const user = await enabledUser(storage);
      expect(await storage.mfa.replaceRecoveryCodes(user.id, codes("r"), at(20))).toBe(true);
      expect(await storage.mfa.consumeRecoveryCode(user.id, "c-hash-1", at(21))).toBeNull();
      expect(await storage.mfa.consumeRecoveryCode(user.id, "r-hash-1", at(21))).toBe(9);
    });

    it("deletes a user's second factor, saying whether MFA was on", async () => {
      const storage = await makeStorage();
      const user = await enabledUser(storage);
      expect(await storage.mfa.delete(user.id)).toBe(true);
      expect(await storage.mfa.get(user.id)).toBeNull();
      expect(await storage.mfa.consumeRecoveryCode(user.id, "c-hash-1", at(21))).toBeNull();
      expect(await storage.mfa.delete(user.id)).toBe(false);
      const settingUp = await createdUser(storage);
      await storage.mfa.setPendingSecret(settingUp.id, "sealed-1", at(0));
      expect(await storage.mfa.delete(settingUp.id)).toBe(false);
      expect(await storage.mfa.get(settingUp.id)).toBeNull();
    });

    it("goes with the user: deleting the user deletes its second factor", async () => {
      const storage = await makeStorage();
      const user = await enabledUser(storage);
      const other = await enabledUser(storage);
      await storage.users.delete(user.id);
      expect(await storage.mfa.get(user.id)).toBeNull();
      expect((await storage.mfa.get(other.id))?.totpSecret).toBe("sealed-1");
    });
  });
}
