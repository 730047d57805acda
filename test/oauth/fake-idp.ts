import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";

/*
 * An OpenID provider small enough to lie on purpose: it answers like a real one (discovery,
 * keys, authorize, token with PKCE, userinfo) until a test tells it to put something wrong in
 * the next ID token: another nonce, issuer or audience, an expired one, one signed by a key it
 * does not publish. oidc-provider would never do that, which is why this exists.
 */

export const FAKE_CLIENT_ID = "fake-client";
export const FAKE_CLIENT_SECRET = "fake-client-secret";

/** How the next ID token is made; cleared after each token request. */
export interface IdTokenTamper {
  /** Claims replaced (a value of `undefined` removes the claim). */
  claims?: Record<string, unknown>;
  /** Sign with a key the provider does not publish. */
  unpublishedKey?: boolean;
  /** Sign with the client secret (HS256), as some providers may. */
  hmac?: boolean;
}

export interface FakeIdpOptions {
  redirectUri: string;
  /** Whom the provider signs in, with what claims. */
  person?: Record<string, unknown>;
  /** The `issuer` of discovery when it is not the provider's URL (a tenant template). */
  discoveryIssuer?: (origin: string) => string;
  /** The `iss` of ID tokens, by default the issuer. */
  idTokenIssuer?: (origin: string) => string;
  /** Whether authorization responses carry `iss` (RFC 9207). */
  issParameter?: boolean;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function send(res: ServerResponse, status: number, body: unknown, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** HTTP Basic with the client's id and secret, each form-encoded first (RFC 6749 §2.3.1). */
function isClient(header: string | undefined): boolean {
  if (!header?.startsWith("Basic ")) return false;
  const [id = "", secret = ""] = Buffer.from(header.slice(6), "base64").toString("utf8").split(":");
  const decode = (value: string) => decodeURIComponent(value.replace(/\+/g, " "));
  return decode(id) === FAKE_CLIENT_ID && decode(secret) === FAKE_CLIENT_SECRET;
}

const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");

export async function startFakeIdp(options: FakeIdpOptions) {
  const published = await generateKeyPair("RS256");
  const unpublished = await generateKeyPair("RS256");
  const jwk = {
    ...(await exportJWK(published.publicKey)),
    kid: "published",
    alg: "RS256",
    use: "sig",
  };
  const codes = new Map<
    string,
    { challenge: string; method: string; nonce: string | null; redirectUri: string }
  >();
  const tokenRequests: { authorization: string | null; form: URLSearchParams }[] = [];
  let tamper: IdTokenTamper = {};
  const person = {
    sub: "person-1",
    email: "person@example.com",
    email_verified: true,
    ...options.person,
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", origin);
    try {
      if (url.pathname.endsWith("/.well-known/openid-configuration")) {
        return send(res, 200, {
          issuer: options.discoveryIssuer?.(origin) ?? origin,
          authorization_endpoint: `${origin}/authorize`,
          token_endpoint: `${origin}/token`,
          userinfo_endpoint: `${origin}/userinfo`,
          jwks_uri: `${origin}/jwks`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
          code_challenge_methods_supported: ["S256"],
          authorization_response_iss_parameter_supported: options.issParameter !== false,
        });
      }
      if (url.pathname === "/jwks") return send(res, 200, { keys: [jwk] });
      if (url.pathname === "/authorize") {
        const query = url.searchParams;
        if (
          query.get("client_id") !== FAKE_CLIENT_ID ||
          query.get("redirect_uri") !== options.redirectUri
        ) {
          return send(res, 400, { error: "invalid_request" });
        }
        const code = crypto.randomUUID();
        codes.set(code, {
          challenge: query.get("code_challenge") ?? "",
          method: query.get("code_challenge_method") ?? "",
          nonce: query.get("nonce"),
          redirectUri: options.redirectUri,
        });
        const answer: Record<string, string> = { code, state: query.get("state") ?? "" };
        if (options.issParameter !== false) answer.iss = origin;
        if (query.get("response_mode") === "form_post") {
          // What Apple sends: a page that posts the answer to the app (a person's browser
          // would submit it by script; the test submits it).
          const fields = Object.entries(answer)
            .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
            .join("");
          res.writeHead(200, { "content-type": "text/html" });
          return res.end(`<form method="post" action="${options.redirectUri}">${fields}</form>`);
        }
        const back = new URL(options.redirectUri);
        for (const [name, value] of Object.entries(answer)) back.searchParams.set(name, value);
        res.writeHead(302, { location: back.href });
        return res.end();
      }
      if (url.pathname === "/token" && req.method === "POST") {
        const form = await readForm(req);
        tokenRequests.push({ authorization: req.headers.authorization ?? null, form });
        if (!isClient(req.headers.authorization))
          return send(res, 401, { error: "invalid_client" });
        const grant = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
        if (
          !grant ||
          form.get("grant_type") !== "authorization_code" ||
          form.get("redirect_uri") !== grant.redirectUri ||
          grant.method !== "S256" ||
          s256(form.get("code_verifier") ?? "") !== grant.challenge
        ) {
          return send(res, 400, { error: "invalid_grant" });
        }
        const now = Math.floor(Date.now() / 1000);
        const claims: JWTPayload = {
          iss: options.idTokenIssuer?.(origin) ?? origin,
          aud: FAKE_CLIENT_ID,
          iat: now,
          exp: now + 600,
          ...(grant.nonce ? { nonce: grant.nonce } : {}),
          ...person,
          ...tamper.claims,
        };
        for (const [name, value] of Object.entries(claims))
          if (value === undefined) delete claims[name];
        const idToken = tamper.hmac
          ? await new SignJWT(claims)
              .setProtectedHeader({ alg: "HS256" })
              .sign(new TextEncoder().encode(FAKE_CLIENT_SECRET))
          : await new SignJWT(claims)
              .setProtectedHeader({ alg: "RS256", kid: "published" })
              .sign(tamper.unpublishedKey ? unpublished.privateKey : published.privateKey);
        tamper = {};
        return send(res, 200, {
          access_token: `at-${crypto.randomUUID()}`,
          token_type: "Bearer",
          expires_in: 600,
          id_token: idToken,
        });
      }
      if (url.pathname === "/userinfo") return send(res, 200, person);
      send(res, 404, { error: "not_found" });
    } catch (error) {
      send(res, 500, { error: String(error) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    tokenRequests,
    /** Makes the next ID token wrong in the given way. */
    tamperNext(next: IdTokenTamper) {
      tamper = next;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
