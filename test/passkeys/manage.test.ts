import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { migrate, postgresStorage } from "../../adapters/postgres/index.js";
import { sqliteStorage } from "../../adapters/sqlite/index.js";
import { ConfigError, memoryStorage } from "../../src/index.js";
import { google } from "../../src/oauth-providers/index.js";
import { call, makeAuth, registered, sessionCookieFrom } from "../helpers.js";
import { freshPostgres, postgresAvailable } from "../storage/services.js";
import {
  loginOptions,
  passkeyAuth,
  passkeyLogin,
  softAuthenticator,
  userWithPasskey,
} from "./helpers.js";

// PostgreSQL for the race below: the two requests really run at once, on two connections.
const postgres = (await postgresAvailable()) ? await freshPostgres() : null;
if (postgres) await migrate(postgres.pool, { schema: postgres.schema });

describe("GET /auth/passkeys, PATCH and DELETE /auth/passkeys/:id", () => {
  it("lists only the caller's passkeys", async () => {
    const auth = passkeyAuth();
    const ada = await userWithPasskey(auth);
    const bob = await userWithPasskey(auth, undefined, "bob@example.com");
    const list = await call(auth, "GET", "/auth/passkeys", { cookie: ada.cookie });
    expect(list.status).toBe(200);
    expect(list.json?.passkeys).toEqual([
      expect.objectContaining({ id: ada.passkey.id, name: "Laptop" }),
    ]);
    expect(list.json?.passkeys[0]).not.toHaveProperty("counter");
    expect(bob.passkey.id).not.toBe(ada.passkey.id);
  });

  it("requires a session", async () => {
    const auth = passkeyAuth();
    expect((await call(auth, "GET", "/auth/passkeys")).status).toBe(401);
    expect((await call(auth, "DELETE", "/auth/passkeys/x")).status).toBe(401);
  });

  it("renames the caller's passkey; another user's answers 404 and stays unchanged", async () => {
    const auth = passkeyAuth();
    const ada = await userWithPasskey(auth);
    const eve = await registered(auth, "eve@example.com");
    const path = `/auth/passkeys/${encodeURIComponent(ada.passkey.id)}`;
    const stolen = await call(auth, "PATCH", path, { cookie: eve.cookie, body: { name: "mine" } });
    expect(stolen.status).toBe(404);
    const renamed = await call(auth, "PATCH", path, {
      cookie: ada.cookie,
      body: { name: "  Phone  " },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json?.passkey.name).toBe("Phone");
    const invalid = await call(auth, "PATCH", path, { cookie: ada.cookie, body: { name: "" } });
    expect(invalid.status).toBe(400);
  });

  it("deletes the caller's passkey, which then no longer signs in", async () => {
    const auth = passkeyAuth();
    const ada = await userWithPasskey(auth);
    const eve = await registered(auth, "eve@example.com");
    const path = `/auth/passkeys/${encodeURIComponent(ada.passkey.id)}`;
    expect((await call(auth, "DELETE", path, { cookie: eve.cookie })).status).toBe(404);
    expect((await call(auth, "DELETE", path, { cookie: ada.cookie })).status).toBe(204);
    expect((await call(auth, "DELETE", path, { cookie: ada.cookie })).status).toBe(404);
    const login = await passkeyLogin(auth, ada.authenticator.get(await loginOptions(auth)));
    expect(login.status).toBe(401);
  });
});

describe("passkey sign-up (passkey.signUp: true)", () => {
  async function signUp(auth: ReturnType<typeof passkeyAuth>, email = "new@example.com") {
    const authenticator = softAuthenticator();
    const options = await call(auth, "POST", "/auth/passkey/register/options", {
      body: { email, name: "New" },
    });
    expect(options.status).toBe(200);
    const verify = await call(auth, "POST", "/auth/passkey/register/verify", {
      body: authenticator.create(options.json as never),
    });
    return { authenticator, ...verify };
  }

  it("is refused when not enabled", async () => {
    const auth = passkeyAuth();
    const options = await call(auth, "POST", "/auth/passkey/register/options", {
      body: { email: "new@example.com" },
    });
    expect(options.status).toBe(401);
  });

  it("creates a password-less account with the passkey and signs it in", async () => {
    const auth = passkeyAuth({ passkey: { signUp: true } });
    const { status, json, response, authenticator } = await signUp(auth);
    expect(status).toBe(201);
    expect(json?.user).toMatchObject({ email: "new@example.com", name: "New" });
    const cookie = sessionCookieFrom(response);
    expect((await call(auth, "GET", "/auth/session", { cookie })).json?.user.id).toBe(
      json?.user.id,
    );
    expect(await auth.storage.passwords.get(json?.user.id)).toBeNull();
    await call(auth, "POST", "/auth/logout", { cookie });
    const login = await passkeyLogin(auth, authenticator.get(await loginOptions(auth)));
    expect(login.json?.user.id).toBe(json?.user.id);
  });

  it("refuses an email that already has an account, creating nothing", async () => {
    const auth = passkeyAuth({ passkey: { signUp: true } });
    await registered(auth, "taken@example.com");
    const { status, json } = await signUp(auth, "taken@example.com");
    expect(status).toBe(409);
    expect(json?.error.code).toBe("email_taken");
  });

  it("refuses to delete the only passkey of a password-less account without magic links", async () => {
    const auth = passkeyAuth({ passkey: { signUp: true }, magicLink: { enabled: false } });
    const { json, response } = await signUp(auth);
    const cookie = sessionCookieFrom(response);
    const path = `/auth/passkeys/${encodeURIComponent(json?.passkey.id)}`;
    const refused = await call(auth, "DELETE", path, { cookie });
    expect(refused.status).toBe(403);
    expect(refused.json?.error.code).toBe("forbidden");
    expect(refused.json?.error.message).toMatch(/only way to sign in/);

    // With a second passkey, either one may go.
    const options = await call(auth, "POST", "/auth/passkey/register/options", { cookie });
    const added = await call(auth, "POST", "/auth/passkey/register/verify", {
      cookie,
      body: softAuthenticator().create(options.json as never),
    });
    expect(added.status).toBe(201);
    expect((await call(auth, "DELETE", path, { cookie })).status).toBe(204);
  });

  it("lets the last passkey go when a linked identity of a configured provider remains a way in", async () => {
    const withGoogle = (providers: ReturnType<typeof google>[]) =>
      passkeyAuth({
        passkey: { signUp: true },
        magicLink: { enabled: false },
        ...(providers.length > 0 ? { oauth: { providers } } : {}),
      });
    const provider = google({ clientId: "client", clientSecret: "secret" });
    const linkGoogle = (auth: ReturnType<typeof passkeyAuth>, userId: string) =>
      auth.storage.accounts?.create({
        id: `acct-${userId}`,
        provider: "google",
        subject: `google-${userId}`,
        userId,
        email: "new@example.com",
        tokens: null,
        createdAt: new Date(),
      });

    // Signed up with Google, then added a passkey: the identity still signs in, so it may go.
    const auth = withGoogle([provider]);
    const { json, response } = await signUp(auth);
    expect(await linkGoogle(auth, json?.user.id)).toBe(true);
    const path = `/auth/passkeys/${encodeURIComponent(json?.passkey.id)}`;
    const cookie = sessionCookieFrom(response);
    expect((await call(auth, "DELETE", path, { cookie })).status).toBe(204);

    // An identity at a provider the app no longer offers signs in no one: it does not count.
    const dropped = withGoogle([]);
    const second = await signUp(dropped);
    await linkGoogle(dropped, second.json?.user.id);
    const refused = await call(
      dropped,
      "DELETE",
      `/auth/passkeys/${encodeURIComponent(second.json?.passkey.id)}`,
      { cookie: sessionCookieFrom(second.response) },
    );
    expect(refused.status).toBe(403);
    expect(refused.json?.error.message).toMatch(/only way to sign in/);
  });

  // A passkey delete racing an unlink: each port's keepLast only guards its own table, and each
  // request saw the other's row as "another way in" before either deleted anything.
  afterAll(() => postgres?.drop());
  for (const [name, storage] of [
    ["memory", () => memoryStorage()],
    ["SQLite", () => sqliteStorage({ database: new Database(":memory:") })],
    ...(postgres
      ? ([
          ["PostgreSQL", () => postgresStorage({ pool: postgres.pool, schema: postgres.schema })],
        ] as const)
      : []),
  ] as const) {
    it(`never lets a passkey delete and an unlink racing it remove the last two ways in (${name})`, async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const auth = passkeyAuth({
          storage: storage(),
          passkey: { signUp: true },
          magicLink: { enabled: false },
          oauth: { providers: [google({ clientId: "client", clientSecret: "secret" })] },
        });
        // One storage per attempt, except PostgreSQL's schema: an address per attempt.
        const { json } = await signUp(auth, `race-${attempt}@example.com`);
        const userId: string = json?.user.id;
        const accounts = auth.storage.accounts;
        if (!accounts) throw new Error("no accounts port");
        expect(
          await accounts.create({
            id: `acct-${attempt}`,
            provider: "google",
            subject: `google-${attempt}`,
            userId,
            email: "new@example.com",
            tokens: null,
            createdAt: new Date(),
          }),
        ).toBe(true);
        const outcomes = await Promise.allSettled([
          auth.api.deletePasskey(userId, json?.passkey.id),
          auth.api.unlinkAccount(userId, `acct-${attempt}`),
        ]);
        const left =
          (await auth.storage.passkeys.listByUser(userId)).length +
          (await accounts.listByUser(userId)).length;
        expect(left).toBeGreaterThanOrEqual(1);
        const done = outcomes.filter((outcome) => outcome.status === "fulfilled").length;
        expect(left).toBe(2 - done);
        for (const outcome of outcomes) {
          if (outcome.status === "rejected") {
            expect(outcome.reason).toMatchObject({ code: "forbidden" });
          }
        }
      }
    });
  }

  it("lets the last passkey go when magic links remain a way in", async () => {
    const auth = passkeyAuth({ passkey: { signUp: true }, magicLink: { enabled: true } });
    const { json, response } = await signUp(auth);
    const path = `/auth/passkeys/${encodeURIComponent(json?.passkey.id)}`;
    const cookie = sessionCookieFrom(response);
    expect((await call(auth, "DELETE", path, { cookie })).status).toBe(204);
  });

  it("does not let a sign-up challenge add a passkey to a signed-in account", async () => {
    const auth = passkeyAuth({ passkey: { signUp: true } });
    const ada = await registered(auth);
    const options = await call(auth, "POST", "/auth/passkey/register/options", {
      body: { email: "other@example.com" },
    });
    const verify = await call(auth, "POST", "/auth/passkey/register/verify", {
      cookie: ada.cookie,
      body: softAuthenticator().create(options.json as never),
    });
    expect(verify.status).toBe(401);
  });
});

describe("passkey config", () => {
  it("defaults the RP to baseURL's host and accepts a parent domain as rpID", async () => {
    const auth = makeAuth({
      baseURL: "https://app.example.com",
      passkey: { rpID: "example.com", rpName: "Example" },
    });
    expect(auth.resolved.passkey).toMatchObject({
      rpID: "example.com",
      userVerification: "preferred",
      attestation: "none",
      algorithms: [-8, -7, -257],
      signUp: false,
    });
    const options = await auth.api.passkeyLoginOptions();
    expect(options.rpId).toBe("example.com");
  });

  it("rejects an rpID that the origins are not on, at createAuth", () => {
    expect(() =>
      makeAuth({ baseURL: "https://app.example.com", passkey: { rpID: "other.com" } }),
    ).toThrow(ConfigError);
    expect(() => makeAuth({ passkey: { origins: ["https://evil.example"] } })).toThrow(
      /passkey origin/,
    );
  });

  it("rejects algorithms outside Ed25519, ES256 and RS256, and attestation other than none", () => {
    expect(() => makeAuth({ passkey: { algorithms: [-999 as never] } })).toThrow(ConfigError);
    expect(() => makeAuth({ passkey: { attestation: "direct" as never } })).toThrow(ConfigError);
  });
});
