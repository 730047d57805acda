import type { MfaRecord, MfaStore } from "../../src/storage/ports.js";
import type { SqlDriver } from "./driver.js";
import { toDate, toMillis } from "./rows.js";
import type { TableNames } from "./tables.js";

interface MfaRow {
  user_id: string;
  totp_secret: string | null;
  enabled_at: unknown;
  last_used_step: unknown;
  pending_secret: string | null;
  recovery_codes: string;
  updated_at: unknown;
}

const COLUMNS =
  "user_id, totp_secret, enabled_at, last_used_step, pending_secret, recovery_codes, updated_at";

/**
 * How often a recovery code is retried when another use of the same user's codes changed the
 * column between the read and the compare-and-swap. Only that user's own concurrent uses (ten
 * codes at most) or a regeneration can get in the way, so a few rounds always settle it.
 */
const CONSUME_ROUNDS = 16;

function toRecord(row: MfaRow): MfaRecord {
  return {
    userId: row.user_id,
    totpSecret: row.totp_secret,
    enabledAt: row.enabled_at === null ? null : toDate(row.enabled_at),
    lastUsedStep: Number(row.last_used_step),
    pendingSecret: row.pending_secret,
    recoveryCodes: JSON.parse(row.recovery_codes) as string[],
    updatedAt: toDate(row.updated_at),
  };
}

/** Always the primary: a replica could still hold a step or a code that has just been used. */
export function sqlMfa(db: SqlDriver, t: TableNames): MfaStore {
  return {
    async get(userId) {
      const row = await db.get<MfaRow>(`SELECT ${COLUMNS} FROM ${t.mfa} WHERE user_id = ?`, [
        userId,
      ]);
      return row ? toRecord(row) : null;
    },
    async setPendingSecret(userId, pendingSecret, now) {
      await db.execute(
        `INSERT INTO ${t.mfa} (user_id, pending_secret, updated_at) VALUES (?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET pending_secret = excluded.pending_secret, updated_at = excluded.updated_at`,
        [userId, pendingSecret, toMillis(now)],
      );
    },
    async enable(userId, change) {
      // One conditional UPDATE: the secret confirmed is the one still pending, or nothing moves.
      const changed = await db.execute(
        `UPDATE ${t.mfa} SET totp_secret = pending_secret, pending_secret = NULL, enabled_at = ?,
last_used_step = ?, recovery_codes = ?, updated_at = ?
WHERE user_id = ? AND pending_secret = ?`,
        [
          toMillis(change.enabledAt),
          change.lastUsedStep,
          JSON.stringify(change.recoveryCodes),
          toMillis(change.enabledAt),
          userId,
          change.pendingSecret,
        ],
      );
      return changed === 1;
    },
    async recordStep(userId, step, now) {
      // The replay guard is the WHERE clause: of two uses of one code, one matches.
      const changed = await db.execute(
        `UPDATE ${t.mfa} SET last_used_step = ?, updated_at = ?
WHERE user_id = ? AND totp_secret IS NOT NULL AND last_used_step < ?`,
        [step, toMillis(now), userId, step],
      );
      return changed === 1;
    },
    async consumeRecoveryCode(userId, codeHash, now) {
      for (let round = 0; round < CONSUME_ROUNDS; round++) {
        const row = await db.get<{ recovery_codes: string }>(
          `SELECT recovery_codes FROM ${t.mfa} WHERE user_id = ? AND totp_secret IS NOT NULL`,
          [userId],
        );
        if (!row) return null;
        const codes = JSON.parse(row.recovery_codes) as string[];
        if (!codes.includes(codeHash)) return null;
        const rest = codes.filter((hash) => hash !== codeHash);
        // Compare-and-swap on the whole column: a concurrent use of the same code changed it
        // first, so this UPDATE matches nothing, and the next round finds the code gone.
        const changed = await db.execute(
          `UPDATE ${t.mfa} SET recovery_codes = ?, updated_at = ?
WHERE user_id = ? AND totp_secret IS NOT NULL AND recovery_codes = ?`,
          [JSON.stringify(rest), toMillis(now), userId, row.recovery_codes],
        );
        if (changed === 1) return rest.length;
      }
      return null;
    },
    async replaceRecoveryCodes(userId, codeHashes, now) {
      const changed = await db.execute(
        `UPDATE ${t.mfa} SET recovery_codes = ?, updated_at = ? WHERE user_id = ? AND totp_secret IS NOT NULL`,
        [JSON.stringify(codeHashes), toMillis(now), userId],
      );
      return changed === 1;
    },
    async delete(userId) {
      const row = await db.get<{ totp_secret: string | null }>(
        `DELETE FROM ${t.mfa} WHERE user_id = ? RETURNING totp_secret`,
        [userId],
      );
      return row !== null && row.totp_secret !== null;
    },
    async ping() {
      await db.get("SELECT 1 AS ok");
    },
  };
}
