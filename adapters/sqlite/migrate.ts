import { migrations, migrationsTable } from "../sql/migrations.js";
import { tableNames } from "../sql/tables.js";
import type { SqliteDatabase } from "./driver.js";

/**
 * Applies the migrations the database has not seen, each in its own transaction. `BEGIN
 * IMMEDIATE` takes the write lock first, so two processes opening one file migrate once.
 * Returns the versions it applied.
 */
export function migrateSqlite(db: SqliteDatabase): number[] {
  const t = tableNames();
  const applied: number[] = [];
  db.exec(migrationsTable("sqlite", t));
  for (const migration of migrations) {
    db.exec("BEGIN IMMEDIATE");
    try {
      const done = db
        .prepare(`SELECT 1 AS done FROM ${t.migrations} WHERE version = ?`)
        .get(migration.version);
      if (!done) {
        for (const statement of migration.statements("sqlite", t)) db.exec(statement);
        db.prepare(`INSERT INTO ${t.migrations} (version, name, applied_at) VALUES (?, ?, ?)`).run(
          migration.version,
          migration.name,
          Date.now(),
        );
        applied.push(migration.version);
      }
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }
  return applied;
}
