import { describe, expect, it } from "vitest";
import {
  BASE_URL,
  call,
  makeAuth,
  PASSWORD,
  registered,
  sessionCookieFrom,
  sessionTokenFrom,
} from "../helpers.js";

describe("POST /auth/register", () => {
  it("creates the account, answers 201 with the user and a session cookie", async () => {
    const auth = makeAuth();
    const { status, json, response } = await call(auth, "POST", "/auth/register", {
      body: { email: "  Ada@Example.COM ", password: PASSWORD, name: "Ada" },
    });
    expect(status).toBe(201);
    expect(json?.user).toMatchObject({
      email: "ada@example.com",
      name: "Ada",
      emailVerified: false,
    });
    expect(json?.user).not.toHaveProperty("passwordHash");
    const cookie = sessionCookieFrom(response);
    const session = await call(auth, "GET", "/auth/session", { cookie });
    expect(session.status).toBe(200);
    expect(session.json?.user.id).toBe(json?.user.id);
  });

  it("answers 409 email_taken for an email that differs only in case", async () => {
    const auth = makeAuth();
    await registered(auth, "ada@example.com");
    const again = await call(auth, "POST", "/auth/register", {
      body: { email: "ADA@example.com", password: PASSWORD },
    });
    expect(again.status).toBe(409);
    expect(again.json?.error.code).toBe("email_taken");
  });

  it("rejects weak, common and oversized passwords with invalid_request naming the field", async () => {
    const auth = makeAuth();
    for (const password of ["short", "password123", "x".repeat(1025)]) {
      const { status, json } = await call(auth, "POST", "/auth/register", {
        body: { email: "a@example.com", password },
      });
      expect(status).toBe(400);
      expect(json?.error.code).toBe("invalid_request");
      expect(json?.error.issues[0].path).toEqual(["password"]);
    }
  });

  it("lists every zod issue for a malformed body", async () => {
    const { status, json } = await call(makeAuth(), "POST", "/auth/register", {
      body: { email: "nope", password: 7 },
    });
    expect(status).toBe(400);
    const paths = json?.error.issues.map((issue: { path: string[] }) => issue.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["email", "password"]));
  });
});

describe("POST /auth/login", () => {
  it("signs in with the right password and answers the same error for a wrong password and an unknown email", async () => {
    const auth = makeAuth();
    await registered(auth);
    const ok = await call(auth, "POST", "/auth/login", {
      body: { email: "ADA@example.com", password: PASSWORD },
    });
    expect(ok.status).toBe(200);
    expect(ok.json?.user.email).toBe("ada@example.com");
    const wrong = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: "wrong password!" },
    });
    const unknown = await call(auth, "POST", "/auth/login", {
      body: { email: "bob@example.com", password: "wrong password!" },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json).toEqual(unknown.json);
    expect(wrong.json?.error.code).toBe("invalid_credentials");
  });

  it("creates a new session at every login and never authenticates a planted cookie", async () => {
    const auth = makeAuth();
    const first = await registered(auth);
    const planted = first.cookie;
    const login = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
      cookie: planted,
    });
    const fresh = sessionCookieFrom(login.response);
    expect(fresh).not.toBe(planted);
    expect((await call(auth, "GET", "/auth/session", { cookie: planted })).status).toBe(401);
    expect((await call(auth, "GET", "/auth/session", { cookie: fresh })).status).toBe(200);
  });

  it("normalises passwords (NFKC) the same way at registration and login", async () => {
    const auth = makeAuth();
    await registered(auth, "ada@example.com", "ﬁnal-ﬁre-password");
    const login = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: "final-fire-password" },
    });
    expect(login.status).toBe(200);
  });
});

describe("sessions", () => {
  it("logout revokes the session and clears the cookie", async () => {
    const auth = makeAuth();
    const { cookie } = await registered(auth);
    const out = await call(auth, "POST", "/auth/logout", { cookie });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(401);
    expect(await auth.authenticate({ cookie })).toBeNull();
  });

  it("GET /auth/session without credentials is 401 unauthenticated", async () => {
    const { status, json } = await call(makeAuth(), "GET", "/auth/session");
    expect(status).toBe(401);
    expect(json?.error.code).toBe("unauthenticated");
  });

  it("lists the user's sessions with the current one marked, and revokes others", async () => {
    const auth = makeAuth();
    const { cookie } = await registered(auth);
    const other = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    const otherCookie = sessionCookieFrom(other.response);
    const list = await call(auth, "GET", "/auth/sessions", { cookie });
    expect(list.json?.sessions).toHaveLength(2);
    expect(list.json?.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(list.json?.sessions[0]).not.toHaveProperty("secretHash");
    expect((await call(auth, "POST", "/auth/sessions/revoke-others", { cookie })).status).toBe(204);
    expect((await call(auth, "GET", "/auth/session", { cookie: otherCookie })).status).toBe(401);
    expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(200);
  });

  it("deletes one of the user's own sessions but answers 404 for another user's", async () => {
    const auth = makeAuth();
    const ada = await registered(auth, "ada@example.com");
    const bob = await registered(auth, "bob@example.com");
    const bobSessions = await call(auth, "GET", "/auth/sessions", { cookie: bob.cookie });
    const bobSessionId = bobSessions.json?.sessions[0].id;
    const attack = await call(auth, "DELETE", `/auth/sessions/${bobSessionId}`, {
      cookie: ada.cookie,
    });
    expect(attack.status).toBe(404);
    expect((await call(auth, "GET", "/auth/session", { cookie: bob.cookie })).status).toBe(200);
    const own = await call(auth, "DELETE", `/auth/sessions/${bobSessionId}`, {
      cookie: bob.cookie,
    });
    expect(own.status).toBe(204);
    expect(own.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    expect((await call(auth, "GET", "/auth/session", { cookie: bob.cookie })).status).toBe(401);
  });

  it("accepts the session token as a Bearer credential, without CSRF checks", async () => {
    const auth = makeAuth();
    const { response } = await registered(auth);
    const token = sessionTokenFrom(response);
    const session = await call(auth, "GET", "/auth/session", { bearer: token });
    expect(session.status).toBe(200);
    const revoke = await call(auth, "POST", "/auth/sessions/revoke-others", {
      bearer: token,
      origin: "https://evil.example",
    });
    expect(revoke.status).toBe(204);
  });
});

describe("POST /auth/password/change", () => {
  it("changes the password, keeps this session and revokes the others", async () => {
    const auth = makeAuth();
    const { cookie } = await registered(auth);
    const other = sessionCookieFrom(
      (
        await call(auth, "POST", "/auth/login", {
          body: { email: "ada@example.com", password: PASSWORD },
        })
      ).response,
    );
    const change = await call(auth, "POST", "/auth/password/change", {
      cookie,
      body: { currentPassword: PASSWORD, newPassword: "an entirely new passphrase" },
    });
    expect(change.status).toBe(204);
    expect((await call(auth, "GET", "/auth/session", { cookie })).status).toBe(200);
    expect((await call(auth, "GET", "/auth/session", { cookie: other })).status).toBe(401);
    const oldLogin = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    expect(oldLogin.status).toBe(401);
    const newLogin = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: "an entirely new passphrase" },
    });
    expect(newLogin.status).toBe(200);
  });

  it("refuses a wrong current password and a weak new one", async () => {
    const auth = makeAuth();
    const { cookie } = await registered(auth);
    const wrong = await call(auth, "POST", "/auth/password/change", {
      cookie,
      body: { currentPassword: "not my password", newPassword: "an entirely new passphrase" },
    });
    expect(wrong.json?.error.code).toBe("invalid_credentials");
    const weak = await call(auth, "POST", "/auth/password/change", {
      cookie,
      body: { currentPassword: PASSWORD, newPassword: "123" },
    });
    expect(weak.status).toBe(400);
    expect(weak.json?.error.issues[0].path).toEqual(["newPassword"]);
  });

  it("requires a signed-in caller", async () => {
    const { status } = await call(makeAuth(), "POST", "/auth/password/change", {
      body: { currentPassword: PASSWORD, newPassword: "an entirely new passphrase" },
    });
    expect(status).toBe(401);
  });
});

describe("health and readiness", () => {
  it("answers ok, and 503 unavailable when storage cannot be reached", async () => {
    const auth = makeAuth();
    expect((await call(auth, "GET", "/auth/health")).json).toEqual({ status: "ok" });
    expect((await call(auth, "GET", "/auth/ready")).json).toEqual({ status: "ok" });
    const broken = makeAuth();
    broken.storage.users.ping = async () => {
      throw new Error("connection refused");
    };
    const ready = await call(broken, "GET", "/auth/ready");
    expect(ready.status).toBe(503);
    // DESIGN §6: readiness names the problem, but never a driver's message.
    expect(ready.json).toEqual({ status: "unavailable", reason: "storage is not reachable" });
    expect(JSON.stringify(ready.json)).not.toContain("connection refused");
  });
});

it("serves under a custom basePath and nothing outside it", async () => {
  const auth = makeAuth({ basePath: "/api/auth" });
  expect((await call(auth, "GET", "/api/auth/health")).status).toBe(200);
  expect((await call(auth, "GET", "/auth/health")).status).toBe(404);
  expect(BASE_URL).toContain("localhost");
});
