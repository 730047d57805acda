import { AuthError } from "../errors.js";

type WebAuthnServer = typeof import("@simplewebauthn/server");

let loading: Promise<WebAuthnServer> | undefined;

/**
 * @simplewebauthn/server, imported on the first passkey ceremony rather than at startup: with
 * its ASN.1 and X.509 dependencies it is most of a worker's bundle, and an app that only guards
 * routes (or never enables passkeys) should not load it on every cold start. Bundlers keep a
 * dynamic `import()` as a separate chunk; `test/package/size-budget.test.ts` checks it stays one.
 */
export function loadWebAuthn(): Promise<WebAuthnServer> {
  loading ??= import("@simplewebauthn/server").catch((error: unknown) => {
    // Forget the failure so the next ceremony retries instead of failing forever.
    loading = undefined;
    throw new AuthError(
      "unavailable",
      "Could not load the WebAuthn library (@simplewebauthn/server)",
      {},
      { cause: error },
    );
  });
  return loading;
}
