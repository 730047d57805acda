/** Conversions between rows and the ports' objects, shared by every SQL port. */

/** Milliseconds since the epoch; PostgreSQL's driver hands BIGINT back as a string. */
export function toDate(value: unknown): Date {
  return new Date(Number(value));
}

export function toMillis(date: Date): number {
  return date.getTime();
}

/** SQLite has no boolean: it hands back 0 or 1. */
export function toBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === "1" || value === "t";
}
