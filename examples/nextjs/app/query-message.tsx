"use client";

import { useSearchParams } from "next/navigation";
import { messageFor, NOTICES } from "@/lib/messages";

/**
 * On every page: `?error=<code>` (a mail link that was used or expired lands with one) or
 * `?notice=` as a sentence from lib/messages.ts, never the query's own text.
 */
export function QueryMessage() {
  const query = useSearchParams();
  const error = query.get("error");
  const notice = query.get("notice") ?? "";
  if (error !== null) return <p role="alert">{messageFor(error)}</p>;
  if (Object.hasOwn(NOTICES, notice)) return <p role="status">{NOTICES[notice]}</p>;
  return null;
}
