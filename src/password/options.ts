import { ConfigError } from "../config-error.js";
export interface IntegerOption {
  /** Used when the caller leaves the option out. */
  fallback: number;
  /** Hard bounds, enforced even with `dangerouslyWeak`; `max` is what verification accepts. */
  min: number;
  max: number;
  /** Values below this are weak: refused unless the caller opted in with `dangerouslyWeak`. */
  weakBelow: number;
  weakOk: boolean;
}

/**
 * Resolves one numeric hasher option, throwing at setup an error that names the factory and the
 * option, so a weak or nonsensical configuration fails when the app starts, not at first login.
 */
export function checkedInteger(
  factory: string,
  name: string,
  value: number | undefined,
  option: IntegerOption,
): number {
  if (value === undefined) return option.fallback;
  if (!Number.isSafeInteger(value) || value < option.min || value > option.max) {
    throw new ConfigError(
      `${factory}(): "${name}" must be an integer from ${option.min} to ${option.max}, got ${value}`,
    );
  }
  if (value < option.weakBelow && !option.weakOk) {
    throw new ConfigError(
      `${factory}(): "${name}" ${value} is below the secure minimum of ${option.weakBelow}; ` +
        "pass dangerouslyWeak: true only to speed up tests",
    );
  }
  return value;
}
