import type { Pool, PoolClient } from "pg";
import { AuthError } from "../../src/errors.js";
import type { SqlDriver, SqlValue } from "../sql/driver.js";

/** `?` placeholders become `$1, $2, ...`; our SQL has no `?` anywhere else. */
const numbered = new Map<string, string>();
function toNumbered(sql: string): string {
  let text = numbered.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    numbered.set(sql, text);
  }
  return text;
}

/**
 * Server errors carry a SQLSTATE: classes 08 (connection), 53 (resources), 57 (operator
 * intervention: shutdown, terminated backend) and 58 (system) mean the database is not there
 * for us. Errors without one come from the socket (refused, reset, timed out). Anything else
 * is a bug and stays what it is.
 */
export function isUnavailable(error: unknown): boolean {
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  if (typeof severity === "string" && typeof code === "string") {
    // FATAL and PANIC end the connection whatever the code (a database not accepting
    // connections, 55000, included); a missing database, failed authentication or revoked
    // CONNECT are the deployment's state, not a bug in the query.
    return (
      severity === "FATAL" ||
      severity === "PANIC" ||
      /^(08|53|57|58)/.test(code) ||
      ["3D000", "28P01", "28000", "42501"].includes(code)
    );
  }
  return error instanceof Error && !(error instanceof TypeError) && !(error instanceof AuthError);
}

/** A table or column the queries expect is missing: the schema is older than this code. */
function isUnmigrated(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === "42P01" || code === "42703";
}

function translate(error: unknown): unknown {
  if (isUnmigrated(error)) {
    return new AuthError(
      "unavailable",
      "The database schema is not up to date: run `portcullis migrate`",
      {},
      { cause: error },
    );
  }
  return isUnavailable(error)
    ? new AuthError("unavailable", "Storage is unavailable", {}, { cause: error })
    : error;
}

const isUniqueViolation = (error: unknown) => (error as { code?: unknown })?.code === "23505";

/** The driver over a `pg` Pool: one pooled connection per query, a dedicated one per transaction. */
export function postgresDriver(pool: Pool): SqlDriver {
  async function query<Row>(sql: string, params: SqlValue[]) {
    try {
      return await pool.query<Row & object>(toNumbered(sql), params);
    } catch (error) {
      throw translate(error);
    }
  }

  return {
    dialect: "postgres",
    async execute(sql, params = []) {
      return (await query(sql, params)).rowCount ?? 0;
    },
    async get<Row>(sql: string, params: SqlValue[] = []) {
      return ((await query<Row>(sql, params)).rows[0] as Row | undefined) ?? null;
    },
    async all<Row>(sql: string, params: SqlValue[] = []) {
      return (await query<Row>(sql, params)).rows as Row[];
    },
    async transaction(statements) {
      let client: PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw translate(error);
      }
      let broken: unknown;
      try {
        await client.query("BEGIN");
        for (const { sql, params = [] } of statements) await client.query(toNumbered(sql), params);
        await client.query("COMMIT");
      } catch (error) {
        // If the connection died, the server rolls back on its own; the client is discarded.
        await client.query("ROLLBACK").catch((rollbackError: unknown) => {
          broken = rollbackError;
        });
        throw translate(error);
      } finally {
        client.release(broken instanceof Error ? broken : undefined);
      }
    },
    isUniqueViolation,
  };
}
