/**
 * The library's one way to report an error nobody asked for (a failure it answers by failing
 * closed), until the injectable logger of DESIGN §6 replaces it: one `console.error` line with
 * the `[portcullis]` prefix, the error (with its stack) beside it. Call it only for thrown
 * errors, never for expected outcomes such as a bad token, which any client can cause at will.
 */
export function logError(message: string, error: unknown): void {
  console.error(`[portcullis] ${message}:`, error);
}
