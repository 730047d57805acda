/** What deciding a redirect needs to know of the configuration. */
export interface RedirectPolicy {
  baseURL: string;
  /** baseURL's origin and every trusted origin. */
  allowedOrigins: ReadonlySet<string>;
}

/**
 * Where a link may send the browser: a URL whose origin is baseURL's or a trusted origin, as the
 * URL parser (the same one browsers use) reads it. Paths are resolved against baseURL. The
 * answer is always the parser's normalised `href`, never the raw input, so what was checked is
 * what is sent. Null for anything else: other hosts, protocol-relative `//host`, `/\host`,
 * `https:host`, look-alike hosts, `javascript:` and other schemes.
 */
export function allowedRedirect(config: RedirectPolicy, target: string): string | null {
  // Browsers drop these before parsing; refusing them outright keeps header values clean.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
  if (/[\u0000-\u001f\u007f]/.test(target)) return null;
  let url: URL;
  try {
    url = new URL(target, config.baseURL);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username !== "" || url.password !== "") return null;
  return config.allowedOrigins.has(url.origin) ? url.href : null;
}

/** The allowed target, or baseURL when the target is missing or not allowed. */
export function redirectTarget(config: RedirectPolicy, target: string | null | undefined): string {
  return (target ? allowedRedirect(config, target) : null) ?? new URL(config.baseURL).href;
}
