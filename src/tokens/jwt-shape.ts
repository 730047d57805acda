/** A compact JWS has three dot-separated parts; our opaque tokens (`id.secret`) have two. */
export function looksLikeJwt(token: string): boolean {
  return token.split(".").length === 3;
}
