import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from "jose";

/**
 * The issuer's key set at a URL (its `GET /auth/jwks`), cached for `cacheMaxAge` seconds and
 * refetched when a token names a `kid` the cached set lacks: after a key rotation the new key's
 * tokens verify as soon as the issuer serves it.
 *
 * Anyone can mint a token with a made-up `kid`, so the refetches a `kid` triggers are at most one
 * per `cooldown` seconds. A token that arrives during the cooldown is not refused (jose's own
 * remote set would refuse it, for up to 30 seconds): it waits for the next refetch, at most
 * `cooldown` seconds, and is judged against a key set fetched after it arrived. Forged `kid`s
 * thus cost the issuer one request per cooldown and slow down only the requests that carry one;
 * tokens whose `kid` is cached never wait. Concurrent refetches share one request (jose's), except
 * on Cloudflare Workers, where jose does not share a fetch between requests.
 */
export function remoteKeySet(url: URL, cooldown: number, cacheMaxAge: number): JWTVerifyGetKey {
  // jose refetches by itself only when the cache has aged; an unknown kid is handled below.
  const set = createRemoteJWKSet(url, {
    cooldownDuration: Number.POSITIVE_INFINITY,
    cacheMaxAge: cacheMaxAge * 1000,
  });
  /** When the last refetch for an unknown kid started (ms since the epoch). */
  let lastStart = Number.NEGATIVE_INFINITY;

  /** Resolves once a refetch that started at or after `arrived` has landed. */
  async function refetchSince(arrived: number): Promise<void> {
    if (lastStart < arrived) {
      const wait = lastStart + cooldown * 1000 - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    // One started since we arrived (before we got here, or while we waited): that one will do,
    // and jose's reload joins it while it is in flight.
    if (lastStart >= arrived) {
      if (set.reloading) await set.reload();
      return;
    }
    lastStart = Date.now();
    await set.reload();
  }

  return async function getKey(header, token) {
    const arrived = Date.now();
    try {
      return await set(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      await refetchSince(arrived);
      return set(header, token);
    }
  };
}
