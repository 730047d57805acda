import { type AuthConfig, memoryStorage } from "../../src/index.js";
import { BASE_URL, call, makeAuth, registered, sessionCookieFrom } from "../helpers.js";
import { SoftAuthenticator } from "./soft-authenticator.js";

export type TestAuth = ReturnType<typeof makeAuth>;

export function passkeyAuth(overrides: Partial<AuthConfig> = {}) {
  return makeAuth({ storage: memoryStorage(), ...overrides });
}

export function softAuthenticator(overrides: { userVerified?: boolean } = {}) {
  return new SoftAuthenticator({ origin: BASE_URL, ...overrides });
}

/** A registered user who has added one passkey on `authenticator`. */
export async function userWithPasskey(
  auth: TestAuth,
  authenticator = softAuthenticator(),
  email = "ada@example.com",
) {
  const account = await registered(auth, email);
  const options = await call(auth, "POST", "/auth/passkey/register/options", {
    cookie: account.cookie,
  });
  if (options.status !== 200) throw new Error(`options failed: ${JSON.stringify(options.json)}`);
  const verify = await call(auth, "POST", "/auth/passkey/register/verify", {
    cookie: account.cookie,
    body: { response: authenticator.create(options.json as never), name: "Laptop" },
  });
  if (verify.status !== 201) throw new Error(`verify failed: ${JSON.stringify(verify.json)}`);
  return { ...account, authenticator, passkey: verify.json?.passkey };
}

export async function loginOptions(auth: TestAuth, body?: unknown) {
  const result = await call(auth, "POST", "/auth/passkey/login/options", { body });
  if (result.status !== 200) throw new Error(`options failed: ${JSON.stringify(result.json)}`);
  return result.json as never;
}

export async function passkeyLogin(auth: TestAuth, response: unknown, cookie?: string) {
  return call(auth, "POST", "/auth/passkey/login/verify", { body: response, cookie });
}

export { call, sessionCookieFrom };
