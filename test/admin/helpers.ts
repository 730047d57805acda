import type { AuthConfig, User } from "../../src/index.js";
import { call, makeAuth, registered } from "../helpers.js";

/** A token that passes `admin.token`'s rules (32+ printable characters). */
export const ADMIN_TOKEN = "admin-token-for-tests-0123456789-abcdef";

/** Users whose metadata says `role: "admin"` are administrators. */
export const isAdmin = (user: User) => user.metadata.role === "admin";

export type TestAuth = ReturnType<typeof makeAuth>;

/** An instance with the admin API over HTTP, for the token and for `isAdmin` users. */
export function adminAuth(overrides: Partial<AuthConfig> = {}) {
  return makeAuth({ admin: { token: ADMIN_TOKEN, isAdmin }, ...overrides });
}

/** A signed-in administrator (by `isAdmin`): their session cookie and user. */
export async function signedInAdmin(auth: TestAuth, email = "root@example.com") {
  const account = await registered(auth, email);
  await auth.api.updateUser(account.user.id, { metadata: { role: "admin" } });
  return account;
}

/** Calls an admin route with the admin token. */
export function asAdmin(
  auth: TestAuth,
  method: string,
  path: string,
  options: Parameters<typeof call>[3] = {},
) {
  return call(auth, method, `/auth/admin${path}`, { bearer: ADMIN_TOKEN, ...options });
}
