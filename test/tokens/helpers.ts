import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, type JWK } from "jose";
import type { AuthConfig } from "../../src/index.js";
import { call, makeAuth, manualClock, PASSWORD, registered } from "../helpers.js";

export type Auth = ReturnType<typeof makeAuth>;

/** A fresh key pair of `alg`, as private JWK, public JWK and PEMs. */
export async function keyPair(alg: "EdDSA" | "ES256" | "RS256") {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    privateKey,
    publicKey,
    privateJwk: (await exportJWK(privateKey)) as JWK & Record<string, unknown>,
    publicJwk: (await exportJWK(publicKey)) as JWK & Record<string, unknown>,
    privatePem: await exportPKCS8(privateKey),
    publicPem: await exportSPKI(publicKey),
  };
}

/** An auth on a manual clock with one registered user, ada@example.com. */
export async function tokenAuth(overrides: Partial<AuthConfig> = {}) {
  const clock = manualClock(Date.now());
  const auth = makeAuth({ clock, ...overrides });
  const { user } = await registered(auth);
  return { auth, clock, user: user as { id: string; email: string } };
}

/** POST /auth/token as a mobile app would: no Origin, no cookie. */
export function tokenRequest(auth: Auth, body: Record<string, unknown>, clientIP?: string) {
  return call(auth, "POST", "/auth/token", { body, origin: null, clientIP });
}

export async function passwordTokens(auth: Auth, username = "ada@example.com") {
  const result = await tokenRequest(auth, { grant_type: "password", username, password: PASSWORD });
  if (result.status !== 200)
    throw new Error(`password grant failed: ${JSON.stringify(result.json)}`);
  return result.json as {
    access_token: string;
    refresh_token: string;
    token_type: string;
    expires_in: number;
  };
}

export function refresh(auth: Auth, refreshToken: string) {
  return tokenRequest(auth, { grant_type: "refresh_token", refresh_token: refreshToken });
}

export function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}

/** A compact JWT's parts, decoded. */
export function decodeJwt(token: string) {
  const [header, payload] = token.split(".") as [string, string];
  const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  return { header: decode(header), payload: decode(payload) };
}
