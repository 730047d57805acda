/*
 * `portcullis serve`: the library as a standalone auth service on Node's http server, configured
 * from the environment only (serve-env.ts). Start: check every variable, open the storage,
 * createAuth, wait for its keys, migrate when MIGRATE=true, listen, then flush the outbox every
 * 30 s and purge expired rows hourly. Stop (SIGTERM, SIGINT): refuse new connections, let
 * in-flight requests finish until SHUTDOWN_TIMEOUT, flush the outbox one last time, close the
 * pools, exit 0.
 */
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { ConfigError } from "../../src/config-error.js";
import {
  type Auth,
  type AuthOptions,
  createAuth,
  type Mailer,
  type Storage,
  schedulePurge,
  type WebhookEndpoint,
} from "../../src/index.js";
import { defaultLogger, type Logger } from "../../src/util/logger.js";
import { type SmtpMailer, smtpMailer } from "../smtp/index.js";
import { describePostgresConnectionError, loadDriver } from "./connection-error.js";
import { fromAuthConfigError, parseServeEnv, type ServeEnv } from "./serve-env.js";
import { serveRequests } from "./serve-http.js";
import { openServeStorage, type ServeStorage } from "./serve-storage.js";

type Env = Record<string, string | undefined>;

const PURGE_EVERY_SECONDS = 3600;

export interface RunningServer {
  /** Where it listens (the bound address and port). */
  address: AddressInfo;
  auth: Auth;
  logger: Logger;
  /**
   * Stops: no new connections; in-flight requests finish (cut at SHUTDOWN_TIMEOUT); the outbox
   * timer and the purge stop after a final flush; pools and clients close. Idempotent.
   */
  stop(): Promise<void>;
}

/** A failure at start that names the variable to fix. */
const named = (variable: string, message: string, cause?: unknown) =>
  new ConfigError({ option: variable, message: `${variable}: ${message}` }, { cause });

/**
 * Passkey ceremonies run in the browser at whichever origin the user is on: BASE_URL, or an app
 * on a trusted origin calling this service. Each one on the relying-party ID may do them; the
 * others could not anyway (browsers refuse an rpID that is not the page's host or a parent).
 */
function passkeyOptions(env: ServeEnv): AuthOptions["passkey"] {
  const base = new URL(env.baseURL);
  const rpID = (env.rpID ?? base.hostname).toLowerCase();
  const onRpID = env.trustedOrigins.filter((origin) => {
    try {
      const host = new URL(origin).hostname;
      return host === rpID || host.endsWith(`.${rpID}`);
    } catch {
      return false; // reported by createAuth as a bad TRUSTED_ORIGINS entry
    }
  });
  if (env.rpID === undefined && onRpID.length === 0) return undefined;
  return {
    ...(env.rpID === undefined ? {} : { rpID: env.rpID }),
    origins: [base.origin, ...onRpID],
  };
}

function mailerOf(env: ServeEnv): SmtpMailer | undefined {
  if (!env.smtp) return undefined;
  const { url, from } = env.smtp;
  const nodemailer = loadDriver<typeof import("nodemailer")>(
    createRequire(import.meta.url),
    "nodemailer",
    "Sending mail",
  );
  // The transport is made here, not on the first message: a bad URL or a missing package
  // stops the start instead of the first password reset.
  return smtpMailer({ from, transport: nodemailer.createTransport(url) });
}

/**
 * The createAuth options the environment makes: one webhook endpoint at most (several, each
 * with its own secret and events, need the library embedded).
 */
export function serveAuthOptions(
  env: ServeEnv,
  storage: Storage,
  mailer: Mailer | undefined,
  logger: Logger,
): AuthOptions {
  const options: AuthOptions = {
    baseURL: env.baseURL,
    storage,
    trustedOrigins: env.trustedOrigins,
    trustedProxies: env.trustedProxies,
    logger,
  };
  if (env.secret !== undefined) options.secret = env.secret;
  if (mailer) options.mailer = mailer;
  const passkey = passkeyOptions(env);
  if (passkey) options.passkey = passkey;
  if (env.metricsToken !== undefined) options.metrics = { token: env.metricsToken };
  if (env.adminToken !== undefined) options.admin = { token: env.adminToken };
  if (env.webhook) {
    const { url, secret, events } = env.webhook;
    // The event names are checked by createAuth, whose issue is renamed after WEBHOOK_EVENTS.
    options.webhooks = [{ url, secret, events: events as WebhookEndpoint["events"] }];
  }
  return options;
}

function listenError(env: ServeEnv, error: NodeJS.ErrnoException): Error {
  switch (error.code) {
    case "EADDRINUSE":
      return named("PORT", `port ${env.port} is already in use`, error);
    case "EACCES":
      return named(
        "PORT",
        `not allowed to listen on port ${env.port} (ports below 1024 need privileges)`,
        error,
      );
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return named("HOST", `cannot listen on "${env.host}": not an address of this machine`, error);
    default:
      return error;
  }
}

async function migrate(env: ServeEnv, storage: ServeStorage, logger: Logger): Promise<void> {
  try {
    const applied = await storage.migrate();
    logger.info(
      { applied },
      applied.length === 0
        ? "database schema is up to date"
        : `applied migrations ${applied.join(", ")}`,
    );
  } catch (error) {
    const line =
      env.database.kind === "postgres"
        ? describePostgresConnectionError(error, env.database.url)
        : null;
    if (line !== null) throw named("DATABASE_URL", line, error);
    throw error;
  }
}

/**
 * Starts the service; rejects with a `ConfigError` naming the variable when one is wrong.
 * `environment` is read for the variables; createAuth itself still reads `NODE_ENV` from
 * `process.env` (its production rules), as it does in an embedding app.
 */
export async function startServer(environment: Env = process.env): Promise<RunningServer> {
  const env = parseServeEnv(environment);
  const logger = defaultLogger(env.log);
  const storage = openServeStorage(env, logger);
  let mailer: SmtpMailer | undefined;
  /** Closes what was opened so far, then gives back `error` to throw. */
  const abort = async (error: unknown) => {
    await Promise.all([storage.close(), mailer?.close()]).catch(() => {});
    return error;
  };

  try {
    mailer = mailerOf(env);
  } catch (error) {
    throw await abort(named("SMTP_URL", String((error as Error)?.message ?? error), error));
  }
  let auth: Auth;
  try {
    auth = createAuth(serveAuthOptions(env, storage.storage, mailer, logger));
    await auth.ready();
  } catch (error) {
    throw await abort(error instanceof ConfigError ? fromAuthConfigError(error) : error);
  }
  if (env.migrate) {
    try {
      await migrate(env, storage, logger);
    } catch (error) {
      throw await abort(error);
    }
  }

  const state = { closing: false };
  const server = createServer(serveRequests(auth, logger, state));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ port: env.port, host: env.host }, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    throw await abort(listenError(env, error as NodeJS.ErrnoException));
  }
  const stopOutbox = auth.api.startOutbox();
  const stopPurge = schedulePurge(auth.api.purgeExpired, PURGE_EVERY_SECONDS);
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  logger.info(
    {
      address: address.address,
      port: address.port,
      baseURL: env.baseURL,
      storage: storage.description,
    },
    `portcullis serve listening on http://${host}:${address.port}`,
  );
  // Says at once what readiness will say (the route logs why it is not ready, e.g. "run
  // portcullis migrate"), rather than at the first probe.
  await auth.handler(new Request(`${auth.config.origin}${auth.config.basePath}/ready`));

  const timeoutMs = env.shutdownTimeoutSeconds * 1000;
  let stopping: Promise<void> | undefined;
  async function shutdown(): Promise<void> {
    state.closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = setTimeout(() => {
      logger.warn(
        `requests still running after SHUTDOWN_TIMEOUT (${env.shutdownTimeoutSeconds} s): closing their connections`,
      );
      server.closeAllConnections();
    }, timeoutMs);
    await closed;
    clearTimeout(deadline);
    stopOutbox();
    stopPurge();
    // What the last requests queued (a reset mail, a webhook) is sent now, not at the next
    // start; what does not go out in time stays in the outbox for another instance.
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      auth.api.flushOutbox(),
      new Promise((resolve) => {
        flushTimer = setTimeout(resolve, timeoutMs);
      }),
    ]).catch((error: unknown) => logger.warn({ err: error }, "final outbox flush failed"));
    clearTimeout(flushTimer);
    await Promise.all([storage.close(), mailer?.close()]).catch((error: unknown) =>
      logger.warn({ err: error }, "closing the storage failed"),
    );
    logger.info("portcullis serve stopped");
  }
  return {
    address,
    auth,
    logger,
    stop() {
      stopping ??= shutdown();
      return stopping;
    },
  };
}

/**
 * `portcullis serve` from the command line: starts, then stops on SIGTERM or SIGINT and
 * resolves 0. A bad variable resolves 2 with each one named on stderr; another failure at
 * start, 1. A second signal while stopping exits at once (1).
 */
export async function runServe(
  io: { err(text: string): void },
  environment: Env = process.env,
): Promise<number> {
  let running: RunningServer;
  try {
    running = await startServer(environment);
  } catch (error) {
    if (error instanceof ConfigError) {
      const lines = error.issues.map((issue) => `  ${issue.message}`).join("\n");
      io.err(
        `portcullis serve: cannot start:\n${lines}\n\nRun "portcullis help serve" for every variable.\n`,
      );
      return 2;
    }
    io.err(`portcullis serve: cannot start: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  }
  const { logger } = running;
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signals++ > 0) {
        logger.warn(`${signal} again: exiting without waiting`);
        process.exit(1);
      }
      logger.info(`${signal}: shutting down`);
      running.stop().then(
        () => {
          process.off("SIGTERM", onSignal);
          process.off("SIGINT", onSignal);
          resolve(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, "shutdown failed");
          resolve(1);
        },
      );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}
