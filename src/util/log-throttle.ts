/**
 * At most one log record per `intervalMs` for each kind of failure. An outage fails every
 * request the same way: one line per burst, saying how many more were held back since the
 * last line, tells the operator as much as a thousand, and does not bury everything else.
 * Time comes from the instance's clock, so tests move it by hand.
 */
/**
 * Calls `write` when `kind` was not logged within the interval, with the number of records of
 * that kind held back since its last line; otherwise counts this one as held back.
 */
export type LogThrottle = (kind: string, write: (heldBack: number) => void) => void;

/** Kinds remembered at once; the least recently logged is forgotten first. */
const MAX_KINDS = 64;

export function logThrottle(now: () => number, intervalMs: number): LogThrottle {
  const kinds = new Map<string, { until: number; heldBack: number }>();
  return function throttled(kind, write) {
    const at = now();
    const entry = kinds.get(kind);
    if (entry && at < entry.until) {
      entry.heldBack++;
      return;
    }
    // Re-inserted, so the Map's order is "least recently logged first".
    kinds.delete(kind);
    if (kinds.size >= MAX_KINDS) kinds.delete(kinds.keys().next().value as string);
    kinds.set(kind, { until: at + intervalMs, heldBack: 0 });
    write(entry?.heldBack ?? 0);
  };
}
