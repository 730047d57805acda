import { AuthError } from "../errors.js";

let loading: Promise<ReadonlySet<string>> | undefined;

/**
 * The ~49,000 most common passwords from @zxcvbn-ts/language-common, lowercased. Imported on first
 * use, not at startup: the list is ~1 MB of JavaScript that a deployment with `rejectCommon: false`
 * (or one that never registers users) should not pay for.
 */
export function loadCommonPasswords(): Promise<ReadonlySet<string>> {
  loading ??= import("@zxcvbn-ts/language-common").then(
    ({ dictionary }) => new Set(dictionary["passwords-common"].map((entry) => entry.toLowerCase())),
    (error: unknown) => {
      // Forget the failure so the next call retries instead of failing forever.
      loading = undefined;
      throw new AuthError(
        "unavailable",
        "Could not load the common-password list (@zxcvbn-ts/language-common)",
        {},
        { cause: error },
      );
    },
  );
  return loading;
}

/** Case-insensitive: "PassWord" is as guessable as "password". */
export async function isCommonPassword(password: string): Promise<boolean> {
  const common = await loadCommonPasswords();
  return common.has(password.toLowerCase());
}
