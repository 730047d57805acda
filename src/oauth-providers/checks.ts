import { ConfigError } from "../config-error.js";

/*
 * Setup checks shared by the provider factories: a factory called with a bad argument fails at
 * once, naming itself and the argument, before `createAuth` ever sees the provider (which
 * checks every provider again, hand-written ones included).
 */

/** The value when it is a non-empty string; otherwise a `ConfigError` naming `factory(argument)`. */
export function requiredString(
  factory: string,
  argument: string,
  value: unknown,
  hint = "",
): string {
  if (typeof value === "string" && value.trim() !== "") return value;
  throw new ConfigError({
    option: "oauth.providers",
    message: `${factory}(): ${argument} is required${hint ? `: ${hint}` : ""}`,
  });
}

/**
 * Why a provider URL is refused, or null: it must be an absolute https URL, or plain http when
 * the provider allows it for development (`createAuth` refuses that in production).
 */
export function providerURLProblem(value: unknown, allowInsecure: boolean): string | null {
  if (typeof value !== "string") return "must be a URL string";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be an absolute URL (got ${JSON.stringify(value)})`;
  }
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:" && allowInsecure) return null;
  return url.protocol === "http:"
    ? `must be https (got ${value}); plain http only with allowInsecureIssuerForDevelopment: true, for a local test identity provider`
    : `must be an https URL (got ${value})`;
}

/** The URL without a trailing slash, after `providerURLProblem` passed; else a `ConfigError`. */
export function providerURL(
  factory: string,
  argument: string,
  value: unknown,
  allowInsecure: boolean,
): string {
  const problem = providerURLProblem(value, allowInsecure);
  if (problem !== null) {
    throw new ConfigError({
      option: "oauth.providers",
      message: `${factory}(): ${argument} ${problem}`,
    });
  }
  return (value as string).replace(/\/+$/, "");
}

/** The scopes asked for, with `required` added where missing (in front, in the given order). */
export function withScopes(
  scopes: readonly string[] | undefined,
  defaults: readonly string[],
  required: readonly string[] = [],
): string[] {
  const chosen = scopes ?? defaults;
  return [...required.filter((scope) => !chosen.includes(scope)), ...chosen];
}
