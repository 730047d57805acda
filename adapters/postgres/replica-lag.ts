import type { Pool } from "pg";
import { isUnavailable } from "./errors.js";

/*
 * Whether a read replica may serve reads right now: not down, and not further behind the
 * primary than the reads that go there may lag.
 *
 * How far behind, measured without trusting either clock: every check records the primary's
 * WAL insert position with the time of the check, then asks the replica how far it has
 * replayed (`pg_last_wal_replay_lsn()`). The newest recorded position the replica
 * has replayed says how old its view is: if it holds everything the primary had written at the
 * check 400 ms ago, it is at most 400 ms stale. A replica whose replay is paused or whose
 * stream is cut falls behind the recorded positions and, past `maxLagMs`, is skipped until it
 * catches up; an idle primary whose position does not move keeps an idle replica fresh.
 * Checks run only as reads come in (no timer): when reads are rarer than the check interval, a
 * replica a moment behind a busy primary can be judged behind; the measure errs toward the
 * primary, never toward a stale read.
 */

/** A WAL position, "16/B374D848", as one number. */
export function parseLsn(text: string): bigint {
  const [high = "0", low = "0"] = text.split("/");
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}

/**
 * - `fresh`: replayed what the primary had `maxLagMs` ago.
 * - `behind`: has not (or nothing recorded yet says it has).
 * - `down`: the replica did not answer (its reads go to the primary until the next check).
 * - `promoted`: not replaying WAL at all: promoted, or not a standby, so not a copy we can trust.
 * - `unmeasured`: an answer we cannot read; the replica is used as configured, unmeasured.
 */
export type ReplicaState = "fresh" | "behind" | "down" | "promoted" | "unmeasured";

export interface ReplicaMonitor {
  /** Whether reads may go to the replica; checks again (once, for every waiting read) when due. */
  usable(): Promise<boolean>;
  /** A read on the replica met an outage: use the primary until the next check. */
  markDown(): void;
  /** The state as of the last check; for tests and logs. */
  readonly state: ReplicaState;
}

export interface ReplicaMonitorOptions {
  /** How stale the replica's view may be for reads to go there. */
  maxLagMs: number;
  /** Milliseconds from a monotonic clock. */
  now?: () => number;
}

/** Positions of the primary kept: enough to date a view `maxLagMs` old, checked every half of it. */
const SAMPLES_KEPT = 4;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("replica check timed out")), ms);
    timer.unref?.();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function replicaMonitor(
  primary: Pool,
  replica: Pool,
  options: ReplicaMonitorOptions,
): ReplicaMonitor {
  const { maxLagMs } = options;
  const now = options.now ?? (() => performance.now());
  // Checked twice per allowed lag, so a replica that stops is skipped within about 1.5 × maxLag.
  const intervalMs = maxLagMs / 2;
  // A replica that takes longer than this to say where it is counts as down for now.
  const timeoutMs = Math.max(1000, maxLagMs);
  const samples: { at: number; lsn: bigint }[] = [];
  let state: ReplicaState = "unmeasured";
  let checkedAt = Number.NEGATIVE_INFINITY;
  let checking: Promise<void> | null = null;

  /** The primary's position now; null when it cannot say (its own queries will show why). */
  async function primaryPosition(): Promise<bigint | null | "unmeasurable"> {
    try {
      const { rows } = await primary.query<{ lsn: string | null }>(
        // The insert position, not `pg_current_wal_lsn()` (the write position): with
        // `synchronous_commit = off` a commit is acknowledged while its record may still sit
        // in the WAL buffers, past the write position, so a replica that had replayed up to the
        // write position could still lack commits made before the check.
        "SELECT pg_current_wal_insert_lsn()::text AS lsn",
      );
      const lsn = rows[0]?.lsn;
      return typeof lsn === "string" ? parseLsn(lsn) : "unmeasurable";
    } catch (error) {
      return isUnavailable(error) ? null : "unmeasurable";
    }
  }

  async function check(): Promise<void> {
    const at = now();
    const position = await primaryPosition();
    if (typeof position === "bigint") {
      samples.push({ at, lsn: position });
      if (samples.length > SAMPLES_KEPT) samples.shift();
    }
    let replayed: string | null | undefined;
    try {
      const { rows } = await withTimeout(
        replica.query<{ lsn: string | null }>("SELECT pg_last_wal_replay_lsn()::text AS lsn"),
        timeoutMs,
      );
      replayed = rows[0]?.lsn;
    } catch (error) {
      // Refused, reset or timed out is down; an error we cannot read leaves it unmeasured.
      state = isUnavailable(error) ? "down" : "unmeasured";
      checkedAt = now();
      return;
    }
    checkedAt = now();
    if (replayed === null) {
      state = "promoted";
    } else if (typeof replayed !== "string" || position === "unmeasurable") {
      state = "unmeasured";
    } else {
      const lsn = parseLsn(replayed);
      const newestReplayed = [...samples].reverse().find((sample) => sample.lsn <= lsn);
      state = newestReplayed && at - newestReplayed.at <= maxLagMs ? "fresh" : "behind";
    }
  }

  return {
    async usable() {
      if (now() - checkedAt >= intervalMs) {
        checking ??= check().finally(() => {
          checking = null;
        });
        await checking;
      }
      return state === "fresh" || state === "unmeasured";
    },
    markDown() {
      state = "down";
      checkedAt = now();
    },
    get state() {
      return state;
    },
  };
}
