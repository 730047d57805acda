/**
 * Copies a flat record (strings, numbers, booleans, null, Dates) so callers cannot mutate what
 * the store holds, as a real database would not let them. Several times cheaper than
 * `structuredClone`, which matters on the session read that every request makes.
 */
export function copyFlat<T extends object>(record: T): T {
  const copy = { ...record };
  for (const key in copy) {
    const value = copy[key];
    if (value instanceof Date) copy[key] = new Date(value.getTime()) as T[typeof key];
  }
  return copy;
}
