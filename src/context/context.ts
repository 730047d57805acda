import type { ResolvedConfig } from "../config/config.js";
import type { MailService } from "../outbox/mail-service.js";
import type { PasswordHasher } from "../password/hasher.js";
import type { Storage } from "../storage/ports.js";

/** What every flow runs over: the resolved options and the ports. Built once by `createAuth`. */
export interface AuthContext {
  config: ResolvedConfig;
  storage: Storage;
  /** Writes with the configured hasher, verifies any known PHC scheme. */
  hasher: PasswordHasher;
  now(): Date;
  /** Renders and queues mail through the outbox; knows which email features are on. */
  mail: MailService;
}
