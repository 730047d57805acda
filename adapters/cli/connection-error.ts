/*
 * Turns a failure to reach a database into one line that says what to do: the errors of
 * node-postgres (socket codes, SQLSTATEs) and of a driver that is not installed. Anything it does
 * not recognise is left to the caller's generic message.
 */

const EXAMPLE_URL = "postgres://user:password@host:5432/db";

/** The error and its causes, outermost first (AuthError("unavailable") wraps the driver's). */
function chain(error: unknown): Array<Error & { code?: unknown }> {
  const errors: Array<Error & { code?: unknown }> = [];
  let current = error;
  while (current instanceof Error && errors.length < 10) {
    errors.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return errors;
}

/** The URL as it may be shown: its password replaced by `***`. Never echoes an unparsable one. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.href;
  } catch {
    return "the --url given";
  }
}

function parts(url: string) {
  try {
    const parsed = new URL(url);
    return {
      user: decodeURIComponent(parsed.username),
      host: parsed.hostname || "localhost",
      port: parsed.port || "5432",
      database: decodeURIComponent(parsed.pathname.replace(/^\//, "")),
    };
  } catch {
    return { user: "", host: "localhost", port: "5432", database: "" };
  }
}

/**
 * The one line for a failure to connect to the PostgreSQL database at `url`, or null when the
 * error is not one of the usual ones (refused, unknown host, timeout, bad password, unknown
 * role, no user, unknown database).
 */
export function describePostgresConnectionError(error: unknown, url: string): string | null {
  const { user, host, port, database } = parts(url);
  const prefix = `cannot connect to ${redactUrl(url)}`;
  for (const cause of chain(error)) {
    const code = typeof cause.code === "string" ? cause.code : "";
    const message = cause.message;
    switch (code) {
      case "ECONNREFUSED":
        return `${prefix}: nothing is listening on ${host}:${port}: is PostgreSQL running there?`;
      case "ENOTFOUND":
      case "EAI_AGAIN":
      case "EAI_NONAME":
        return `${prefix}: host "${host}" not found: check the host name in the URL`;
      case "ETIMEDOUT":
      case "EHOSTUNREACH":
      case "ENETUNREACH":
        return `${prefix}: ${host}:${port} cannot be reached (${code}): check the host, the port and the firewall`;
      case "28P01":
        return user
          ? `${prefix}: password authentication failed for user "${user}": check the user and password (${EXAMPLE_URL})`
          : `${prefix}: password authentication failed and the URL names no user: use ${EXAMPLE_URL}`;
      case "28000": {
        if (!user) {
          const detail = /user name specified/i.test(message) ? "" : ` (${message})`;
          return `${prefix}: no user given${detail}: use ${EXAMPLE_URL}`;
        }
        if (/role .* does not exist/i.test(message)) {
          return `${prefix}: ${message}: use an existing user (${EXAMPLE_URL})`;
        }
        return `${prefix}: ${message}: the server refuses this user or host (see its pg_hba.conf)`;
      }
      case "3D000":
        return `${prefix}: database "${database}" does not exist: create it (createdb ${database || "<name>"}) or fix its name in the URL`;
    }
    if (/client password must be a string/i.test(message)) {
      return `${prefix}: the server asks for a password and the URL has none: use ${EXAMPLE_URL}`;
    }
    if (/timeout/i.test(message) && /connect/i.test(message)) {
      return `${prefix}: timed out: check the host, the port and the firewall`;
    }
  }
  return null;
}

/** `require(name)`, or an error that says to install it. */
export function loadDriver<T>(load: (name: string) => unknown, name: string, purpose: string): T {
  try {
    return load(name) as T;
  } catch (error) {
    if ((error as { code?: unknown }).code === "MODULE_NOT_FOUND") {
      throw new Error(`${purpose} needs the ${name} package: npm install ${name}`);
    }
    throw error;
  }
}
