/**
 * Two-factor authentication through a starter, over HTTP, with `otpauth` from npm as the
 * person's authenticator app: the account page's section in each state (address to confirm,
 * off, on with the recovery codes left), set-up and the code that turns it on, a password
 * sign-in that stops at the second factor until the code, the page that asks for it, a magic
 * link that lands there, a recovery code, new recovery codes, and turning it off.
 *
 * The codes are made against the real clock of the starter's process. A code is accepted once
 * and one step of drift either way, so the walk uses the previous step's code, then the
 * current one, then the next one: each later than the last, even when a 30-second boundary
 * passes in between.
 */
import * as OTPAuth from "otpauth";
import { expect } from "vitest";
import { mailedLink } from "./browser.js";

const PASSWORD = "correct horse battery staple";

/** The page's text: tags, and React's `<!-- -->` between text parts, dropped. */
export const pageText = (html: string) =>
  html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<[^>]*>/g, "")
    .replace(/\s+/g, " ");

/** The authenticator app: the code of the step `steps` away from now, on the real clock. */
export function authenticatorApp(uri: string) {
  const app = OTPAuth.URI.parse(uri);
  if (!(app instanceof OTPAuth.TOTP)) throw new Error(`not a TOTP URI: ${uri}`);
  return { app, code: (steps = 0) => app.generate({ timestamp: Date.now() + steps * 30_000 }) };
}

/** One browser: every cookie it is given, by name (the session's and the pending step's). */
export function cookieJar(baseURL: string, origin: string) {
  const cookies = new Map<string, string>();
  return {
    has: (name: string) => cookies.has(name),
    async send(method: string, path: string, body?: unknown) {
      // Pages and followed mail links as a browser asks for them; calls to the routes and the
      // API as portcullis/client does.
      const api = method !== "GET" || path.startsWith("/api/");
      const headers: Record<string, string> = { accept: api ? "application/json" : "text/html" };
      if (cookies.size > 0) {
        headers.cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join("; ");
      }
      if (method !== "GET") headers.origin = origin;
      if (body !== undefined) headers["content-type"] = "application/json";
      const response = await fetch(`${baseURL}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: "manual",
      });
      for (const setCookie of response.headers.getSetCookie()) {
        const pair = setCookie.split(";")[0] as string;
        const at = pair.indexOf("=");
        const name = pair.slice(0, at);
        if (/Max-Age=0/i.test(setCookie)) cookies.delete(name);
        else cookies.set(name, pair.slice(at + 1));
      }
      const text = await response.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        // a page
      }
      return {
        status: response.status,
        location: response.headers.get("location"),
        text,
        // The routes' JSON, read by the assertions below.
        json: json as any,
      };
    },
  };
}

/**
 * Where the second-factor page goes once signed in: its forms' `data-then="go:…"` (Express,
 * Fastify, Hono), or the `next` prop the server component hands its form (Next.js, serialised
 * into the page; Next also echoes the request's own query elsewhere in the page).
 */
function nextTargets(html: string): string[] {
  const forms = [...html.matchAll(/data-then="go:([^"]*)"/g)].map((match) => match[1]);
  if (forms.length > 0) return forms as string[];
  const props = [...html.matchAll(/\\*"next\\*":\\*"([^"\\]*)\\*"/g)].map((match) => match[1]);
  // One prop, for both forms (the code's and the recovery code's).
  return props.length === 1 ? [props[0] as string, props[0] as string] : (props as string[]);
}

/** Where a redirect goes, as a path with its query, on the app's own site. */
function redirectedTo(response: { status: number; location: string | null }, baseURL: string) {
  expect([302, 303, 307]).toContain(response.status);
  return new URL(response.location ?? "", baseURL);
}

/** Confirms the signed-in user's address from the console mailer's link (set-up waits for it). */
async function confirmAddress(
  user: ReturnType<typeof cookieJar>,
  email: string,
  output: () => string,
) {
  expect((await user.send("POST", "/auth/email/verify/request")).status).toBe(202);
  const link = new URL(await mailedLink(output, "email-verification", email));
  const confirmed = await user.send("GET", `${link.pathname}${link.search}`);
  expect([302, 303]).toContain(confirmed.status);
}

export async function twoFactorOverHTTP(
  baseURL: string,
  origin: string,
  options: { protectedPage: string; output: () => string },
) {
  const { protectedPage, output } = options;
  const user = cookieJar(baseURL, origin);
  const email = `two-factor-${Date.now()}@example.com`;
  const page = async () => {
    const response = await user.send("GET", protectedPage);
    expect(response.status, response.text).toBe(200);
    return pageText(response.text);
  };
  expect((await user.send("POST", "/auth/register", { email, password: PASSWORD })).status).toBe(
    201,
  );

  // Unconfirmed address: the section asks to confirm it first, and so does the route.
  expect(await page()).toContain("Two-factor authentication");
  expect(await page()).toContain("Email me a confirmation link");
  const early = await user.send("POST", "/auth/mfa/totp/setup");
  expect(early.status).toBe(403);
  expect(early.json.error.code).toBe("email_not_verified");
  await confirmAddress(user, email, output);
  expect(await page()).toContain("Set up two-factor authentication");

  // Set-up: the secret for typing in is the one in the otpauth:// URI the QR code shows.
  const setup = await user.send("POST", "/auth/mfa/totp/setup");
  expect(setup.status).toBe(200);
  const { secret, uri } = setup.json as { secret: string; uri: string };
  const authenticator = authenticatorApp(uri);
  expect(authenticator.app.secret.base32).toBe(secret);
  expect(authenticator.app.label).toBe(email);
  const wrong = authenticator.code(-1) === "123456" ? "654321" : "123456";
  const refused = await user.send("POST", "/auth/mfa/totp/enable", { code: wrong });
  expect(refused.status).toBe(401);
  expect(refused.json.error.code).toBe("mfa_invalid");
  const enabled = await user.send("POST", "/auth/mfa/totp/enable", {
    code: authenticator.code(-1),
  });
  expect(enabled.status, enabled.text).toBe(200);
  const recoveryCodes = enabled.json.recoveryCodes as string[];
  expect(recoveryCodes).toHaveLength(10);
  // The codes are shown once, by the browser, from that answer: never by the page itself.
  const on = await page();
  expect(on).toContain("Recovery codes left: 10");
  expect(on).toContain("Regenerate recovery codes");
  expect(on).toContain("Turn off");
  for (const code of recoveryCodes) expect(on).not.toContain(code);
  expect(on).not.toContain(secret);

  // A password sign-in stops at the second factor: no session until the code.
  expect((await user.send("POST", "/auth/logout")).status).toBe(204);
  const pending = await user.send("POST", "/auth/login", { email, password: PASSWORD });
  expect(pending.status).toBe(200);
  expect(pending.json).toEqual({ mfaRequired: true });
  expect(user.has("portcullis.session")).toBe(false);
  expect(user.has("portcullis.session.mfa")).toBe(true);
  expect((await user.send("GET", "/api/me")).status).toBe(401);
  expect([302, 303, 307]).toContain((await user.send("GET", protectedPage)).status);

  // The page that asks for it: a code, or a recovery code; `next` only a path on this site.
  const prompt = await user.send("GET", `/sign-in/two-factor?next=${protectedPage}`);
  expect(prompt.status).toBe(200);
  expect(pageText(prompt.text)).toContain("Enter the 6-digit code from your authenticator app");
  expect(pageText(prompt.text)).toContain("Use a recovery code instead");
  expect(nextTargets(prompt.text)).toEqual([protectedPage, protectedPage]);
  const hostile = await user.send("GET", "/sign-in/two-factor?next=/%09/evil.example");
  expect(nextTargets(hostile.text)).toEqual([protectedPage, protectedPage]);

  const wrongCode = await user.send("POST", "/auth/mfa/verify", { code: wrong });
  expect(wrongCode.json.error.code).toBe("mfa_invalid");
  const verified = await user.send("POST", "/auth/mfa/verify", { code: authenticator.code(0) });
  expect(verified.status, verified.text).toBe(200);
  expect(verified.json.user.email).toBe(email);
  expect(user.has("portcullis.session")).toBe(true);
  expect(user.has("portcullis.session.mfa")).toBe(false);
  expect((await user.send("GET", "/api/me")).status).toBe(200);

  // A magic link lands with ?mfa=required and only the pending step: the page sends the visitor
  // to the code, which a recovery code answers (once).
  expect((await user.send("POST", "/auth/logout")).status).toBe(204);
  const asked = await user.send("POST", "/auth/magic-link", { email, redirectTo: protectedPage });
  expect(asked.status).toBe(202);
  const link = new URL(await mailedLink(output, "magic-link", email));
  const landed = redirectedTo(await user.send("GET", `${link.pathname}${link.search}`), baseURL);
  expect(landed.pathname).toBe(protectedPage);
  expect(landed.searchParams.get("mfa")).toBe("required");
  expect(user.has("portcullis.session")).toBe(false);
  const toPrompt = redirectedTo(
    await user.send("GET", `${landed.pathname}${landed.search}`),
    baseURL,
  );
  expect(toPrompt.pathname).toBe("/sign-in/two-factor");
  expect(toPrompt.searchParams.get("next")).toBe(protectedPage);
  const [first, second] = recoveryCodes as [string, string];
  const recovered = await user.send("POST", "/auth/mfa/verify", { recoveryCode: first });
  expect(recovered.status, recovered.text).toBe(200);
  expect(recovered.json.recoveryCodesRemaining).toBe(9);
  expect(await page()).toContain("Recovery codes left: 9");

  // New recovery codes for a code; the old ones die. Off with one of the new ones.
  const regenerated = await user.send("POST", "/auth/mfa/recovery-codes", {
    code: authenticator.code(1),
  });
  expect(regenerated.status, regenerated.text).toBe(200);
  const fresh = regenerated.json.recoveryCodes as string[];
  expect(await page()).toContain("Recovery codes left: 10");
  const old = await user.send("POST", "/auth/mfa/disable", { recoveryCode: second });
  expect(old.json.error.code).toBe("mfa_invalid");
  expect((await user.send("POST", "/auth/mfa/disable", { recoveryCode: fresh[0] })).status).toBe(
    204,
  );
  expect(await page()).toContain("Set up two-factor authentication");
  expect((await user.send("POST", "/auth/logout")).status).toBe(204);
  const direct = await user.send("POST", "/auth/login", { email, password: PASSWORD });
  expect(direct.json.user.email).toBe(email);
}
