/** Node-style header objects as adapters receive them, or Web `Headers`. */
export type HeadersInput = Headers | Record<string, string | string[] | undefined>;

/** Reads one header from either shape; Node's lower-cased keys and arrays included. */
export function headerValue(headers: HeadersInput, name: string): string | null {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name);
  const record = headers as Record<string, string | string[] | undefined>;
  const value = record[name] ?? record[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(", ") : value;
}
