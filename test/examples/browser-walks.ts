/**
 * The walks the Hono and Next.js starter checks share once the app is up: a hostile `?next=`, a
 * password reset over HTTP and in a browser, a passkey, and two-factor authentication over HTTP
 * and in a browser. Both starters answer them alike, so
 * one declaration serves both files.
 */
import { it } from "vitest";
import {
  HOSTILE_NEXT,
  launchBrowser,
  passkeyInBrowser,
  registerAccount,
  resetPasswordInBrowser,
  signInWithNext,
  skipBrowser,
} from "./browser.js";
import { ORIGIN, PASSWORD, resetOverHTTP } from "./hono-nextjs-walk.js";
import { twoFactorInBrowser } from "./two-factor-browser.js";
import { twoFactorOverHTTP } from "./two-factor-walk.js";

/** What a walk needs of the running starter, read when the test runs (after `beforeAll`). */
export interface RunningStarter {
  baseURL: string;
  /** Its console so far, where the console mailer prints links. */
  output(): string;
}

/** Declares the shared walks; `running` is called inside each test. */
export function sharedStarterWalks(running: () => RunningStarter, protectedPage = "/dashboard") {
  it.skipIf(skipBrowser)(
    "signs in from /sign-in?next=/%09/evil.example or /%5Cevil.example and stays on the site",
    async () => {
      const { baseURL } = running();
      const email = `next-${Date.now()}@example.com`;
      await registerAccount(baseURL, ORIGIN, email, PASSWORD);
      // The browser uses the configured origin (CSRF trusts it), resolved to where the app listens.
      const browser = await launchBrowser({ origin: ORIGIN, listening: baseURL });
      try {
        for (const rawNext of HOSTILE_NEXT) {
          await signInWithNext(browser, {
            origin: ORIGIN,
            rawNext,
            email,
            password: PASSWORD,
            expectedPath: protectedPage,
          });
        }
      } finally {
        await browser.close();
      }
    },
  );

  it("resets a forgotten password over HTTP, and keeps a failed link's ?error= for sign-in", async () => {
    const { baseURL, output } = running();
    await resetOverHTTP(baseURL, ORIGIN, { protectedPage, output });
  });

  it.skipIf(skipBrowser)(
    "resets a forgotten password in a browser, and says so when the link is used again",
    async () => {
      const { baseURL, output } = running();
      const email = `forgot-${Date.now()}@example.com`;
      await registerAccount(baseURL, ORIGIN, email, PASSWORD);
      const browser = await launchBrowser({ origin: ORIGIN, listening: baseURL });
      try {
        await resetPasswordInBrowser(browser, {
          origin: ORIGIN,
          email,
          newPassword: "a brand new passphrase",
          output,
          signedInPath: protectedPage,
        });
      } finally {
        await browser.close();
      }
    },
  );

  it.skipIf(skipBrowser)("adds a passkey and signs in with it, in a browser", async () => {
    const { baseURL } = running();
    const browser = await launchBrowser({ origin: ORIGIN, listening: baseURL });
    try {
      await passkeyInBrowser(browser, {
        origin: ORIGIN,
        password: PASSWORD,
        signedInPath: protectedPage,
      });
    } finally {
      await browser.close();
    }
  });

  it("turns on two-factor authentication, then asks every sign-in for the code or a recovery code", async () => {
    const { baseURL, output } = running();
    await twoFactorOverHTTP(baseURL, ORIGIN, { protectedPage, output });
  });

  it.skipIf(skipBrowser)(
    "sets up two-factor authentication in a browser (QR code, key, recovery codes once), then signs in with a code",
    async () => {
      const { baseURL, output } = running();
      const browser = await launchBrowser({ origin: ORIGIN, listening: baseURL });
      try {
        await twoFactorInBrowser(browser, {
          origin: ORIGIN,
          password: PASSWORD,
          output,
          signedInPath: protectedPage,
        });
      } finally {
        await browser.close();
      }
    },
    // A longer walk than the others: sign-up, the address, set-up, and two sign-ins.
    60_000,
  );
}
