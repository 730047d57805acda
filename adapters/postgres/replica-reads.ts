import type { SqlDriver, SqlValue } from "../sql/driver.js";
import { isUnavailable } from "./errors.js";
import type { ReplicaMonitor } from "./replica-lag.js";

/**
 * The driver for reads that may lag: the replica while it is usable (up, and not further
 * behind than allowed), the primary otherwise. A read the replica fails is asked of the
 * primary, whose answer (or error) is the one the caller gets: a replica never makes a read
 * fail that the primary could serve, so a replica that is down or far behind does not break
 * sign-in. Writes never reach it.
 */
export function replicaReads(
  primary: SqlDriver,
  replica: SqlDriver,
  monitor: ReplicaMonitor,
): SqlDriver {
  async function read<T>(run: (db: SqlDriver) => Promise<T>): Promise<T> {
    if (!(await monitor.usable())) return run(primary);
    try {
      return await run(replica);
    } catch (error) {
      if (isUnavailable(error)) monitor.markDown();
      return run(primary);
    }
  }

  return {
    dialect: primary.dialect,
    get: <Row>(sql: string, params: SqlValue[] = []) => read((db) => db.get<Row>(sql, params)),
    all: <Row>(sql: string, params: SqlValue[] = []) => read((db) => db.all<Row>(sql, params)),
    execute: (sql, params) => primary.execute(sql, params),
    transaction: (statements) => primary.transaction(statements),
    isUniqueViolation: (error) => primary.isUniqueViolation(error),
  };
}
