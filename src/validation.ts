import type { z } from "zod";
import { AuthError } from "./errors.js";

/** Parses input with a zod schema, or throws `invalid_request` listing what is wrong and where. */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map((part) => (typeof part === "symbol" ? String(part) : part)),
    message: issue.message,
  }));
  const first = issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join(".")}: ` : "";
  throw new AuthError("invalid_request", `${where}${first?.message ?? "invalid input"}`, {
    issues,
  });
}
