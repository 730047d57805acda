/**
 * `portcullis/client`: a small typed browser client for the Portcullis HTTP routes. No framework,
 * nothing of the server: it is `fetch` with JSON bodies, the cookie the browser already keeps, and
 * one error type.
 *
 * ```ts
 * import { createClient, PortcullisClientError } from "portcullis/client";
 *
 * const auth = createClient();                       // same origin, routes under /auth
 * try {
 *   const result = await auth.signIn({ email, password });
 *   if (result.mfaRequired) await auth.mfa.verify({ code }); // the code the person types
 * } catch (error) {
 *   if (error instanceof PortcullisClientError && error.code === "invalid_credentials") { ... }
 * }
 * ```
 *
 * Passkeys use `@simplewebauthn/browser`, an optional peer dependency that only the passkey
 * functions load, through the `webauthn` option: `createClient({ webauthn: () =>
 * import("@simplewebauthn/browser") })`. The import is the app's, not the library's, so an app
 * without passkeys need not install the package: bundlers (Vite, webpack, Turbopack) fail the
 * build on an import they cannot resolve, even a lazy one, were it written here.
 */
import type { AuthErrorCode } from "../../src/errors.js";

/** Every `code` a failure can carry: the server's closed set (see the README's HTTP routes). */
export type PortcullisErrorCode = AuthErrorCode;

/** A validation problem of an `invalid_request`: which field (`path`) and what is wrong with it. */
export interface PortcullisIssue {
  path: (string | number)[];
  message: string;
}

const CLIENT_ERROR = Symbol.for("portcullis.ClientError");

/**
 * What every client call throws when the server (or the network) says no. `code` is stable and
 * meant for `switch`; `message` is the server's, for humans.
 *
 * A request that never got an answer (offline, DNS, CORS) is `unavailable` with `status` 0, and
 * an error answer that is not Portcullis JSON (a proxy's HTML page) gets the code its status
 * implies, e.g. `unavailable` for 502-504.
 */
export class PortcullisClientError extends Error {
  readonly code: PortcullisErrorCode;
  /** The HTTP status, or 0 when no response came. */
  readonly status: number;
  /** For `invalid_request`: the fields that failed validation. */
  readonly issues?: PortcullisIssue[];
  /**
   * For `rate_limited`: seconds to wait, from `Retry-After`. Cross-origin clients only see it
   * when the server exposes that header (`Access-Control-Expose-Headers`).
   */
  readonly retryAfter?: number;
  readonly [CLIENT_ERROR] = true;

  constructor(
    code: PortcullisErrorCode,
    status: number,
    message: string,
    details: { issues?: PortcullisIssue[]; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "PortcullisClientError";
    this.code = code;
    this.status = status;
    if (details.issues !== undefined) this.issues = details.issues;
    if (details.retryAfter !== undefined) this.retryAfter = details.retryAfter;
  }
}

/** Whether `value` is a `PortcullisClientError`, from this copy of the client or another. */
export function isPortcullisClientError(value: unknown): value is PortcullisClientError {
  return (
    value instanceof PortcullisClientError ||
    (typeof value === "object" &&
      value !== null &&
      (value as { [CLIENT_ERROR]?: unknown })[CLIENT_ERROR] === true)
  );
}

/** A user as the routes send it (JSON: dates are ISO strings). */
export interface ClientUser {
  id: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  /** The application's own data about the user (`{}` when none); written by server code only. */
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  /** When an administrator disabled the account; a signed-in user always sees null. */
  disabledAt: string | null;
}

/** A session as the routes send it. */
export interface ClientSession {
  id: string;
  userId: string;
  createdAt: string;
  expiresAt: string;
  absoluteExpiresAt: string;
  ip: string | null;
  userAgent: string | null;
}

/** One row of `sessions.list()`: `current` marks the session this browser holds. */
export interface ClientSessionListItem extends ClientSession {
  current: boolean;
}

export interface ClientPasskey {
  id: string;
  name: string | null;
  transports: string[];
  deviceType: "singleDevice" | "multiDevice";
  backedUp: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  createdFrom: { ip: string | null; userAgent: string | null };
}

export interface ClientOptions {
  /**
   * The origin of the app that serves the routes, e.g. `https://app.example.com`. Default: the
   * page's own origin (relative URLs). Another origin must be one of the server's
   * `trustedOrigins`; requests then carry cookies with `credentials: "include"`.
   */
  baseURL?: string;
  /** Where the routes live: the server's `basePath`. Default `/auth`. */
  basePath?: string;
  /** The `fetch` to use. Default: the global one. */
  fetch?: typeof fetch;
  /**
   * `@simplewebauthn/browser` for the passkey functions: best a loader, so the package loads on
   * the first passkey call only, `() => import("@simplewebauthn/browser")`; or the module
   * itself. Without it, the passkey functions throw.
   */
  webauthn?: WebAuthnBrowser | (() => Promise<WebAuthnBrowser>);
}

/**
 * The two functions of `@simplewebauthn/browser` (v11 or later) the passkey functions call,
 * described here so that this module's types never name the optional package.
 */
export interface WebAuthnBrowser {
  startRegistration(options: { optionsJSON: never }): Promise<unknown>;
  startAuthentication(options: {
    optionsJSON: never;
    useBrowserAutofill?: boolean;
  }): Promise<unknown>;
}

/** `signUp`'s answer: with `emailVerification.required` no session is opened until verified. */
export interface SignUpResult {
  user: ClientUser;
  /** True when the account must verify its email before signing in (no session was opened). */
  emailVerificationRequired: boolean;
}

/** Sensitive changes ask for this when the session signed in longer ago than `session.freshAge`. */
interface StepUp {
  /** Needed when the session is older than the server's `session.freshAge` (10 minutes). */
  currentPassword?: string;
  /** Instead of the password, for an account with two-factor authentication: a current code. */
  code?: string;
}

/** A sign-in that opened a session: the session cookie is set. */
export interface ClientSignedIn {
  user: ClientUser;
  /** Never true here: tells a session from the second-factor step. */
  mfaRequired?: false;
}

/**
 * A sign-in that stopped at the second factor (the account has two-factor authentication): no
 * session yet, only the pending cookie (HttpOnly, 10 minutes, single-use). Ask for the code and
 * complete the sign-in with `mfa.verify`.
 */
export interface ClientMfaRequired {
  mfaRequired: true;
}

/** What every sign-in answers: tell the two apart by `mfaRequired`. */
export type ClientSignInResult = ClientSignedIn | ClientMfaRequired;

/** A second factor: the 6 digits of the authenticator app, or one of the recovery codes. */
export type ClientSecondFactor = { code: string } | { recoveryCode: string };

/** `mfa.verify`'s answer: signed in; after a recovery code, how many are left. */
export interface ClientMfaSignIn {
  user: ClientUser;
  recoveryCodesRemaining?: number;
}

/** `mfa.setup`'s answer, shown once: `uri` for a QR code, `secret` (base32) for typing in. */
export interface ClientTotpSetup {
  secret: string;
  /** `otpauth://totp/<issuer>:<email>?secret=…`: render it as a QR code, in the page. */
  uri: string;
}

/** Where the signed-in user's two-factor authentication stands (`mfa.status`). */
export interface ClientMfaStatus {
  enabled: boolean;
  enabledAt: string | null;
  /** Recovery codes not used yet (0 while two-factor authentication is off). */
  recoveryCodesRemaining: number;
  /** A secret was set up and waits for `mfa.enable`. */
  pendingSetup: boolean;
}

/** An identity at a provider linked to the signed-in account (`oauth.accounts()`). */
export interface ClientLinkedAccount {
  id: string;
  /** The provider's id, as configured (`google`, `github`, ...). */
  provider: string;
  /** The address the provider gave when the identity was linked, or null. */
  email: string | null;
  createdAt: string;
}

interface RequestOptions {
  body?: unknown;
}

/** Sends the page to `url` when there is a page (a browser); elsewhere does nothing. */
function navigate(url: string): void {
  const here = (globalThis as { location?: { assign?: (url: string) => void } }).location;
  if (typeof here?.assign === "function") here.assign(url);
}

/** The status-implied code of an error answer that is not Portcullis JSON. */
function codeForStatus(status: number): PortcullisErrorCode {
  const byStatus: Record<number, PortcullisErrorCode> = {
    400: "invalid_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "email_taken",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
  };
  return byStatus[status] ?? (status >= 502 && status <= 504 ? "unavailable" : "internal");
}

/** `Retry-After` in seconds: delta-seconds, or an HTTP date. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function trimSlashes(value: string, keepLeading: boolean): string {
  const trimmed = value.replace(/\/+$/, "");
  if (!keepLeading) return trimmed;
  return trimmed === "" || trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}

/** Cookies go along to the page's own origin always; to another only when asked to. */
function credentialsFor(baseURL: string | undefined): RequestCredentials {
  if (baseURL === undefined) return "same-origin";
  const here = (globalThis as { location?: { origin?: string } }).location?.origin;
  try {
    return here !== undefined && new URL(baseURL).origin === here ? "same-origin" : "include";
  } catch {
    return "include";
  }
}

/**
 * Creates a client for the routes at `baseURL` + `basePath`. Every method resolves with the
 * route's typed answer or rejects with a `PortcullisClientError`.
 */
export function createClient(options: ClientOptions = {}) {
  const root = `${options.baseURL === undefined ? "" : trimSlashes(options.baseURL, false)}${trimSlashes(options.basePath ?? "/auth", true)}`;
  const credentials = credentialsFor(options.baseURL);
  // Called as a plain function: a browser's fetch throws "Illegal invocation" when called as a
  // method of another object.
  const send: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function request<T>(
    method: string,
    path: string,
    { body }: RequestOptions = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await send(`${root}${path}`, {
        method,
        headers,
        credentials,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (cause) {
      throw new PortcullisClientError("unavailable", 0, "The server could not be reached", {
        cause,
      });
    }
    const text = await response.text().catch(() => "");
    let data: unknown = null;
    let json = text === "";
    if (!json) {
      try {
        data = JSON.parse(text);
        json = true;
      } catch {
        data = null;
      }
    }
    if (response.ok) {
      // A success that is not JSON (an HTML page) means these routes are not what answered.
      if (!json) {
        throw new PortcullisClientError(
          "internal",
          response.status,
          `The answer from ${root}${path} was not JSON: are the Portcullis routes served at ${root}?`,
        );
      }
      return (data ?? undefined) as T;
    }
    const failure = (data as { error?: unknown } | null)?.error;
    const error =
      typeof failure === "object" && failure !== null
        ? (failure as { code?: unknown; message?: unknown; issues?: unknown })
        : null;
    const code =
      typeof error?.code === "string"
        ? (error.code as PortcullisErrorCode)
        : codeForStatus(response.status);
    const message = typeof error?.message === "string" ? error.message : `HTTP ${response.status}`;
    throw new PortcullisClientError(code, response.status, message, {
      issues: Array.isArray(error?.issues) ? (error.issues as PortcullisIssue[]) : undefined,
      retryAfter: parseRetryAfter(response.headers.get("retry-after")),
    });
  }

  const post = <T = void>(path: string, body?: unknown) => request<T>("POST", path, { body });

  /** `@simplewebauthn/browser`, as the app handed it over; loaded on the first passkey call. */
  async function webauthn(): Promise<WebAuthnBrowser> {
    const given = options.webauthn;
    if (given === undefined) {
      throw new Error(
        'portcullis/client: passkeys need @simplewebauthn/browser: npm install @simplewebauthn/browser, then createClient({ webauthn: () => import("@simplewebauthn/browser") })',
      );
    }
    return typeof given === "function" ? await given() : given;
  }

  /** Where a social sign-in with `provider` starts (`GET /oauth/:provider`). */
  function oauthSignInURL(provider: string, input: { redirectTo?: string } = {}): string {
    const query =
      input.redirectTo === undefined
        ? ""
        : `?${new URLSearchParams({ redirectTo: input.redirectTo })}`;
    return `${root}/oauth/${encodeURIComponent(provider)}${query}`;
  }

  return {
    /** `POST /register`: creates the account and (unless verification is required) signs in. */
    async signUp(input: { email: string; password: string; name?: string }): Promise<SignUpResult> {
      const result = await post<{ user: ClientUser; emailVerificationRequired?: boolean }>(
        "/register",
        input,
      );
      return { user: result.user, emailVerificationRequired: !!result.emailVerificationRequired };
    },

    /**
     * `POST /login`: signs in with a password; the session cookie is set. For an account with
     * two-factor authentication, `{ mfaRequired: true }` instead: then `mfa.verify`.
     */
    signIn(input: { email: string; password: string }): Promise<ClientSignInResult> {
      return post("/login", input);
    },

    /** `POST /logout`: ends this browser's session and clears the cookie. */
    signOut(): Promise<void> {
      return post("/logout");
    },

    /** `GET /session`: the signed-in user and session, or `null` when signed out. */
    async session(): Promise<{ user: ClientUser; session: ClientSession } | null> {
      try {
        return await request("GET", "/session");
      } catch (error) {
        if (isPortcullisClientError(error) && error.code === "unauthenticated") return null;
        throw error;
      }
    },

    sessions: {
      /** `GET /sessions`: the user's sessions, this one with `current: true`. */
      async list(): Promise<ClientSessionListItem[]> {
        return (await request<{ sessions: ClientSessionListItem[] }>("GET", "/sessions")).sessions;
      },
      /** `DELETE /sessions/:id`: signs that session out (`not_found` if it is not yours). */
      revoke(id: string): Promise<void> {
        return request("DELETE", `/sessions/${encodeURIComponent(id)}`);
      },
      /** `POST /sessions/revoke-others`: signs out every other session. */
      revokeOthers(input: StepUp = {}): Promise<void> {
        return post("/sessions/revoke-others", input);
      },
    },

    /** `POST /password/change`: other sessions are signed out. */
    changePassword(input: { currentPassword: string; newPassword: string }): Promise<void> {
      return post("/password/change", input);
    },

    /** `POST /password/forgot`: mails a reset link; succeeds whether or not the account exists. */
    forgotPassword(input: { email: string }): Promise<void> {
      return post("/password/forgot", input);
    },

    /** `POST /password/reset`: `token` is the reset link's `?token=`. Every session ends. */
    resetPassword(input: { token: string; password: string }): Promise<void> {
      return post("/password/reset", input);
    },

    magicLink: {
      /**
       * `POST /magic-link`: mails a sign-in link (or, with `type: "code"`, a 6-digit code);
       * succeeds whether or not the account exists. `redirectTo` is where the link lands.
       */
      request(input: {
        email: string;
        redirectTo?: string;
        type?: "link" | "code";
      }): Promise<void> {
        return post("/magic-link", input);
      },
      /** `POST /magic-link/verify-code`: signs in with the mailed code (or `mfaRequired`). */
      verifyCode(input: { email: string; code: string }): Promise<ClientSignInResult> {
        return post("/magic-link/verify-code", input);
      },
    },

    /** `POST /email/verify/request`: mails the signed-in user a verification link. */
    requestEmailVerification(): Promise<void> {
      return post("/email/verify/request");
    },

    /** `POST /email/change`: mails a confirmation link to `newEmail` (and a notice to the old). */
    changeEmail(input: { newEmail: string } & StepUp): Promise<void> {
      return post("/email/change", input);
    },

    passkeys: {
      /**
       * Adds a passkey to the signed-in account: the server's options, the browser's ceremony
       * (`startRegistration`), the server's check. A cancelled ceremony rejects with
       * `@simplewebauthn/browser`'s `WebAuthnError`, not a `PortcullisClientError`.
       */
      async register(input: { name?: string } & StepUp = {}): Promise<{ passkey: ClientPasskey }> {
        const { startRegistration } = await webauthn();
        const stepUp = {
          ...(input.currentPassword === undefined
            ? {}
            : { currentPassword: input.currentPassword }),
          ...(input.code === undefined ? {} : { code: input.code }),
        };
        const optionsJSON = await post<never>("/passkey/register/options", stepUp);
        const response = await startRegistration({ optionsJSON });
        return post("/passkey/register/verify", { response, name: input.name });
      },
      /**
       * Signs in with a passkey. Without `email` the browser offers any passkey it holds for this
       * site; `autofill: true` waits for one picked from the email field's autofill
       * (`autocomplete="username webauthn"`). A passkey that did not verify the user (no PIN or
       * biometric) is one factor: an account with two-factor authentication gets `mfaRequired`.
       */
      async signIn(
        input: { email?: string; autofill?: boolean } = {},
      ): Promise<ClientSignInResult> {
        const { startAuthentication } = await webauthn();
        const optionsJSON = await post<never>(
          "/passkey/login/options",
          input.email === undefined ? {} : { email: input.email },
        );
        const response = await startAuthentication({
          optionsJSON,
          useBrowserAutofill: input.autofill ?? false,
        });
        return post("/passkey/login/verify", response);
      },
      /** `GET /passkeys`: the signed-in user's passkeys. */
      async list(): Promise<ClientPasskey[]> {
        return (await request<{ passkeys: ClientPasskey[] }>("GET", "/passkeys")).passkeys;
      },
      /** `PATCH /passkeys/:id`. */
      rename(id: string, name: string): Promise<{ passkey: ClientPasskey }> {
        return request("PATCH", `/passkeys/${encodeURIComponent(id)}`, { body: { name } });
      },
      /** `DELETE /passkeys/:id`. */
      remove(id: string): Promise<void> {
        return request("DELETE", `/passkeys/${encodeURIComponent(id)}`);
      },
    },

    /**
     * Social sign-in: the provider's page is a navigation, not a `fetch`, so `signIn` sends the
     * browser there (`signInURL` is the same address, for an `<a href>`). The provider sends it
     * back to `redirectTo` (a path of this site, else the app's base URL), signed in or with
     * `?error=<code>`, which `callbackError()` reads.
     */
    oauth: {
      /** `GET /oauth/:provider`: the address that starts a sign-in, for a link or a redirect. */
      signInURL: oauthSignInURL,
      /** Sends the browser to the provider to sign in (or sign up) with it. */
      signIn(provider: string, input: { redirectTo?: string } = {}): void {
        navigate(oauthSignInURL(provider, input));
      },
      /**
       * `POST /oauth/:provider/link`: links an identity at the provider to the signed-in
       * account, then sends the browser to the provider. Needs a fresh session, else
       * `reauthentication_required`: pass `currentPassword` (or, with MFA on, a `code`).
       * Resolves with the provider's address the browser is sent to.
       */
      async link(
        provider: string,
        input: { redirectTo?: string } & StepUp = {},
      ): Promise<{ url: string }> {
        const started = await post<{ url: string }>(
          `/oauth/${encodeURIComponent(provider)}/link`,
          input,
        );
        navigate(started.url);
        return started;
      },
      /** `GET /oauth/accounts`: the identities linked to the signed-in account. */
      async accounts(): Promise<ClientLinkedAccount[]> {
        return (await request<{ accounts: ClientLinkedAccount[] }>("GET", "/oauth/accounts"))
          .accounts;
      },
      /**
       * `DELETE /oauth/accounts/:id`: unlinks one; `forbidden` when it is the account's last
       * way to sign in.
       */
      unlink(id: string): Promise<void> {
        return request("DELETE", `/oauth/accounts/${encodeURIComponent(id)}`);
      },
      /**
       * The `?error=` a refused sign-in came back with (`account_exists`, `invalid_credentials`,
       * `token_invalid`, `unavailable`...), read from `url` (default: the page's address), or
       * null when there is none.
       */
      callbackError(url?: string | URL): PortcullisErrorCode | null {
        const address =
          url ?? (globalThis as { location?: { href?: string } }).location?.href ?? "";
        try {
          const error = new URL(String(address), "http://localhost").searchParams.get("error");
          return error === null || error === "" ? null : (error as PortcullisErrorCode);
        } catch {
          return null;
        }
      },
    },

    /**
     * Two-factor authentication (TOTP and recovery codes). Turning it on: `setup()`, show the
     * `uri` as a QR code (drawn in the page: it holds the secret, never send it to a QR service)
     * and the `secret` for typing in, then `enable(code)` with a code the app shows, and show the
     * recovery codes it answers, once.
     */
    mfa: {
      /**
       * `POST /mfa/verify`: completes a sign-in that answered `{ mfaRequired: true }`, with the
       * pending cookie that answer set. `token_invalid` when that step is used or expired (sign
       * in again), `mfa_invalid` for a wrong or used code.
       */
      verify(factor: ClientSecondFactor): Promise<ClientMfaSignIn> {
        return post("/mfa/verify", factor);
      },
      /** `GET /mfa`: whether it is on, and how many recovery codes are left. */
      status(): Promise<ClientMfaStatus> {
        return request("GET", "/mfa");
      },
      /**
       * `POST /mfa/totp/setup`: a new secret, waiting for `enable`. Needs a fresh session, else
       * `reauthentication_required`: pass `currentPassword` (or, with MFA on, a `code`).
       * `email_not_verified` until the address is confirmed.
       */
      setup(input: StepUp = {}): Promise<ClientTotpSetup> {
        return post("/mfa/totp/setup", input);
      },
      /**
       * `POST /mfa/totp/enable`: confirms the set-up with a code of the new authenticator and
       * turns two-factor authentication on; answers the 10 recovery codes, to show once.
       */
      enable(
        code: string,
        input: { currentPassword?: string } = {},
      ): Promise<{ recoveryCodes: string[] }> {
        return post("/mfa/totp/enable", { code, ...input });
      },
      /** `POST /mfa/disable`: turns it off; the second factor is the proof. */
      disable(factor: ClientSecondFactor): Promise<void> {
        return post("/mfa/disable", factor);
      },
      /** `POST /mfa/recovery-codes`: 10 new recovery codes for a current code; the old ones die. */
      regenerateRecoveryCodes(code: string): Promise<{ recoveryCodes: string[] }> {
        return post("/mfa/recovery-codes", { code });
      },
    },
  };
}

/** The client `createClient` returns. */
export type PortcullisClient = ReturnType<typeof createClient>;
