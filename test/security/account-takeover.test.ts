import { describe, expect, it } from "vitest";
import type { AuthConfig } from "../../src/index.js";
import {
  call,
  makeAuth,
  manualClock,
  PASSWORD,
  registered,
  sessionCookieFrom,
} from "../helpers.js";
import { captureMailer } from "../mail/fixtures.js";
import { loginOptions, passkeyLogin, softAuthenticator } from "../passkeys/helpers.js";

/*
 * Attacks on the account lifecycle, run as an adversary would over the handler: each test fails
 * on a library where recovery leaves the intruder something, or where proving an address
 * leaves the squatter who registered it first a way in.
 */

const VICTIM = "victim@example.com";
const ATTACKER_PASSWORD = "attacker chose this password!";
const NEW_PASSWORD = "victim's brand new passphrase";

function setup(overrides: Partial<AuthConfig> = {}) {
  const mailer = captureMailer();
  const clock = manualClock();
  const auth = makeAuth({ mailer, clock, ...overrides });
  const pathOf = (url: string | undefined) => {
    const parsed = new URL(url as string);
    return `${parsed.pathname}${parsed.search}`;
  };
  /** The newest message of `type` to `to`, after delivering what is queued. */
  const lastMail = async (type: string, to = VICTIM) => {
    await auth.api.flushOutbox();
    const found = mailer.sent.filter((m) => m.type === type && m.to === to).at(-1);
    if (!found) throw new Error(`no ${type} mail to ${to}`);
    return found;
  };
  const login = (password: string, email = VICTIM) =>
    call(auth, "POST", "/auth/login", { body: { email, password } });
  const session = (cookie: string) => call(auth, "GET", "/auth/session", { cookie });
  return { auth, mailer, clock, pathOf, lastMail, login, session };
}

type Setup = ReturnType<typeof setup>;

/** The victim follows a password reset mailed to the address. */
async function victimResets(s: Setup) {
  expect(
    (await call(s.auth, "POST", "/auth/password/forgot", { body: { email: VICTIM } })).status,
  ).toBe(202);
  const token = new URL((await s.lastMail("password-reset")).url as string).searchParams.get(
    "token",
  );
  const reset = await call(s.auth, "POST", "/auth/password/reset", {
    body: { token, password: NEW_PASSWORD },
  });
  expect(reset.status).toBe(204);
}

describe("recovery cancels what an intruder left behind", () => {
  it("a password reset voids the hijacker's pending email change", async () => {
    const s = setup();
    const owner = await registered(s.auth, VICTIM);
    // The hijacker holds a fresh copy of the owner's cookie and asks to move the account.
    const asked = await call(s.auth, "POST", "/auth/email/change", {
      cookie: owner.cookie,
      body: { newEmail: "hijacker@evil.example" },
    });
    expect(asked.status).toBe(202);
    const confirm = await s.lastMail("email-change", "hijacker@evil.example");
    await victimResets(s);
    s.clock.advance(20 * 3600); // the next day
    const late = await call(s.auth, "GET", s.pathOf(confirm.url), {
      headers: { accept: "application/json" },
    });
    expect(late.json?.error.code).toBe("token_invalid");
    expect((await s.login(NEW_PASSWORD)).json?.user.email).toBe(VICTIM);
    expect((await s.session(owner.cookie)).status).toBe(401);
  });

  it("a password change voids pending email changes, magic links and verification links", async () => {
    const s = setup({ emailVerification: { sendOnRegister: true } });
    const owner = await registered(s.auth, VICTIM);
    const verification = await s.lastMail("email-verification");
    await call(s.auth, "POST", "/auth/email/change", {
      cookie: owner.cookie,
      body: { newEmail: "hijacker@evil.example" },
    });
    const confirm = await s.lastMail("email-change", "hijacker@evil.example");
    await call(s.auth, "POST", "/auth/magic-link", { body: { email: VICTIM } });
    const magic = await s.lastMail("magic-link");
    const changed = await call(s.auth, "POST", "/auth/password/change", {
      cookie: owner.cookie,
      body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(changed.status).toBe(204);
    for (const mail of [confirm, magic, verification]) {
      const used = await call(s.auth, "GET", s.pathOf(mail.url), {
        headers: { accept: "application/json" },
      });
      expect([mail.type, used.json?.error?.code]).toEqual([mail.type, "token_invalid"]);
    }
    expect((await s.session(owner.cookie)).json?.user.email).toBe(VICTIM);
  });

  it("tells the old address at once, with a link that stops the change and signs out everywhere", async () => {
    const s = setup();
    const owner = await registered(s.auth, VICTIM);
    await call(s.auth, "POST", "/auth/email/change", {
      cookie: owner.cookie,
      body: { newEmail: "hijacker@evil.example" },
    });
    const confirm = await s.lastMail("email-change", "hijacker@evil.example");
    const warning = await s.lastMail("email-change-requested");
    expect(warning.text).toContain("hijacker@evil.example");
    const stop = await call(s.auth, "GET", s.pathOf(warning.url));
    expect(stop.status).toBe(302);
    expect((await s.session(owner.cookie)).status).toBe(401);
    const late = await call(s.auth, "GET", s.pathOf(confirm.url), {
      headers: { accept: "application/json" },
    });
    expect(late.json?.error.code).toBe("token_invalid");
    expect((await s.login(PASSWORD)).json?.user.email).toBe(VICTIM);
  });

  it("the notice after a confirmed change undoes it, and the hijacker's own reset cannot void it", async () => {
    const s = setup();
    const owner = await registered(s.auth, VICTIM);
    await call(s.auth, "POST", "/auth/email/change", {
      cookie: owner.cookie,
      body: { newEmail: "hijacker@evil.example" },
    });
    const confirm = await s.lastMail("email-change", "hijacker@evil.example");
    expect((await call(s.auth, "GET", s.pathOf(confirm.url))).status).toBe(302);
    const notice = await s.lastMail("email-change-notice");
    // The hijacker now owns the new address and resets the password there.
    await call(s.auth, "POST", "/auth/password/forgot", {
      body: { email: "hijacker@evil.example" },
    });
    const hijackReset = await s.lastMail("password-reset", "hijacker@evil.example");
    const hijackToken = new URL(hijackReset.url as string).searchParams.get("token");
    await call(s.auth, "POST", "/auth/password/reset", {
      body: { token: hijackToken, password: ATTACKER_PASSWORD },
    });
    const hijacker = await s.login(ATTACKER_PASSWORD, "hijacker@evil.example");
    expect(hijacker.status).toBe(200);

    const undo = await call(s.auth, "GET", s.pathOf(notice.url), {
      headers: { accept: "application/json" },
    });
    expect(undo.status).toBe(200);
    expect(undo.json).toMatchObject({ user: { email: VICTIM }, reverted: true });
    expect((await s.session(sessionCookieFrom(hijacker.response))).status).toBe(401);
    // Whoever moved the address may know the password: it is gone, and a reset sets a new one.
    expect((await s.login(ATTACKER_PASSWORD, VICTIM)).status).toBe(401);
    expect((await s.login(ATTACKER_PASSWORD, "hijacker@evil.example")).status).toBe(401);
    await victimResets(s);
    expect((await s.login(NEW_PASSWORD)).status).toBe(200);
  });
});

/** The squatter registers the victim's address first, signs in, adds a passkey, gets tokens. */
async function squat(s: Setup) {
  const signUp = await call(s.auth, "POST", "/auth/register", {
    body: { email: VICTIM, password: ATTACKER_PASSWORD },
  });
  expect(signUp.status).toBe(201);
  // With emailVerification.required a sign-up opens no session (only the registration binding).
  const cookie = signUp.json?.emailVerificationRequired ? null : sessionCookieFrom(signUp.response);
  let authenticator: ReturnType<typeof softAuthenticator> | null = null;
  let refreshToken: string | null = null;
  if (cookie) {
    authenticator = softAuthenticator();
    const options = await call(s.auth, "POST", "/auth/passkey/register/options", { cookie });
    const added = await call(s.auth, "POST", "/auth/passkey/register/verify", {
      cookie,
      body: authenticator.create(options.json as never),
    });
    expect(added.status).toBe(201);
    const grant = await call(s.auth, "POST", "/auth/token", {
      body: { grant_type: "password", username: VICTIM, password: ATTACKER_PASSWORD },
    });
    refreshToken = grant.json?.refresh_token;
    expect(refreshToken).toBeTruthy();
  }
  return { cookie, authenticator, refreshToken };
}

/** After the victim's proof, none of the squatter's ways in may work. */
async function expectSquatterEvicted(s: Setup, squatter: Awaited<ReturnType<typeof squat>>) {
  expect((await s.login(ATTACKER_PASSWORD)).status).toBe(401);
  if (squatter.cookie) expect((await s.session(squatter.cookie)).status).toBe(401);
  if (squatter.authenticator) {
    const response = squatter.authenticator.get(await loginOptions(s.auth));
    expect((await passkeyLogin(s.auth, response)).status).toBe(401);
  }
  if (squatter.refreshToken) {
    const refreshed = await call(s.auth, "POST", "/auth/token", {
      body: { grant_type: "refresh_token", refresh_token: squatter.refreshToken },
    });
    expect(refreshed.status).toBeGreaterThanOrEqual(400);
    expect(refreshed.json?.access_token).toBeUndefined();
  }
}

const proofs: [string, (s: Setup) => Promise<void>][] = [
  [
    "a magic link",
    async (s) => {
      await call(s.auth, "POST", "/auth/magic-link", { body: { email: VICTIM } });
      const link = await s.lastMail("magic-link");
      expect((await call(s.auth, "GET", s.pathOf(link.url))).status).toBe(302);
    },
  ],
  [
    "an email code",
    async (s) => {
      await call(s.auth, "POST", "/auth/magic-link", { body: { email: VICTIM, type: "code" } });
      const { code } = await s.lastMail("login-code");
      const used = await call(s.auth, "POST", "/auth/magic-link/verify-code", {
        body: { email: VICTIM, code },
      });
      expect(used.status).toBe(200);
    },
  ],
  [
    "the verification link the squatter's sign-up mailed",
    async (s) => {
      const link = await s.lastMail("email-verification");
      expect((await call(s.auth, "GET", s.pathOf(link.url))).status).toBe(302);
    },
  ],
  ["a password reset", victimResets],
];

describe("proving the address evicts whoever squatted it", () => {
  for (const required of [false, true]) {
    for (const [name, prove] of proofs) {
      it(`${name}${required ? ", with emailVerification.required" : ""}`, async () => {
        const s = setup({ emailVerification: { sendOnRegister: true, required } });
        const squatter = await squat(s);
        expect(squatter.cookie === null).toBe(required);
        await prove(s);
        const user = await s.auth.storage.users.findByEmail(VICTIM);
        expect(user?.emailVerified).toBe(true);
        expect(await s.auth.storage.passkeys.listByUser(user?.id as string)).toEqual([]);
        await expectSquatterEvicted(s, squatter);
      });
    }
  }

  it("the registrant who opens the link in the browser they signed up with keeps everything", async () => {
    const s = setup({ emailVerification: { sendOnRegister: true } });
    const owner = await registered(s.auth, VICTIM);
    const link = await s.lastMail("email-verification");
    expect((await call(s.auth, "GET", s.pathOf(link.url), { cookie: owner.cookie })).status).toBe(
      302,
    );
    expect((await s.session(owner.cookie)).json?.user.emailVerified).toBe(true);
    expect((await s.login(PASSWORD)).status).toBe(200);
  });

  it("with required, the registering browser's binding keeps the password, and only its own", async () => {
    const s = setup({ emailVerification: { sendOnRegister: true, required: true } });
    const signUp = await call(s.auth, "POST", "/auth/register", {
      body: { email: VICTIM, password: PASSWORD },
    });
    const binding = sessionCookieFrom(signUp.response);
    expect(binding).toMatch(/\.registration=/);
    expect((await s.login(PASSWORD)).json?.error.code).toBe("email_not_verified");
    // A binding of another registration does not count.
    const other = await call(s.auth, "POST", "/auth/register", {
      body: { email: "other@example.com", password: PASSWORD },
    });
    const link = await s.lastMail("email-verification");
    const wrongBinding = sessionCookieFrom(other.response);
    expect(wrongBinding).not.toBe(binding);
    const verified = await call(s.auth, "GET", s.pathOf(link.url), { cookie: binding });
    expect(verified.status).toBe(302);
    expect((await s.login(PASSWORD)).status).toBe(200);
  });

  it("a verification link opened by someone else after the squatter verified nothing keeps nothing", async () => {
    const s = setup({ emailVerification: { sendOnRegister: true } });
    const squatter = await squat(s);
    const link = await s.lastMail("email-verification");
    // The squatter's own cookie on the victim's click would be a fixation; without it, evicted.
    expect((await call(s.auth, "GET", s.pathOf(link.url))).status).toBe(302);
    await expectSquatterEvicted(s, squatter);
    // Later proofs find a verified address and leave the owner's credentials alone.
    await victimResets(s);
    expect((await s.login(NEW_PASSWORD)).status).toBe(200);
  });
});

describe("sensitive changes need a fresh sign-in", () => {
  async function staleOwner(s: Setup) {
    const owner = await registered(s.auth, VICTIM);
    s.clock.advance(24 * 3600); // a day-old cookie, as a thief would hold it
    return owner;
  }

  it("a day-old cookie cannot add a passkey, unless it sends the current password", async () => {
    const s = setup();
    const { cookie } = await staleOwner(s);
    const refused = await call(s.auth, "POST", "/auth/passkey/register/options", { cookie });
    expect(refused.status).toBe(403);
    expect(refused.json?.error.code).toBe("reauthentication_required");
    const wrong = await call(s.auth, "POST", "/auth/passkey/register/options", {
      cookie,
      body: { currentPassword: "not the password at all" },
    });
    expect(wrong.json?.error).toMatchObject({
      code: "invalid_credentials",
      message: "Your current password is wrong",
    });
    const allowed = await call(s.auth, "POST", "/auth/passkey/register/options", {
      cookie,
      body: { currentPassword: PASSWORD },
    });
    expect(allowed.status).toBe(200);
  });

  it("a day-old cookie cannot sign out the other sessions, or change the email", async () => {
    const s = setup();
    const { cookie } = await staleOwner(s);
    const other = await s.login(PASSWORD);
    const otherCookie = sessionCookieFrom(other.response);
    const refused = await call(s.auth, "POST", "/auth/sessions/revoke-others", { cookie });
    expect(refused.json?.error.code).toBe("reauthentication_required");
    expect((await s.session(otherCookie)).status).toBe(200);
    const email = await call(s.auth, "POST", "/auth/email/change", {
      cookie,
      body: { newEmail: "elsewhere@example.com" },
    });
    expect(email.json?.error.code).toBe("reauthentication_required");
    const withPassword = await call(s.auth, "POST", "/auth/sessions/revoke-others", {
      cookie,
      body: { currentPassword: PASSWORD },
    });
    expect(withPassword.status).toBe(204);
    expect((await s.session(otherCookie)).status).toBe(401);
  });

  it("a fresh sign-in needs no password, for session.freshAge seconds", async () => {
    const s = setup({ session: { freshAge: 120 } });
    const { cookie } = await registered(s.auth, VICTIM);
    s.clock.advance(60);
    expect((await call(s.auth, "POST", "/auth/passkey/register/options", { cookie })).status).toBe(
      200,
    );
    s.clock.advance(61);
    expect(
      (await call(s.auth, "POST", "/auth/passkey/register/options", { cookie })).json?.error.code,
    ).toBe("reauthentication_required");
  });

  it("lists each passkey with when and where it was added", async () => {
    const s = setup();
    const { cookie, user } = await registered(s.auth, VICTIM);
    // A verified owner: the reset below is not a first proof, so it evicts no passkey.
    await s.auth.storage.users.update(user.id, {
      emailVerified: true,
      updatedAt: new Date(),
    });
    const options = await call(s.auth, "POST", "/auth/passkey/register/options", { cookie });
    const added = await call(s.auth, "POST", "/auth/passkey/register/verify", {
      cookie,
      clientIP: "198.51.100.23",
      headers: { "user-agent": "Thief/1.0" },
      body: softAuthenticator().create(options.json as never),
    });
    expect(added.status).toBe(201);
    await victimResets(s);
    const owner = sessionCookieFrom((await s.login(NEW_PASSWORD)).response);
    const list = await call(s.auth, "GET", "/auth/passkeys", { cookie: owner });
    expect(list.json?.passkeys).toEqual([
      expect.objectContaining({
        createdAt: new Date(Date.UTC(2026, 0, 1)).toISOString(),
        createdFrom: { ip: "198.51.100.23", userAgent: "Thief/1.0" },
      }),
    ]);
  });
});
