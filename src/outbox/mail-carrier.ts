import type { Mailer } from "../mail/message.js";
import type { DeliveryOf } from "./delivery.js";
import type { Carrier } from "./outbox.js";

/** How the outbox delivers a queued message: through the mailer, unless its link has expired. */
export function mailCarrier(mailer: Mailer, now: () => Date): Carrier<DeliveryOf<"mail">> {
  return {
    refuse({ message }) {
      if (message.expiresAt === undefined) return null;
      // A dead link helps nobody and reads like a phishing attempt: set it aside instead.
      return Date.parse(message.expiresAt) <= now().getTime()
        ? "expired before it could be delivered"
        : null;
    },
    deliver: ({ message }) => mailer.send(message),
  };
}
