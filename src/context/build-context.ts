import type { ResolvedConfig } from "../config/config.js";
import { AuthError } from "../errors.js";
import { toAuditRecord } from "../events/audit-record.js";
import { createEventBus } from "../events/bus.js";
import type { AuthEventListeners } from "../events/events.js";
import { countEvents, createAuthMetrics } from "../metrics/auth-metrics.js";
import { createAuthOutbox } from "../outbox/auth-outbox.js";
import { createMailService } from "../outbox/mail-service.js";
import { subscribeWebhooks } from "../outbox/webhook-delivery.js";
import { passwordHashing } from "../password/hashing.js";
import { pbkdf2 } from "../password/pbkdf2.js";
import { logError } from "../util/logger.js";
import type { AuthContext } from "./context.js";
import { importKeyRing } from "./key-ring.js";
import { trackReadiness } from "./readiness.js";
import { relyingParty } from "./relying-party.js";
import { sessionCaching } from "./session-caching.js";

const DUMMY_PASSWORD = "portcullis-timing-equaliser";

/**
 * Builds the one context of an instance from resolved options. What can fail synchronously has
 * failed in `resolveConfig` already; key import is started here and tracked by `readiness`.
 */
export function buildContext(
  config: ResolvedConfig,
  listeners: AuthEventListeners = {},
): AuthContext {
  const now = () => new Date(config.clock.now());
  const events = createEventBus({
    random: config.random,
    now,
    listeners,
    onListenerError: (error, event) =>
      logError(config.logger, `listener of ${event.type} failed`, error),
  });
  // The audit log: every event, stored before the request answers (listeners are awaited); a
  // failed append is logged by the bus like any listener's and never fails the request.
  events.on("*", (event) => config.storage.audit.append(toAuditRecord(event)));
  // Metrics: counted from the events, the outbox's attempts and the handler; the backlog is
  // counted at scrape time when the outbox store can count (`countPending`).
  const metrics = createAuthMetrics({
    backlog: async () => (await config.storage.outbox.countPending?.()) ?? null,
    onError: (message, error) => logError(config.logger, message, error),
    webhooks: config.webhooks.length > 0,
  });
  countEvents(events, metrics);
  // One outbox for mail and webhooks, built even without a mailer: a flush drains either kind.
  const outbox = createAuthOutbox(config, { now, events, metrics });
  // Webhooks: each event that an endpoint takes is queued (durably, before the response).
  subscribeWebhooks(events, outbox, config.webhooks);
  const hasher = passwordHashing(config.passwordHasher ?? pbkdf2());
  const keys = importKeyRing(config);
  const readiness = trackReadiness("tokens.keys", keys);
  // Hashed ahead, so the first sign-in of an unknown email takes no longer than the rest.
  let dummy: Promise<string> | null = null;
  const dummyHash = () => {
    // A failure is not kept: Workers refuse randomness at module scope, where createAuth is
    // usually called, so this first attempt fails there and the first sign-in hashes it instead.
    dummy ??= hasher.hash(DUMMY_PASSWORD).catch((error: unknown) => {
      dummy = null;
      throw error;
    });
    return dummy;
  };
  dummyHash().catch(() => {});
  // Whoever needs the keys of a failed start gets `unavailable` (503), naming the option.
  const readyKeys = readiness.ready.then(
    () => keys,
    (error: Error) => {
      throw new AuthError(
        "unavailable",
        `Portcullis cannot issue or verify tokens: ${error.message}`,
      );
    },
  );
  readyKeys.catch(() => {}); // reported through `readiness`; this copy may never be awaited
  // The session cache and the verified-token cache (`session.cache`): when on, the core works
  // through a storage that invalidates the cache after each write to sessions or users.
  const { storage, sessionCache, tokenCache } = sessionCaching(config);
  return {
    config,
    storage,
    hasher,
    now,
    random: config.random,
    mail: createMailService(config, outbox, now),
    outbox,
    keys: readyKeys,
    relyingParty: relyingParty(config),
    dummyHash,
    events,
    readiness,
    metrics,
    ...(sessionCache ? { sessionCache } : {}),
    ...(tokenCache ? { tokenCache } : {}),
  };
}
