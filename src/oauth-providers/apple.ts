import { importPKCS8, SignJWT } from "jose";
import { ConfigError } from "../config-error.js";
import { requiredString, withScopes } from "./checks.js";
import { oidcProfile } from "./claims.js";
import type { OAuthProvider } from "./provider.js";

export interface AppleOptions {
  /** The Services ID registered for web sign-in, e.g. `com.example.web`. */
  clientId: string;
  /** The 10-character Team ID of the Apple developer account. */
  teamId: string;
  /** The 10-character Key ID of the "Sign in with Apple" key. */
  keyId: string;
  /** That key's `.p8` file: a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). Keep it secret. */
  privateKey: string;
  /** The scopes to ask for instead of `name email`. */
  scopes?: string[];
  /** Extra parameters of the authorization request. */
  authorizationParams?: Record<string, string>;
}

const APPLE = "https://appleid.apple.com";
/** How long each client secret lives: it is made afresh for every token request. */
const SECRET_SECONDS = 300;
const APPLE_ID = /^[A-Z0-9]{10}$/;

/**
 * Apple's client secret: a JWT signed ES256 with the app's key (`kid` the Key ID), issued by the
 * team, about the Services ID, for Apple. Apple accepts up to six months; five minutes is
 * enough, since a fresh one is made for every token request, and leaks nothing lasting.
 */
export function appleClientSecret(
  options: Pick<AppleOptions, "clientId" | "teamId" | "keyId" | "privateKey">,
): (now?: number) => Promise<string> {
  let key: ReturnType<typeof importPKCS8> | undefined;
  return async (now = Date.now()) => {
    key ??= importPKCS8(options.privateKey, "ES256");
    const issuedAt = Math.floor(now / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: options.keyId })
      .setIssuer(options.teamId)
      .setSubject(options.clientId)
      .setAudience(APPLE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + SECRET_SECONDS)
      .sign(await key);
  };
}

function appleId(argument: string, value: unknown): string {
  const text = requiredString("apple", argument, value);
  if (APPLE_ID.test(text)) return text;
  throw new ConfigError({
    option: "oauth.providers",
    message: `apple(): ${argument} must be the 10-character id from the Apple developer account (got ${JSON.stringify(text)})`,
  });
}

/**
 * Sign in with Apple (OpenID Connect). Apple answers with a POST (`form_post`), which the library
 * receives at `<baseURL><basePath>/oauth/apple/callback`: register that as the Return URL of the
 * Services ID. Apple gives the name only once and not in the ID token, so accounts made with
 * Apple have none; relay addresses (`...@privaterelay.appleid.com`) are verified addresses.
 */
export function apple(options: AppleOptions): OAuthProvider {
  const privateKey = requiredString("apple", "privateKey", options.privateKey);
  if (!privateKey.includes("-----BEGIN PRIVATE KEY-----")) {
    throw new ConfigError({
      option: "oauth.providers",
      message:
        "apple(): privateKey must be the .p8 key file's contents (-----BEGIN PRIVATE KEY-----...)",
    });
  }
  const clientId = requiredString("apple", "clientId", options.clientId);
  const secret = appleClientSecret({
    clientId,
    teamId: appleId("teamId", options.teamId),
    keyId: appleId("keyId", options.keyId),
    privateKey,
  });
  return {
    id: "apple",
    name: "Apple",
    server: { kind: "oidc", issuer: APPLE },
    clientId,
    clientSecret: () => secret(),
    clientAuthentication: "client_secret_post",
    scopes: withScopes(options.scopes, ["name", "email"]),
    responseMode: "form_post",
    ...(options.authorizationParams
      ? { authorizationParams: { ...options.authorizationParams } }
      : {}),
    profile: oidcProfile,
  };
}
