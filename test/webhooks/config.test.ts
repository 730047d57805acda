import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigError, createAuth, memoryStorage, type WebhookEndpoint } from "../../src/index.js";

/*
 * The `webhooks` option is checked at startup: a ConfigError names the endpoint's field and says
 * what to do, and never echoes a secret.
 */

const SECRET = `whsec_${Buffer.from(new Uint8Array(32).fill(7)).toString("base64")}`;

const options = (webhooks: unknown) => ({
  baseURL: "https://app.example.com",
  secret: "s".repeat(32),
  storage: memoryStorage(),
  webhooks: webhooks as WebhookEndpoint[],
});

const hook = (overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint => ({
  url: "https://hooks.example.com/portcullis",
  secret: SECRET,
  events: ["user.registered"],
  ...overrides,
});

function thrown(webhooks: unknown): ConfigError {
  try {
    createAuth(options(webhooks));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("createAuth accepted the options");
}

beforeEach(() => {
  vi.stubEnv("AUTH_URL", undefined);
  vi.stubEnv("AUTH_SECRET", undefined);
  vi.stubEnv("NODE_ENV", "test");
});
afterEach(() => vi.unstubAllEnvs());

describe("the webhooks option", () => {
  it("accepts endpoints with whsec_ secrets of 24 bytes or more, padded or not", () => {
    const unpadded = `whsec_${Buffer.from(new Uint8Array(25).fill(1)).toString("base64").replace(/=+$/, "")}`;
    expect(() =>
      createAuth(
        options([
          hook(),
          hook({ url: "https://hooks.example.com/b", secret: unpadded, events: ["*"] }),
          hook({
            url: "https://hooks.example.com/c",
            secret: `whsec_${Buffer.from(new Uint8Array(24)).toString("base64")}`,
          }),
        ]),
      ),
    ).not.toThrow();
  });

  it("refuses a secret that is not whsec_ + base64 of at least 24 bytes, without echoing it", () => {
    const cases = [
      "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", // no prefix
      "whsec_not base64 at all!!",
      "whsec_", // nothing after the prefix
      "whsec_abc=def=", // padding in the middle
      "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La-_Sw", // base64url, which receivers' libraries refuse
    ];
    for (const secret of cases) {
      const error = thrown([hook({ secret })]);
      expect(error.option).toBe("webhooks.0.secret");
      expect(error.message).toContain('must be "whsec_" followed by the base64 of at least 24');
      if (secret.length > 6) expect(error.message).not.toContain(secret);
    }
    const short = `whsec_${Buffer.from(new Uint8Array(16).fill(9)).toString("base64")}`;
    const error = thrown([hook({ secret: short })]);
    expect(error.message).toContain("at least 24 random bytes");
    expect(error.message).toContain("(got 16 bytes)");
    expect(error.message).not.toContain(short.slice(6));
  });

  it("requires https in production, unless allowInsecureUrl says otherwise", () => {
    const insecure = hook({ url: "http://hooks.internal:8080/portcullis" });
    expect(() => createAuth(options([insecure]))).not.toThrow(); // outside production
    vi.stubEnv("NODE_ENV", "production");
    const error = thrown([insecure]);
    expect(error.option).toBe("webhooks.0.url");
    expect(error.message).toContain("must be https in production");
    expect(error.message).toContain("allowInsecureUrl: true");
    expect(() => createAuth(options([{ ...insecure, allowInsecureUrl: true }]))).not.toThrow();
    expect(() => createAuth(options([hook()]))).not.toThrow();
  });

  it("refuses a URL that is not http(s), carries credentials, or is listed twice", () => {
    expect(thrown([hook({ url: "ftp://hooks.example.com" })]).message).toContain(
      "webhooks.0.url: must be an absolute http(s) URL",
    );
    expect(thrown([hook({ url: "/hooks" })]).option).toBe("webhooks.0.url");
    expect(thrown([hook({ url: "https://user:pw@hooks.example.com/" })]).message).toContain(
      "must not carry a user name or password",
    );
    const twice = thrown([hook(), hook({ url: "HTTPS://hooks.example.com/portcullis" })]);
    expect(twice.option).toBe("webhooks.1.url");
    expect(twice.message).toContain("is the URL of webhooks.0 too");
  });

  it("names an unknown event type, and refuses an empty list", () => {
    const error = thrown([hook({ events: ["user.registered", "user.signed_up" as "*"] })]);
    expect(error.option).toBe("webhooks.0.events.1");
    expect(error.message).toContain('"user.signed_up" is not an event type');
    expect(error.message).toContain('or "*" for every event');
    expect(thrown([hook({ events: [] })]).message).toContain(
      'events must list at least one event type, or "*"',
    );
    const missing = thrown([{ url: "https://hooks.example.com", secret: SECRET }]);
    expect(missing.option).toBe("webhooks.0.events");
  });

  it("refuses a timeout out of range and unknown endpoint fields", () => {
    expect(thrown([hook({ timeoutSeconds: 0 })]).option).toBe("webhooks.0.timeoutSeconds");
    expect(thrown([hook({ timeoutSeconds: 61 })]).option).toBe("webhooks.0.timeoutSeconds");
    const typo = thrown([{ ...hook(), event: ["*"] }]);
    expect(typo.option).toBe("webhooks.0.event");
  });
});
