import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { decodeWebhookSecret, signWebhook } from "../../src/crypto/webhook-signature.js";

/*
 * Our Standard Webhooks signer (WebCrypto HMAC-SHA256) against the specification's example and
 * the reference implementation (`standardwebhooks`), over arbitrary ids, times, bodies and keys.
 */

const key = (secret: string) => decodeWebhookSecret(secret) as Uint8Array;

describe("webhook signatures", () => {
  it("match the specification's example", async () => {
    // The example of the Standard Webhooks specification and its reference libraries.
    const signature = await signWebhook(
      key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
      "msg_p5jXN8AQM9LWM0D4loKWxJek",
      1614265330,
      '{"test": 2432232314}',
    );
    expect(signature).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("match the reference implementation for any key, id, time and body", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 24, maxLength: 64 }),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
        fc.integer({ min: 0, max: 4_000_000_000 }),
        fc.string({ unit: "grapheme", maxLength: 200 }),
        async (bytes, id, timestamp, body) => {
          const secret = `whsec_${Buffer.from(bytes).toString("base64")}`;
          const ours = await signWebhook(key(secret), id, timestamp, body);
          expect(ours).toBe(new Webhook(secret).sign(id, new Date(timestamp * 1000), body));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("decode whsec_ secrets as the reference does, and refuse anything else", () => {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const padded = `whsec_${Buffer.from(bytes).toString("base64")}`;
    expect(decodeWebhookSecret(padded)).toEqual(bytes);
    expect(decodeWebhookSecret(padded.replace(/=+$/, ""))).toEqual(bytes);
    for (const bad of [
      Buffer.from(bytes).toString("base64"), // no prefix
      "whsec_",
      "whsec_ab=c",
      "whsec_abc==",
      "whsec_a",
      "whsec_ab cd",
      "whsec_ab-_",
      "WHSEC_abcd",
    ]) {
      expect(decodeWebhookSecret(bad)).toBeNull();
    }
  });
});
