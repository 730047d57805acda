import type { SessionCache } from "../cache/session-cache.js";
import type { VerifiedTokenCache } from "../cache/verified-token-cache.js";
import type { ResolvedConfig } from "../config/config.js";
import type { RandomSource } from "../crypto/random.js";
import type { EventBus } from "../events/bus.js";
import type { AuthMetrics } from "../metrics/auth-metrics.js";
import type { MailService } from "../outbox/mail-service.js";
import type { Outbox } from "../outbox/outbox.js";
import type { PasswordHasher } from "../password/hasher.js";
import type { Storage } from "../storage/ports.js";
import type { KeyRing } from "./key-ring.js";
import type { Readiness } from "./readiness.js";
import type { RelyingParty } from "./relying-party.js";

/**
 * What every flow runs over: the resolved options, the ports, and everything derived from the
 * options that costs something to build (imported keys, the relying party, the dummy hash).
 * Built once by `createAuth` (`buildContext`); nothing per instance lives in module state.
 */
export interface AuthContext {
  config: ResolvedConfig;
  storage: Storage;
  /** Writes with the configured hasher, verifies any known PHC scheme. */
  hasher: PasswordHasher;
  now(): Date;
  random: RandomSource;
  /** Renders and queues mail through the outbox; knows which email features are on. */
  mail: MailService;
  /** The durable outbox of mail and webhook deliveries (`auth.api.flushOutbox()`). */
  outbox: Outbox;
  /** The token signing and verification keys; rejects with `unavailable` if they cannot load. */
  keys: Promise<KeyRing>;
  /** Who passkeys belong to, resolved from `passkey` options. */
  relyingParty: RelyingParty;
  /**
   * A hash to verify against when an account does not exist, so that an unknown email costs
   * the same time as a wrong password and timing does not reveal which accounts exist.
   */
  dummyHash(): Promise<string>;
  /**
   * The events of every security change (DESIGN §6): flows emit after the change is stored;
   * the audit log, logs, metrics and webhooks subscribe. Nothing else reports by hand.
   */
  events: EventBus;
  /** Whether what loads asynchronously at start (the keys) has loaded, and why not. */
  readiness: Readiness;
  /**
   * This instance's Prometheus metrics (`auth.metrics()`, `GET /auth/metrics`): counted from the
   * events, the outbox's attempts and the handler's answers.
   */
  metrics: AuthMetrics;
  /**
   * Validated sessions and their users, in front of the guard's storage read (`session.cache`);
   * absent when off. `storage` above is wrapped to invalidate it (src/cache/).
   */
  sessionCache?: SessionCache;
  /** Access JWTs already verified, keyed by hash (`session.cache`); absent when off. */
  tokenCache?: VerifiedTokenCache;
}
