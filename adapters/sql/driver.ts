/**
 * The whole surface the SQL storage needs from a database, Lucia-style: three query methods and
 * an atomic batch. Each dialect's adapter implements it over its client in a few lines, and owns
 * the translation of its client's errors (connection failures become `AuthError("unavailable")`).
 *
 * SQL is written with `?` placeholders; a driver whose database numbers them (`$1`) rewrites them.
 */
export type SqlValue = string | number | boolean | null;

export interface SqlStatement {
  sql: string;
  params?: SqlValue[];
}

export type Dialect = "sqlite" | "postgres";

export interface SqlDriver {
  readonly dialect: Dialect;
  /** Runs a statement; resolves to the number of rows it changed. */
  execute(sql: string, params?: SqlValue[]): Promise<number>;
  /** The first row, or null. */
  get<Row>(sql: string, params?: SqlValue[]): Promise<Row | null>;
  all<Row>(sql: string, params?: SqlValue[]): Promise<Row[]>;
  /** Runs the statements in one transaction: all of them take effect, or none. */
  transaction(statements: SqlStatement[]): Promise<void>;
  /** True when `error` is a unique-constraint violation (a duplicate email, for instance). */
  isUniqueViolation(error: unknown): boolean;
}
