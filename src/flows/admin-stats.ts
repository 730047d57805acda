import type { AuthContext } from "../context/context.js";

/*
 * `auth.api.admin.stats()` (DESIGN §6): a few counts an operator's dashboard starts from, each
 * one query where the store can count (the users and sessions ports' optional `count` and
 * `countLive`). What a store cannot count cheaply is null rather than a scan of every record.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

export interface UserStats {
  total: number;
  /** With a verified email address. */
  verified: number;
  /** Disabled by an administrator (`disabledAt` set). */
  disabled: number;
  /** Accounts created in the last 24 hours, and in the last 7 days. */
  signUpsLast24h: number;
  signUpsLast7d: number;
}

export interface AdminStats {
  /** When the counts were taken. */
  at: Date;
  /** Null when the users store cannot count (no `users.count`). */
  users: UserStats | null;
  /**
   * Sessions live now (signed-in devices, not people); null when the sessions store cannot
   * count them without visiting each (Redis: no `sessions.countLive`).
   */
  activeSessions: number | null;
}

export async function adminStats(ctx: AuthContext): Promise<AdminStats> {
  const at = ctx.now();
  const { users, sessions } = ctx.storage;
  const [counts, activeSessions] = await Promise.all([
    users.count
      ? users.count({
          createdSince: [new Date(at.getTime() - DAY_MS), new Date(at.getTime() - 7 * DAY_MS)],
        })
      : null,
    sessions.countLive ? sessions.countLive(at) : null,
  ]);
  return {
    at,
    users: counts && {
      total: counts.total,
      verified: counts.verified,
      disabled: counts.disabled,
      signUpsLast24h: counts.createdSince[0] ?? 0,
      signUpsLast7d: counts.createdSince[1] ?? 0,
    },
    activeSessions,
  };
}
