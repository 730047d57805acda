import { type AuthConfig, type ResolvedConfig, resolveConfig } from "./config.js";
import type { AuthContext } from "./context.js";
import {
  changePassword,
  dummyHash,
  login,
  register,
  type SignedIn,
} from "./flows/password-accounts.js";
import { readCredential } from "./http/credentials.js";
import { type AuthHandler, createHandler } from "./http/handler.js";
import type { HeadersInput } from "./http/headers.js";
import { routes } from "./http/routes/index.js";
import { passwordHashing } from "./password/hashing.js";
import { pbkdf2 } from "./password/pbkdf2.js";
import { authenticateCredential } from "./sessions/authenticate.js";
import {
  endSessionByToken,
  listSessions,
  revokeSession,
  revokeUserSessions,
  validateSessionToken,
} from "./sessions/sessions.js";
import type { AuthResult, RequestInfo, Session } from "./types.js";

export { type AuthConfig, ConfigError, type ResolvedConfig } from "./config.js";
export { AUTH_ERROR_STATUS, AuthError, type AuthErrorCode, isAuthError } from "./errors.js";
export type { SignedIn } from "./flows/password-accounts.js";
export type { AuthHandler, HandlerOptions } from "./http/handler.js";
export type { HeadersInput } from "./http/headers.js";
export { type Argon2idOptions, argon2id } from "./password/argon2id.js";
export type { PasswordHasher } from "./password/hasher.js";
export { passwordHashing } from "./password/hashing.js";
export { type Pbkdf2Options, pbkdf2 } from "./password/pbkdf2.js";
export { checkPassword, type PasswordPolicyOptions } from "./password/policy.js";
export { memoryStorage } from "./storage/memory/index.js";
export type * from "./storage/ports.js";
export type { AuthResult, RequestInfo, Session, User } from "./types.js";

/** Every flow, callable without HTTP (from a server action, a job, a test). */
export interface AuthApi {
  register(
    input: { email: string; password: string; name?: string | null },
    info?: RequestInfo,
  ): Promise<SignedIn>;
  login(input: { email: string; password: string }, info?: RequestInfo): Promise<SignedIn>;
  /** The session behind a session token, or null. */
  getSession(token: string): Promise<AuthResult | null>;
  /** Revokes the session behind a token; unknown tokens are ignored. */
  logout(token: string): Promise<void>;
  listSessions(userId: string): Promise<Session[]>;
  /** False when the user has no such session. */
  revokeSession(userId: string, sessionId: string): Promise<boolean>;
  /** Revokes every session of the user but `exceptSessionId`; returns the revoked ids. */
  revokeUserSessions(userId: string, exceptSessionId?: string): Promise<string[]>;
  changePassword(
    auth: { userId: string; sessionId: string },
    input: { currentPassword: string; newPassword: string },
    info?: RequestInfo,
  ): Promise<void>;
}

export interface Auth {
  /** Serves every route below `basePath`. Adapters pass the socket address as `clientIP`. */
  handler: AuthHandler;
  /**
   * Who is calling: from the session cookie or an `Authorization: Bearer` token. Fails closed:
   * any doubt, a storage failure included, is `null`, never a throw.
   */
  authenticate(headers: HeadersInput): Promise<AuthResult | null>;
  api: AuthApi;
  /** The options with every default resolved. */
  config: ResolvedConfig;
}

/** Validates the options once, then builds the handler, the guard and the API over them. */
export function createAuth(options: AuthConfig): Auth {
  const config = resolveConfig(options);
  const ctx: AuthContext = {
    config,
    storage: config.storage,
    hasher: passwordHashing(config.passwordHasher ?? pbkdf2()),
    now: () => new Date(config.clock.now()),
  };
  // Computed ahead, so the first login of an unknown email takes no longer than the rest.
  dummyHash(ctx).catch(() => {});

  const api: AuthApi = {
    register: (input, info) => register(ctx, input, info),
    login: (input, info) => login(ctx, input, info),
    getSession: (token) => validateSessionToken(ctx, token),
    logout: (token) => endSessionByToken(ctx, token),
    listSessions: (userId) => listSessions(ctx, userId),
    revokeSession: (userId, sessionId) => revokeSession(ctx, userId, sessionId),
    revokeUserSessions: (userId, exceptSessionId) =>
      revokeUserSessions(ctx, userId, exceptSessionId),
    changePassword: (auth, input, info) => changePassword(ctx, auth, input, info),
  };

  return {
    handler: createHandler(ctx, routes),
    async authenticate(headers) {
      try {
        return await authenticateCredential(ctx, readCredential(config, headers));
      } catch {
        return null;
      }
    },
    api,
    config,
  };
}
