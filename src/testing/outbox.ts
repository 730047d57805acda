import { describe, expect, it } from "vitest";
import type { OutboxRecord, Storage } from "../storage/ports.js";

/*
 * The outbox port's contract: every adapter must pass it. Adapters may share one database across
 * tests, so every assertion looks only at the records its own test enqueued, claims lease far
 * into the future (a record another test leaves behind is not claimed twice), and limits are
 * generous except where the limit itself is under test.
 */

let sequence = 0;
const unique = () => `msg-${Date.now().toString(36)}-${++sequence}`;
const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1) + minutes * 60_000);
const FAR = new Date(Date.UTC(2100, 0, 1));

function message(overrides: Partial<OutboxRecord> = {}): OutboxRecord {
  return {
    id: unique(),
    payload: `v1.${"x".repeat(40)}.payload with "quotes", unicode é and newlines\n`,
    attempts: 0,
    availableAt: at(0),
    lastError: null,
    createdAt: at(0),
    deadAt: null,
    ...overrides,
  };
}

const ids = (records: OutboxRecord[]) => records.map((record) => record.id);

export function outboxContract(makeStorage: () => Promise<Storage> | Storage) {
  describe("outbox port", () => {
    it("claims a due message with its payload intact, leasing it and counting the attempt", async () => {
      const { outbox } = await makeStorage();
      const record = message();
      await outbox.enqueue(record);
      const leaseUntil = at(10);
      const claimed = (await outbox.claimDue(at(1), leaseUntil, 1000)).find(
        (r) => r.id === record.id,
      );
      expect(claimed).toEqual({ ...record, attempts: 1, availableAt: leaseUntil });
    });

    it("does not claim a message before its availableAt, nor again while it is leased", async () => {
      const { outbox } = await makeStorage();
      const later = message({ availableAt: at(30) });
      await outbox.enqueue(later);
      expect(ids(await outbox.claimDue(at(29), FAR, 1000))).not.toContain(later.id);
      const first = await outbox.claimDue(at(30), at(40), 1000);
      expect(ids(first)).toContain(later.id);
      expect(ids(await outbox.claimDue(at(35), at(45), 1000))).not.toContain(later.id);
      // The lease ended without the message being marked: another worker may take it.
      const retaken = (await outbox.claimDue(at(40), FAR, 1000)).find((r) => r.id === later.id);
      expect(retaken?.attempts).toBe(2);
    });

    it("gives each message to exactly one of many concurrent claims", async () => {
      const { outbox } = await makeStorage();
      const records = Array.from({ length: 5 }, () => message({ availableAt: at(-1) }));
      for (const record of records) await outbox.enqueue(record);
      const claims = await Promise.all(
        Array.from({ length: 8 }, () => outbox.claimDue(at(0), FAR, 1000)),
      );
      for (const record of records) {
        const takers = claims.filter((claim) => ids(claim).includes(record.id));
        expect(takers).toHaveLength(1);
      }
    });

    it("claims at most `limit` messages, oldest availableAt first", async () => {
      const { outbox } = await makeStorage();
      // Placed before any other test's records, so the limit is filled by these alone.
      const old = message({ availableAt: new Date(Date.UTC(2000, 0, 1)) });
      const older = message({ availableAt: new Date(Date.UTC(1999, 0, 1)) });
      await outbox.enqueue(old);
      await outbox.enqueue(older);
      const first = await outbox.claimDue(at(0), FAR, 1);
      expect(ids(first)).toEqual([older.id]);
      expect(ids(await outbox.claimDue(at(0), FAR, 1))).toEqual([old.id]);
    });

    it("markSent removes the message; reschedule releases it for a later attempt", async () => {
      const { outbox } = await makeStorage();
      const sent = message({ availableAt: at(100) });
      const failed = message({ availableAt: at(100) });
      await outbox.enqueue(sent);
      await outbox.enqueue(failed);
      await outbox.claimDue(at(100), at(110), 1000);
      await outbox.markSent(sent.id);
      await outbox.reschedule(failed.id, at(105), "421 try later");
      const again = await outbox.claimDue(at(105), FAR, 1000);
      expect(ids(again)).not.toContain(sent.id);
      const retried = again.find((r) => r.id === failed.id);
      expect(retried).toMatchObject({ attempts: 2, lastError: "421 try later" });
      await outbox.markSent("no-such-message");
    });

    it("never claims a dead-lettered message and lists it, most recent first", async () => {
      const { outbox } = await makeStorage();
      const first = message({ availableAt: at(200) });
      const second = message({ availableAt: at(200) });
      await outbox.enqueue(first);
      await outbox.enqueue(second);
      await outbox.markDead(first.id, at(201), "550 no such user");
      await outbox.markDead(second.id, at(202), "550 mailbox full");
      expect(ids(await outbox.claimDue(at(300), FAR, 1000))).not.toContain(first.id);
      const dead = (await outbox.listDead(1000)).filter((r) =>
        [first.id, second.id].includes(r.id),
      );
      expect(ids(dead)).toEqual([second.id, first.id]);
      expect(dead[1]).toMatchObject({ deadAt: at(201), lastError: "550 no such user" });
      expect(await outbox.listDead(1)).toHaveLength(1);
    });
  });
}
