/**
 * A password hashing scheme. Hashes are PHC strings (`$id$param=value,...$salt$hash`), so a stored
 * hash names the scheme and parameters that made it and keeps verifying after the default changes.
 */
export interface PasswordHasher {
  /** The PHC identifier this hasher writes, e.g. `pbkdf2-sha256` or `argon2id`. */
  readonly id: string;
  hash(password: string): Promise<string>;
  /** False for a wrong password and for a hash this hasher cannot read; never throws for either. */
  verify(hash: string, password: string): Promise<boolean>;
  /** True when `hash` was made by another scheme or with parameters other than this hasher's. */
  needsRehash(hash: string): boolean;
}
