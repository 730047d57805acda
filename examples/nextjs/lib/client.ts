/** Browser-side calls to the Portcullis routes. Same-origin fetch sends the cookie and Origin. */

export interface Outcome<T = Record<string, unknown>> {
  ok: boolean;
  status: number;
  data: T | null;
  /** The error's human message from `{ error: { code, message } }`, when the call failed. */
  message: string | null;
}

export async function callAuth<T = Record<string, unknown>>(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<Outcome<T>> {
  const response = await fetch(`/auth${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: init.body === undefined ? undefined : { "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  return {
    ok: response.ok,
    status: response.status,
    data: response.ok ? data : null,
    message: response.ok ? null : (data?.error?.message ?? `HTTP ${response.status}`),
  };
}

export async function addPasskey(name: string | null): Promise<Outcome> {
  const { startRegistration } = await import("@simplewebauthn/browser");
  const options = await callAuth("/passkey/register/options", { body: {} });
  if (!options.ok || !options.data) return options;
  const response = await startRegistration({ optionsJSON: options.data as never });
  return callAuth("/passkey/register/verify", { body: { response, name } });
}

export async function signInWithPasskey(): Promise<Outcome> {
  const { startAuthentication } = await import("@simplewebauthn/browser");
  const options = await callAuth("/passkey/login/options", { body: {} });
  if (!options.ok || !options.data) return options;
  const response = await startAuthentication({ optionsJSON: options.data as never });
  return callAuth("/passkey/login/verify", { body: response });
}
