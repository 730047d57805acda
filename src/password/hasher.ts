/**
 * A password hashing scheme. Hashes are PHC strings (`$id$param=value,...$salt$hash`), so a stored
 * hash names the scheme and parameters that made it and keeps verifying after the default changes.
 */
export interface PasswordHasher {
  /** The PHC identifier this hasher writes, e.g. `pbkdf2-sha256` or `argon2id`. */
  readonly id: string;
  hash(password: string): Promise<string>;
  /**
   * False for a wrong password and for a hash this hasher cannot read; never throws for either.
   * `options` carries the deployment's limits on what a stored hash may cost; a hasher that has
   * no such limits ignores it.
   */
  verify(hash: string, password: string, options?: VerifyOptions): Promise<boolean>;
  /** True when `hash` was made by another scheme or with parameters other than this hasher's. */
  needsRehash(hash: string): boolean;
}

/** Limits on what verifying one stored hash may cost; a hash asking for more verifies as false. */
export interface VerifyOptions {
  /**
   * The most memory, in KiB, a stored Argon2 hash may ask for (its `m`): the
   * `password.maxArgon2MemoryKiB` option. Default 262,144 (256 MiB).
   */
  maxArgon2MemoryKiB?: number;
}
