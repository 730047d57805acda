/** A user as the library hands it out: no credential material. */
export interface User {
  id: string;
  /** Lower-cased and trimmed; unique case-insensitively. */
  email: string;
  emailVerified: boolean;
  name: string | null;
  /**
   * The application's own data about the user: a JSON object (`{}` when none), written only by
   * server code (`auth.api.updateUser`), never over HTTP; at most 16 KB as JSON. Sent with the
   * user to the signed-in user (`GET /auth/session`...), so keep secrets elsewhere.
   */
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  /**
   * When an administrator disabled the account (`auth.api.admin.disableUser`), or null. A
   * disabled account signs in by no method and has no session, so a signed-in user always sees
   * null here; admin screens (`auth.api.admin.findUsers`, `getUser`) show it.
   */
  disabledAt: Date | null;
}

/** A session as the library hands it out: everything but the secret's hash. */
export interface Session {
  id: string;
  userId: string;
  createdAt: Date;
  /** Sliding expiry: moves forward with use, never past `absoluteExpiresAt`. */
  expiresAt: Date;
  /** Hard end of the session, however active it is. */
  absoluteExpiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

/** What a successful `authenticate` returns. */
export interface AuthResult {
  user: User;
  session: Session;
}

/** What the library knows about the request that a flow was called from. */
export interface RequestInfo {
  ip?: string | null;
  userAgent?: string | null;
}
