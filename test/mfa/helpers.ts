import * as OTPAuth from "otpauth";
import { expect } from "vitest";
import { call, makeAuth, manualClock, registered, sessionCookieFrom } from "../helpers.js";
import { captureMailer } from "../mail/fixtures.js";

/*
 * The authenticator app of these tests is `otpauth` from npm, an implementation nobody here
 * wrote: it reads the otpauth:// URI that set-up returns and makes codes from it, at the
 * instant of the injected clock.
 */

export type TestAuth = ReturnType<typeof makeAuth>;
export type Clock = ReturnType<typeof manualClock>;

/** The authenticator app: codes of the URI's secret at the test clock's instant. */
export function authenticatorApp(uri: string, clock: Clock) {
  const app = OTPAuth.URI.parse(uri);
  if (!(app instanceof OTPAuth.TOTP)) throw new Error(`not a TOTP URI: ${uri}`);
  return {
    app,
    /** The code shown now, or `steps` periods from now. */
    code: (steps = 0) => app.generate({ timestamp: clock.now() + steps * 30_000 }),
  };
}

/** Marks the user's address verified (MFA waits for a verified address while mail proves it). */
export async function verifiedAddress(auth: TestAuth, userId: string) {
  await auth.storage.users.update(userId, { emailVerified: true, updatedAt: new Date() });
}

/**
 * Sets up TOTP for a signed-in browser (verifying its address first) and turns MFA on; returns
 * the app and recovery codes.
 */
export async function enableMfa(auth: TestAuth, clock: Clock, cookie: string) {
  const who = await call(auth, "GET", "/auth/session", { cookie });
  await verifiedAddress(auth, who.json?.user.id);
  const setup = await call(auth, "POST", "/auth/mfa/totp/setup", { cookie });
  expect(setup.status).toBe(200);
  const authenticator = authenticatorApp(setup.json?.uri, clock);
  const enabled = await call(auth, "POST", "/auth/mfa/totp/enable", {
    cookie,
    body: { code: authenticator.code() },
  });
  expect(enabled.status).toBe(200);
  // The code that turned MFA on is spent: the next one is a new step's.
  clock.advance(30);
  return {
    ...authenticator,
    secret: setup.json?.secret as string,
    recoveryCodes: enabled.json?.recoveryCodes as string[],
  };
}

/**
 * An instance on a manual clock with one registered user, Ada, whose MFA is on. `login()`
 * signs her in with the password (stopping at the pending step); `pendingCookie(response)`
 * reads the pending cookie a response set.
 */
export async function mfaSetup(overrides: Parameters<typeof makeAuth>[0] = {}) {
  const clock = manualClock();
  const mailer = captureMailer();
  const auth = makeAuth({ clock, mailer, ...overrides });
  const account = await registered(auth);
  const mfa = await enableMfa(auth, clock, account.cookie);
  const login = (password = "correct horse battery staple") =>
    call(auth, "POST", "/auth/login", { body: { email: "ada@example.com", password } });
  const verify = (pending: string, body: unknown) =>
    call(auth, "POST", "/auth/mfa/verify", { cookie: pending, body });
  return { auth, clock, mailer, account, user: account.user, ...mfa, login, verify };
}

/** The `name=value` of the pending-step cookie a response set (not the session cookie). */
export function pendingCookie(response: Response): string {
  const cookie = response.headers
    .getSetCookie()
    .find((header) => header.split("=")[0]?.endsWith(".mfa"));
  if (!cookie) throw new Error("no pending cookie on the response");
  return cookie.split(";")[0] as string;
}

/** Whether a response opened a session (set the session cookie with a value). */
export function setsSession(response: Response, auth: TestAuth): boolean {
  return response.headers
    .getSetCookie()
    .some((header) => header.startsWith(`${auth.config.cookieName}=`) && !header.includes("=;"));
}

export { sessionCookieFrom };
