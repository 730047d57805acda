/** A compact JWS has three dot-separated parts; our opaque tokens (`id.secret`) have two. */
export function looksLikeJwt(token: string): boolean {
  // Counted in place: this runs on every Bearer request, and `split` allocates the parts.
  const first = token.indexOf(".");
  if (first === -1) return false;
  const second = token.indexOf(".", first + 1);
  return second !== -1 && token.indexOf(".", second + 1) === -1;
}
