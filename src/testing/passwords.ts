import { describe, expect, it } from "vitest";
import type { Storage } from "../storage/ports.js";
import { createdUser, newUser } from "./fixtures.js";

/** The passwords port's contract: set, get and an atomic compare-and-swap. */
export function passwordsContract(makeStorage: () => Promise<Storage> | Storage) {
  describe("passwords port", () => {
    it("sets and replaces a hash, and sets one for a user who had none", async () => {
      const storage = await makeStorage();
      const user = await createdUser(storage);
      await storage.passwords.set(user.id, "$test$hash-1");
      expect(await storage.passwords.get(user.id)).toBe("$test$hash-1");
      const bare = await storage.users.create(newUser());
      expect(await storage.passwords.get(bare.id)).toBeNull();
      await storage.passwords.set(bare.id, "$test$first");
      expect(await storage.passwords.get(bare.id)).toBe("$test$first");
    });

    it("deletes a user's password, so the user has none", async () => {
      const storage = await makeStorage();
      const user = await createdUser(storage);
      await storage.passwords.delete(user.id);
      expect(await storage.passwords.get(user.id)).toBeNull();
      expect(await storage.passwords.replace(user.id, "$test$hash-0", "$test$next")).toBe(false);
      await storage.passwords.delete(`${user.id}-nobody`);
    });

    it("replaces only from the expected hash", async () => {
      const storage = await makeStorage();
      const user = await createdUser(storage);
      expect(await storage.passwords.replace(user.id, "$test$wrong", "$test$next")).toBe(false);
      expect(await storage.passwords.get(user.id)).toBe("$test$hash-0");
      expect(await storage.passwords.replace(user.id, "$test$hash-0", "$test$next")).toBe(true);
      expect(await storage.passwords.get(user.id)).toBe("$test$next");
      expect(await storage.passwords.replace(`${user.id}-nobody`, "$test$hash-0", "x")).toBe(false);
    });

    it("lets exactly one of many concurrent replacements of one hash win", async () => {
      const storage = await makeStorage();
      const user = await createdUser(storage);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          storage.passwords.replace(user.id, "$test$hash-0", `$test$racer-${i}`),
        ),
      );
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      expect(winners).toHaveLength(1);
      expect(await storage.passwords.get(user.id)).toBe(`$test$racer-${winners[0]}`);
    });
  });
}
