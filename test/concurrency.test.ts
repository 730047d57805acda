import { expect, it } from "vitest";
import { AuthError, memoryStorage } from "../src/index.js";
import { call, makeAuth, PASSWORD } from "./helpers.js";

it("ten simultaneous registrations of one email create exactly one account", async () => {
  const storage = memoryStorage();
  const auth = makeAuth({ storage });
  const attempts = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      call(auth, "POST", "/auth/register", {
        body: { email: i % 2 ? "ADA@example.com" : "ada@example.com", password: PASSWORD },
      }),
    ),
  );
  const statuses = attempts.map((attempt) => attempt.status).sort();
  expect(statuses).toEqual([201, ...Array(9).fill(409)]);
  const user = await storage.users.findByEmail("ada@example.com");
  expect(user).not.toBeNull();
  expect(await storage.sessions.listByUser(user?.id as string)).toHaveLength(1);
});

it("concurrent logins each get their own session and none is lost", async () => {
  const auth = makeAuth();
  await call(auth, "POST", "/auth/register", {
    body: { email: "ada@example.com", password: PASSWORD },
  });
  const logins = await Promise.all(
    Array.from({ length: 8 }, () =>
      call(auth, "POST", "/auth/login", { body: { email: "ada@example.com", password: PASSWORD } }),
    ),
  );
  expect(logins.every((login) => login.status === 200)).toBe(true);
  const cookies = logins.map(
    (login) => (login.headers.get("set-cookie") as string).split(";")[0] as string,
  );
  expect(new Set(cookies).size).toBe(8);
  for (const cookie of cookies) expect(await auth.authenticate({ cookie })).not.toBeNull();
});

it("a sign-up whose session cannot be stored leaves no account behind", async () => {
  const storage = memoryStorage();
  const auth = makeAuth({ storage });
  const create = storage.sessions.create.bind(storage.sessions);
  storage.sessions.create = async () => {
    throw new AuthError("unavailable", "session store down");
  };
  const failed = await call(auth, "POST", "/auth/register", {
    body: { email: "ada@example.com", password: PASSWORD },
  });
  expect(failed.status).toBe(503);
  expect(await storage.users.findByEmail("ada@example.com")).toBeNull();
  storage.sessions.create = create;
  const retried = await call(auth, "POST", "/auth/register", {
    body: { email: "ada@example.com", password: PASSWORD },
  });
  expect(retried.status).toBe(201);
});
