/*
 * A browser for the OAuth tests, over real HTTP: a cookie jar, and redirects followed one at a
 * time so a test can stop anywhere (at the provider's login page, at the callback). Cookies are
 * kept per origin (host and port; real browsers share them across ports, but no names collide
 * here) and sent by path, with Max-Age and HttpOnly as servers set them.
 */

interface StoredCookie {
  value: string;
  path: string;
}

export interface Visit {
  url: URL;
  response: Response;
  body: string;
}

export class Browser {
  readonly jar = new Map<string, Map<string, StoredCookie>>();

  /** The cookies this browser would send to `url`, as a Cookie header. */
  cookieHeader(url: URL): string {
    const cookies = this.jar.get(url.origin) ?? new Map<string, StoredCookie>();
    return [...cookies]
      .filter(
        ([, cookie]) =>
          url.pathname === cookie.path ||
          url.pathname.startsWith(`${cookie.path.replace(/\/$/, "")}/`) ||
          cookie.path === "/",
      )
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join("; ");
  }

  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name)?.value;
  }

  setCookie(origin: string, name: string, value: string, path = "/"): void {
    const cookies = this.jar.get(origin) ?? new Map<string, StoredCookie>();
    cookies.set(name, { value, path });
    this.jar.set(origin, cookies);
  }

  private store(url: URL, response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const attribute = (key: string) =>
        attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.split("=")[1];
      const maxAge = attribute("max-age");
      const expires = attribute("expires");
      const cookies = this.jar.get(url.origin) ?? new Map<string, StoredCookie>();
      if (maxAge === "0" || (expires && Date.parse(expires) < Date.now()) || value === "") {
        cookies.delete(name);
      } else {
        cookies.set(name, { value, path: attribute("path") ?? "/" });
      }
      this.jar.set(url.origin, cookies);
    }
  }

  /** One request, redirects not followed. */
  async request(
    target: string | URL,
    init: {
      method?: string;
      form?: Record<string, string>;
      json?: unknown;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Visit> {
    const url = new URL(target);
    const method = init.method ?? (init.form || init.json !== undefined ? "POST" : "GET");
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(url);
    if (cookie) headers.set("cookie", cookie);
    // A page of the same origin sent it, unless the test says which page did.
    if (method !== "GET" && !headers.has("origin")) headers.set("origin", url.origin);
    let body: string | undefined;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers.set("content-type", "application/x-www-form-urlencoded");
    } else if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers.set("content-type", "application/json");
    }
    const response = await fetch(url, {
      method,
      headers,
      body,
      redirect: "manual",
    });
    this.store(url, response);
    return { url, response, body: await response.text() };
  }

  /** Follows redirects from `target` until `stop` says so or a page that is no redirect. */
  async follow(
    target: string | URL,
    stop: (url: URL) => boolean = () => false,
    init: Parameters<Browser["request"]>[1] = {},
  ): Promise<Visit> {
    let visit = await this.request(target, init);
    for (let hops = 0; hops < 20; hops++) {
      const location = visit.response.headers.get("location");
      if (visit.response.status < 300 || visit.response.status >= 400 || !location) return visit;
      const next = new URL(location, visit.url);
      if (stop(next)) return { ...visit, url: next };
      visit = await this.request(next);
    }
    throw new Error("too many redirects");
  }
}
