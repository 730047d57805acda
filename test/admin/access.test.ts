import { describe, expect, it } from "vitest";
import { ConfigError, createAuth, memoryStorage } from "../../src/index.js";
import { BASE_URL, call, makeAuth, PASSWORD, registered, sessionTokenFrom } from "../helpers.js";
import { tokenRequest } from "../tokens/helpers.js";
import { ADMIN_TOKEN, adminAuth, asAdmin, isAdmin, signedInAdmin } from "./helpers.js";

/*
 * Who may call `/auth/admin/*`: nobody without the `admin` option (the routes do not exist), the
 * Bearer admin token, or a signed-in user `admin.isAdmin` accepts. The token is read by the admin
 * routes themselves, never by the session reader, so it is no session and no session is it.
 */

/** An access JWT from the token endpoint's password grant. */
async function accessTokenOf(auth: ReturnType<typeof makeAuth>, username: string) {
  const granted = await tokenRequest(auth, {
    grant_type: "password",
    username,
    password: PASSWORD,
  });
  expect(granted.status).toBe(200);
  return granted.json?.access_token as string;
}

const ROUTES: [string, string][] = [
  ["GET", "/admin/stats"],
  ["GET", "/admin/users"],
  ["GET", "/admin/users/some-id"],
  ["POST", "/admin/users/some-id/disable"],
  ["POST", "/admin/users/some-id/enable"],
  ["DELETE", "/admin/users/some-id/sessions"],
  ["DELETE", "/admin/users/some-id"],
  ["GET", "/admin/audit"],
];

describe("without the admin option", () => {
  it("every admin route answers 404 like an unknown path, whatever the credential", async () => {
    const auth = makeAuth();
    const { cookie } = await registered(auth);
    for (const [method, path] of ROUTES) {
      for (const credential of [{}, { bearer: ADMIN_TOKEN }, { cookie }]) {
        const result = await call(auth, method, `/auth${path}`, credential);
        expect(result.status, `${method} ${path}`).toBe(404);
        expect(result.json?.error.code).toBe("not_found");
      }
    }
    // auth.api.admin works without it: server code is trusted.
    expect((await auth.api.admin.stats()).users?.total).toBe(1);
  });
});

describe("with admin.token", () => {
  const tokenOnly = () => makeAuth({ admin: { token: ADMIN_TOKEN } });

  it("lets the token in on every route", async () => {
    const auth = tokenOnly();
    const { user } = await registered(auth, "ada@example.com");
    const paths: [string, string, number][] = [
      ["GET", "/stats", 200],
      ["GET", "/users", 200],
      ["GET", `/users/${user.id}`, 200],
      ["POST", `/users/${user.id}/disable`, 200],
      ["POST", `/users/${user.id}/enable`, 200],
      ["DELETE", `/users/${user.id}/sessions`, 200],
      ["GET", "/audit", 200],
      ["DELETE", `/users/${user.id}`, 204],
    ];
    for (const [method, path, status] of paths) {
      // No Origin: a script's request. Bearer requests are not CSRF-checked.
      const result = await asAdmin(auth, method, path, { origin: null });
      expect(result.status, `${method} ${path}: ${JSON.stringify(result.json)}`).toBe(status);
    }
  });

  it("answers 401 unauthenticated with WWW-Authenticate to a missing or wrong token", async () => {
    const auth = tokenOnly();
    const wrong = [
      undefined,
      "",
      "nope",
      `${ADMIN_TOKEN}x`,
      ADMIN_TOKEN.slice(0, -1),
      // Same length, one character off: the compare leaks nothing, and refuses it.
      `${ADMIN_TOKEN.slice(0, -1)}${ADMIN_TOKEN.endsWith("f") ? "e" : "f"}`,
      ADMIN_TOKEN.toUpperCase(),
    ];
    for (const [method, path] of ROUTES) {
      for (const bearer of wrong) {
        const result = await call(auth, method, `/auth${path}`, { bearer, origin: null });
        expect(result.status, `${method} ${path} with ${bearer}`).toBe(401);
        expect(result.json?.error.code).toBe("unauthenticated");
        expect(result.headers.get("www-authenticate")).toBe('Bearer realm="admin"');
      }
    }
    // The token in a cookie, or under another scheme, is no token.
    const asCookie = await call(auth, "GET", "/auth/admin/stats", {
      cookie: `portcullis.session=${ADMIN_TOKEN}`,
    });
    expect(asCookie.status).toBe(401);
    const basic = await call(auth, "GET", "/auth/admin/stats", {
      headers: { authorization: `Basic ${ADMIN_TOKEN}` },
    });
    expect(basic.status).toBe(401);
  });

  it("lets no signed-in user in: a session or an access JWT is not the token", async () => {
    const auth = tokenOnly();
    const { cookie, response } = await registered(auth);
    expect((await call(auth, "GET", "/auth/admin/stats", { cookie })).status).toBe(401);
    const bearer = sessionTokenFrom(response);
    expect((await call(auth, "GET", "/auth/admin/stats", { bearer })).status).toBe(401);
    const accessToken = await accessTokenOf(auth, "ada@example.com");
    expect((await call(auth, "GET", "/auth/admin/users", { bearer: accessToken })).status).toBe(
      401,
    );
  });

  it("is never taken for a session: the token signs nobody in elsewhere", async () => {
    const auth = tokenOnly();
    await registered(auth);
    expect((await call(auth, "GET", "/auth/session", { bearer: ADMIN_TOKEN })).status).toBe(401);
    expect(await auth.authenticate({ authorization: `Bearer ${ADMIN_TOKEN}` })).toBeNull();
    expect((await call(auth, "GET", "/auth/sessions", { bearer: ADMIN_TOKEN })).status).toBe(401);
  });
});

describe("with admin.isAdmin", () => {
  const usersOnly = () => makeAuth({ admin: { isAdmin } });

  it("answers 401 to a caller not signed in, 403 forbidden to a signed-in non-admin", async () => {
    const auth = usersOnly();
    const { cookie } = await registered(auth, "ada@example.com");
    for (const [method, path] of ROUTES) {
      const anonymous = await call(auth, method, `/auth${path}`);
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      expect(anonymous.json?.error.code).toBe("unauthenticated");
      // Nothing to send but a session: no Bearer challenge.
      expect(anonymous.headers.get("www-authenticate")).toBeNull();
      const user = await call(auth, method, `/auth${path}`, { cookie });
      expect(user.status, `${method} ${path}`).toBe(403);
      expect(user.json?.error.code).toBe("forbidden");
    }
    // The token option is off: a token is no way in.
    expect((await call(auth, "GET", "/auth/admin/stats", { bearer: ADMIN_TOKEN })).status).toBe(
      401,
    );
  });

  it("lets an administrator in by session cookie, session token or access JWT", async () => {
    const auth = usersOnly();
    const { cookie, response } = await signedInAdmin(auth);
    expect((await call(auth, "GET", "/auth/admin/stats", { cookie })).status).toBe(200);
    const bearer = sessionTokenFrom(response);
    expect((await call(auth, "GET", "/auth/admin/users", { bearer })).status).toBe(200);
    const accessToken = await accessTokenOf(auth, "root@example.com");
    const viaJwt = await call(auth, "POST", "/auth/admin/users/nobody/disable", {
      bearer: accessToken,
      origin: null,
    });
    expect(viaJwt.status).toBe(404);
    expect(viaJwt.json?.error.code).toBe("not_found");
  });

  it("puts an administrator's cookie requests that change state through the CSRF check", async () => {
    const auth = usersOnly();
    const { cookie } = await signedInAdmin(auth);
    const { user } = await registered(auth, "ada@example.com");
    for (const origin of [null, "https://evil.example"]) {
      const refused = await call(auth, "POST", `/auth/admin/users/${user.id}/disable`, {
        cookie,
        origin,
      });
      expect(refused.status).toBe(403);
      expect(refused.json?.error.code).toBe("csrf_rejected");
      const deleted = await call(auth, "DELETE", `/auth/admin/users/${user.id}`, {
        cookie,
        origin,
      });
      expect(deleted.json?.error.code).toBe("csrf_rejected");
    }
    expect((await auth.api.admin.getUser(user.id)).user.disabledAt).toBeNull();
    // From the app's own origin it goes through.
    const disabled = await call(auth, "POST", `/auth/admin/users/${user.id}/disable`, { cookie });
    expect(disabled.status).toBe(200);
    expect(disabled.json?.user.disabledAt).toEqual(expect.any(String));
  });

  it("stops honouring an administrator the moment isAdmin says no", async () => {
    const auth = usersOnly();
    const { cookie, user } = await signedInAdmin(auth);
    expect((await call(auth, "GET", "/auth/admin/stats", { cookie })).status).toBe(200);
    await auth.api.updateUser(user.id, { metadata: {} });
    expect((await call(auth, "GET", "/auth/admin/stats", { cookie })).status).toBe(403);
  });

  it("fails closed when isAdmin throws: 500 internal, logged, nothing done", async () => {
    const errors: unknown[] = [];
    const auth = makeAuth({
      admin: {
        isAdmin: async () => {
          throw new Error("directory down");
        },
      },
      logger: { debug() {}, info() {}, warn() {}, error: (...args) => errors.push(args) },
    });
    const { cookie } = await registered(auth, "root@example.com");
    const { user } = await registered(auth, "ada@example.com");
    const result = await call(auth, "POST", `/auth/admin/users/${user.id}/disable`, { cookie });
    expect(result.status).toBe(500);
    expect(result.json?.error.code).toBe("internal");
    expect(JSON.stringify(result.json)).not.toContain("directory down");
    expect(errors.length).toBeGreaterThan(0);
    expect((await auth.api.admin.getUser(user.id)).user.disabledAt).toBeNull();
  });
});

describe("with both", () => {
  it("takes the token, or an administrator's session; a disabled administrator is nobody", async () => {
    const auth = adminAuth();
    const admin = await signedInAdmin(auth);
    const { cookie } = await registered(auth, "ada@example.com");
    expect((await asAdmin(auth, "GET", "/stats")).status).toBe(200);
    expect((await call(auth, "GET", "/auth/admin/stats", { cookie: admin.cookie })).status).toBe(
      200,
    );
    const refused = await call(auth, "GET", "/auth/admin/stats", { cookie });
    expect(refused.status).toBe(403);
    // A wrong Bearer that is no session either: 401, with the Bearer challenge.
    const wrong = await call(auth, "GET", "/auth/admin/stats", { bearer: "x".repeat(40) });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toBe('Bearer realm="admin"');
    // The token disables the administrator; their session is dead at once.
    expect((await asAdmin(auth, "POST", `/users/${admin.user.id}/disable`)).status).toBe(200);
    const after = await call(auth, "GET", "/auth/admin/stats", { cookie: admin.cookie });
    expect(after.status).toBe(401);
  });
});

describe("the admin option", () => {
  const base = { baseURL: BASE_URL, secret: "s".repeat(32), storage: memoryStorage() };
  function configError(admin: unknown): ConfigError {
    try {
      createAuth({ ...base, admin } as Parameters<typeof createAuth>[0]);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error("createAuth accepted the admin option");
  }

  it("needs a way in: token, isAdmin, or both", () => {
    const error = configError({});
    expect(error.option).toBe("admin");
    expect(error.message).toContain("admin needs token");
    expect(() => createAuth({ ...base, admin: { token: ADMIN_TOKEN } })).not.toThrow();
    expect(() => createAuth({ ...base, admin: { isAdmin } })).not.toThrow();
  });

  it("refuses a short or unprintable token, without echoing it", () => {
    const short = configError({ token: "s3cret-but-only-31-characters!!" });
    expect(short.option).toBe("admin.token");
    expect(short.message).toContain("at least 32 characters");
    expect(short.message).not.toContain("s3cret");
    const spaced = configError({ token: `${"a".repeat(20)} ${"b".repeat(20)}` });
    expect(spaced.message).toContain("printable ASCII without spaces");
    expect(spaced.message).not.toContain("aaaa");
    expect(configError({ token: 42 }).option).toBe("admin.token");
  });

  it("refuses an isAdmin that is not a function, and unknown keys", () => {
    expect(configError({ isAdmin: true }).message).toContain("admin.isAdmin must be a function");
    expect(configError({ token: ADMIN_TOKEN, tokens: ["x"] }).option).toBe("admin.tokens");
  });
});
