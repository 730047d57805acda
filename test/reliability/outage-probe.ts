import { expect } from "vitest";
import { isAuthError } from "../../src/index.js";
import { call, type makeAuth, PASSWORD } from "../helpers.js";

type Auth = ReturnType<typeof makeAuth>;

/** A logger that keeps every record: level, fields and message, pino's way. */
export function recorder() {
  const records: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const keep =
    (level: string) =>
    (...args: unknown[]) => {
      const [first, second] = args;
      const fields = typeof first === "object" && first !== null ? first : {};
      const message = typeof first === "string" ? first : String(second ?? "");
      records.push({ level, fields: fields as Record<string, unknown>, message });
    };
  return {
    records,
    logger: { debug: keep("debug"), info: keep("info"), warn: keep("warn"), error: keep("error") },
    /** The codes of the driver errors behind the outages logged so far (SQLSTATE, errno). */
    causes(): unknown[] {
      return records.flatMap((record) => {
        let error = record.fields.err as { code?: unknown; cause?: unknown } | undefined;
        const codes: unknown[] = [];
        for (let depth = 0; error && depth < 5; depth++) {
          if (error.code !== undefined) codes.push(error.code);
          error = error.cause as typeof error;
        }
        return codes;
      });
    },
  };
}

/**
 * What a caller meets while storage is down, on every kind of request the issue names:
 * register, login, the token grant, a magic link, the session, readiness; and `authenticate`,
 * which is null by default and throws `unavailable` when asked to. Each must be an honest 503
 * with `Retry-After`, never `internal`, and nothing may be logged as an internal error.
 */
export async function expectUnavailableEverywhere(
  auth: Auth,
  log: ReturnType<typeof recorder>,
  options: { cookie?: string; email?: string; readiness?: boolean } = {},
) {
  const email = options.email ?? "ada@example.com";
  const ip = `198.51.100.${Math.floor(Math.random() * 200) + 1}`;
  const answers = {
    register: await call(auth, "POST", "/auth/register", {
      body: { email: `new-${Date.now()}@example.com`, password: PASSWORD },
      clientIP: ip,
    }),
    login: await call(auth, "POST", "/auth/login", {
      body: { email, password: PASSWORD },
      clientIP: ip,
    }),
    token: await call(auth, "POST", "/auth/token", {
      raw: new URLSearchParams({
        grant_type: "password",
        username: email,
        password: PASSWORD,
      }).toString(),
      contentType: "application/x-www-form-urlencoded",
      clientIP: ip,
    }),
    magicLink: await call(auth, "POST", "/auth/magic-link", { body: { email }, clientIP: ip }),
    ...(options.cookie
      ? { session: await call(auth, "GET", "/auth/session", { cookie: options.cookie }) }
      : {}),
  };
  for (const [name, answer] of Object.entries(answers)) {
    expect(
      { name, status: answer.status, retryAfter: answer.headers.get("retry-after") },
      JSON.stringify(answer.json),
    ).toEqual({ name, status: 503, retryAfter: "5" });
    // The token endpoint answers in RFC 6749 form (DESIGN §4): temporarily_unavailable.
    if (name === "token") expect(answer.json?.error, name).toBe("temporarily_unavailable");
    else expect(answer.json?.error?.code, name).toBe("unavailable");
  }
  if (options.readiness !== false) {
    const ready = await call(auth, "GET", "/auth/ready");
    expect(ready.status).toBe(503);
    expect(ready.headers.get("retry-after")).toBe("5");
  }
  if (options.cookie) {
    const headers = { cookie: options.cookie };
    expect(await auth.authenticate(headers)).toBeNull();
    const thrown = await auth
      .authenticate(headers, { onUnavailable: "throw" })
      .catch((error: unknown) => error);
    expect(isAuthError(thrown) && thrown.code).toBe("unavailable");
  }
  expect(log.records.filter((record) => record.message === "internal error")).toEqual([]);
}
