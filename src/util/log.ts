/**
 * The library's one way to report an error nobody asked for (a failure it answers by failing
 * closed), until the injectable logger of DESIGN §6 replaces it: one `console.error` line with
 * the `[portcullis]` prefix, the error (with its stack) beside it. Call it only for thrown
 * errors, never for expected outcomes such as a bad token, which any client can cause at will.
 */
export function logError(message: string, error: unknown): void {
  console.error(`[portcullis] ${message}:`, error);
}

/**
 * One `console.warn` line with the `[portcullis]` prefix: a setup mistake the developer should
 * hear about (no secret, an origin that is not trusted), said once, with what to do about it.
 * Never for something any client can cause at will, unless the caller bounds how often it logs.
 */
export function logWarning(message: string): void {
  console.warn(`[portcullis] ${message}`);
}
