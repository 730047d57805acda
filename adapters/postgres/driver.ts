import type { Pool, PoolClient } from "pg";
import type { SqlDriver, SqlValue } from "../sql/driver.js";
import { classifyPostgresError, translatePostgresError as translate } from "./errors.js";

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

const isUniqueViolation = (error: unknown) => classifyPostgresError(error) === "duplicate";

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
