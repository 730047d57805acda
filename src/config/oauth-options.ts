import * as z from "zod";
import type { ConfigIssue } from "../config-error.js";
import { providerURLProblem } from "../oauth-providers/checks.js";
import type { OAuthProvider } from "../oauth-providers/provider.js";
import type { Storage } from "../storage/ports.js";
import { isProduction } from "./environment.js";

/*
 * The `oauth` option (DESIGN §8), documented on `AuthOptions` and `OAuthOptions`. Every provider
 * is checked at startup, the factories' and hand-written ones alike: an id the routes can carry,
 * https URLs (plain http only for a development identity provider, never in production), and
 * nothing that would let the app's own parameters replace the ones the flow's security rests on.
 */

/** Lower-case letters, digits and `-`: the id is a path segment of the routes. */
const PROVIDER_ID = /^[a-z0-9-]{1,64}$/;
/** Ids the routes use for something else (`/oauth/accounts` lists the linked identities). */
const RESERVED_IDS = new Set(["accounts"]);
/** Authorization parameters the library sets itself, which `authorizationParams` may not. */
const FLOW_PARAMETERS = new Set([
  "state",
  "nonce",
  "code_challenge",
  "code_challenge_method",
  "redirect_uri",
  "client_id",
  "response_type",
  "response_mode",
  "scope",
  "request",
  "request_uri",
]);

type Problem = { path: (string | number)[]; message: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string =>
  typeof value === "string" && value.trim() !== "";

function urlProblems(
  server: Record<string, unknown>,
  names: string[],
  insecure: boolean,
): Problem[] {
  return names.flatMap((name) => {
    const problem = providerURLProblem(server[name], insecure);
    return problem === null ? [] : [{ path: ["server", name], message: problem }];
  });
}

function serverProblems(server: unknown, insecure: boolean): Problem[] {
  if (!isObject(server))
    return [{ path: ["server"], message: "must describe the provider's server" }];
  if (server.kind === "oidc") {
    const problems = urlProblems(server, ["issuer"], insecure);
    if (server.discoveryIssuer !== undefined && typeof server.discoveryIssuer !== "string") {
      problems.push({ path: ["server", "discoveryIssuer"], message: "must be a string" });
    }
    if (server.idTokenIssuer !== undefined && typeof server.idTokenIssuer !== "function") {
      problems.push({ path: ["server", "idTokenIssuer"], message: "must be a function" });
    }
    return problems;
  }
  if (server.kind === "oauth2") {
    return urlProblems(server, ["issuer", "authorizationEndpoint", "tokenEndpoint"], insecure);
  }
  return [{ path: ["server", "kind"], message: 'must be "oidc" or "oauth2"' }];
}

/** Everything wrong with one provider, by path below it. */
function providerProblems(provider: unknown): Problem[] {
  if (!isObject(provider)) {
    return [
      {
        path: [],
        message:
          "must be a provider, e.g. google({ clientId, clientSecret }) from portcullis/oauth",
      },
    ];
  }
  const problems: Problem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  const { id } = provider;
  if (typeof id !== "string" || !PROVIDER_ID.test(id)) {
    add(
      ["id"],
      `must be 1 to 64 lower-case letters, digits and -, e.g. "okta" (got ${JSON.stringify(id)})`,
    );
  } else if (RESERVED_IDS.has(id)) {
    add(["id"], `"${id}" is reserved by the routes: choose another id`);
  }
  if (!isText(provider.name)) add(["name"], 'must be a non-empty string, e.g. "Okta"');
  if (!isText(provider.clientId))
    add(["clientId"], "is required: the client id the provider gave the app");
  if (!isText(provider.clientSecret) && typeof provider.clientSecret !== "function") {
    add(["clientSecret"], "is required: the client secret the provider gave the app");
  }
  const auth = provider.clientAuthentication;
  if (auth !== undefined && auth !== "client_secret_basic" && auth !== "client_secret_post") {
    add(["clientAuthentication"], 'must be "client_secret_basic" or "client_secret_post"');
  }
  const { scopes } = provider;
  if (!Array.isArray(scopes) || !scopes.every((scope) => isText(scope) && !/\s/.test(scope))) {
    add(["scopes"], 'must be a list of scopes without spaces, e.g. ["openid", "email"]');
  }
  const mode = provider.responseMode;
  if (mode !== undefined && mode !== "query" && mode !== "form_post") {
    add(["responseMode"], 'must be "query" or "form_post"');
  }
  const params = provider.authorizationParams;
  if (params !== undefined) {
    if (!isObject(params) || !Object.values(params).every((value) => typeof value === "string")) {
      add(["authorizationParams"], "must map parameter names to strings");
    } else {
      for (const name of Object.keys(params).filter((key) => FLOW_PARAMETERS.has(key))) {
        add(
          ["authorizationParams", name],
          `is set by the library (the flow's security rests on it)`,
        );
      }
    }
  }
  const insecure = provider.allowInsecureIssuerForDevelopment;
  if (insecure !== undefined && typeof insecure !== "boolean") {
    add(["allowInsecureIssuerForDevelopment"], "must be a boolean");
  } else if (insecure === true && isProduction()) {
    add(
      ["allowInsecureIssuerForDevelopment"],
      "is for a local test identity provider and refused in production: use the provider's https issuer",
    );
  }
  problems.push(...serverProblems(provider.server, insecure === true));
  if (typeof provider.profile !== "function") add(["profile"], "must be a function");
  return problems;
}

export const oauthSchema = z
  .strictObject({
    providers: z
      .array(z.custom<OAuthProvider>(() => true))
      .min(1, "must list at least one provider, e.g. [google({ clientId, clientSecret })]"),
    signUp: z.boolean().default(true),
    storeTokens: z.boolean().default(false),
  })
  .check((ctx) => {
    const seen = new Map<string, number>();
    for (const [index, provider] of ctx.value.providers.entries()) {
      for (const problem of providerProblems(provider)) {
        ctx.issues.push({
          code: "custom",
          input: provider,
          message: problem.message,
          path: ["providers", index, ...problem.path],
        });
      }
      const id = (provider as { id?: unknown } | null)?.id;
      if (typeof id !== "string") continue;
      const first = seen.get(id);
      if (first !== undefined) {
        ctx.issues.push({
          code: "custom",
          input: id,
          message: `"${id}" is the id of oauth.providers.${first} too: each provider needs its own id`,
          path: ["providers", index, "id"],
        });
      } else {
        seen.set(id, index);
      }
    }
  })
  .optional();

/**
 * With `oauth`, the storage must have the `accounts` port (linked identities), which is
 * optional otherwise so that storages written before it keep working.
 */
export function checkOAuthStorage(
  options: { oauth?: unknown; storage: Storage },
  issues: ConfigIssue[],
): void {
  if (options.oauth === undefined || typeof options.storage.accounts === "object") return;
  issues.push({
    option: "storage",
    message:
      "storage has no accounts port, which oauth needs to keep linked identities: use memoryStorage(), sqliteStorage or postgresStorage (migrated), or add accounts to your storage",
  });
}
