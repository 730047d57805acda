import { describe, expect, it } from "vitest";
import { memoryStorage, type Storage } from "../../src/index.js";
import { registered } from "../helpers.js";
import {
  call,
  loginOptions,
  passkeyAuth,
  passkeyLogin,
  softAuthenticator,
  type TestAuth,
  userWithPasskey,
} from "./helpers.js";

/** memoryStorage that records every port method called on it, in order. */
function recordingStorage() {
  const calls: string[] = [];
  const inner = memoryStorage() as unknown as Record<string, Record<string, unknown>>;
  const storage = Object.fromEntries(
    Object.entries(inner).map(([port, methods]) => [
      port,
      new Proxy(methods, {
        get(target, name, receiver) {
          const value = Reflect.get(target, name, receiver);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            calls.push(`${port}.${String(name)}`);
            return value.apply(target, args);
          };
        },
      }),
    ]),
  ) as unknown as Storage;
  return { storage, calls };
}

async function addPasskey(auth: TestAuth, cookie: string) {
  const authenticator = softAuthenticator();
  const options = await call(auth, "POST", "/auth/passkey/register/options", { cookie });
  const verify = await call(auth, "POST", "/auth/passkey/register/verify", {
    cookie,
    body: { response: authenticator.create(options.json as never), name: "Second" },
  });
  expect(verify.status).toBe(201);
  return authenticator;
}

/** An options answer with its one random part (the challenge) reduced to its length. */
function shape(options: { challenge: string }) {
  const { challenge, ...rest } = options;
  return { ...rest, challengeLength: challenge.length };
}

describe("email-hinted passkey login options", () => {
  it("look the same for an address with passkeys, one without, and one with no account", async () => {
    const { storage, calls } = recordingStorage();
    const auth = passkeyAuth({ storage });
    const ada = await userWithPasskey(auth);
    await addPasskey(auth, ada.cookie);
    await registered(auth, "bob@example.com");
    const answers = [];
    for (const email of ["ada@example.com", "bob@example.com", "nobody@example.com"]) {
      calls.length = 0;
      const response = await call(auth, "POST", "/auth/passkey/login/options", {
        body: { email },
      });
      answers.push({
        status: response.status,
        headers: [...response.headers.entries()],
        shape: shape(response.json as never),
        storageWork: [...calls],
      });
    }
    expect(answers[0]?.status).toBe(200);
    expect(answers[0]?.shape).not.toHaveProperty("allowCredentials.0");
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    // No account is read for the answer, so its timing cannot depend on one either.
    expect(answers[0]?.storageWork).not.toContain("users.findByEmail");
    expect(answers[0]?.storageWork).not.toContain("passkeys.listByUser");
    // And they are what a request without an email gets.
    expect(shape(await loginOptions(auth))).toEqual(answers[0]?.shape);
  });

  it("still sign in the hinted account, with any of its passkeys", async () => {
    const auth = passkeyAuth();
    const ada = await userWithPasskey(auth);
    const second = await addPasskey(auth, ada.cookie);
    for (const authenticator of [ada.authenticator, second]) {
      const options = await loginOptions(auth, { email: "ada@example.com" });
      const result = await passkeyLogin(auth, authenticator.get(options));
      expect(result.status).toBe(200);
      expect(result.json?.user.id).toBe(ada.user.id);
    }
  });

  it("refuse a passkey of another account, whether the hinted address has passkeys or no account", async () => {
    const auth = passkeyAuth();
    const ada = await userWithPasskey(auth);
    await userWithPasskey(auth, softAuthenticator(), "bob@example.com");
    await registered(auth, "carol@example.com");
    for (const email of ["bob@example.com", "carol@example.com", "nobody@example.com"]) {
      const options = await loginOptions(auth, { email });
      const result = await passkeyLogin(auth, ada.authenticator.get(options));
      expect(result.status, email).toBe(401);
      expect(result.json?.error.code).toBe("invalid_credentials");
    }
    // The same passkey answering an unhinted challenge is fine.
    expect((await passkeyLogin(auth, ada.authenticator.get(await loginOptions(auth)))).status).toBe(
      200,
    );
  });
});
