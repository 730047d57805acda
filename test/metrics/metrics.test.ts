import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sendWebResponse, toWebRequest } from "../../adapters/node-http/index.js";
import { ConfigError, memoryStorage } from "../../src/index.js";
import { DURATION_BUCKETS } from "../../src/metrics/auth-metrics.js";
import { call, makeAuth, manualClock, PASSWORD, registered, sessionTokenFrom } from "../helpers.js";
import { captureMailer } from "../mail/fixtures.js";

/*
 * Prometheus metrics (DESIGN §6): `auth.metrics()` and `GET /auth/metrics`. The counters move
 * with real flows, the histogram is labelled by route pattern, the route is never public, and
 * the output passes Prometheus' own `promtool check metrics`.
 */

const TOKEN = "metrics-token-0123456789";
const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

function setup(overrides: Parameters<typeof makeAuth>[0] = {}) {
  const mailer = captureMailer();
  const auth = makeAuth({ mailer, metrics: { token: TOKEN }, ...overrides });
  return { auth, mailer };
}

/** The samples of an exposition, by series exactly as written: `name{a="x",b="y"}`. */
function samples(text: string): Map<string, number> {
  const result = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    result.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return result;
}

/** One sample's value, labels given in the metric's label order; undefined when absent. */
async function value(
  auth: { metrics(): Promise<string> },
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const pairs = Object.entries(labels).map(([key, v]) => `${key}="${v}"`);
  const series = pairs.length > 0 ? `${name}{${pairs.join(",")}}` : name;
  return samples(await auth.metrics()).get(series);
}

const signIns = (outcome: string, method = "password") => ({ method, outcome });

describe("metrics", () => {
  afterEach(() => vi.restoreAllMocks());

  it("count sign-ups, successful and failed sign-ins and lockouts from the events", async () => {
    const { auth } = setup({ rateLimit: { loginFailures: { freeAttempts: 2 } } });
    expect(await value(auth, "portcullis_lockouts_total")).toBe(0);
    expect(await value(auth, "portcullis_sign_ins_total", signIns("success"))).toBeUndefined();

    await registered(auth, "ada@example.com");
    expect(await value(auth, "portcullis_sign_ups_total", { method: "password" })).toBe(1);
    // Registration signs in (its event says so).
    expect(await value(auth, "portcullis_sign_ins_total", signIns("success"))).toBe(1);

    await call(auth, "POST", "/auth/login", {
      body: { email: "nobody@example.com", password: PASSWORD },
    });
    const good = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    expect(good.status).toBe(200);
    // Not only over HTTP: auth.api flows emit the same events.
    await auth.api.login({ email: "ada@example.com", password: PASSWORD });
    expect(await value(auth, "portcullis_sign_ins_total", signIns("success"))).toBe(3);
    expect(await value(auth, "portcullis_sign_ins_total", signIns("failure"))).toBe(1);

    // Two wrong passwords lock password sign-in; the next attempt is refused with 429.
    for (const wrong of ["wrong password 1", "wrong password 2"]) {
      await call(auth, "POST", "/auth/login", {
        body: { email: "ada@example.com", password: wrong },
      });
    }
    expect(await value(auth, "portcullis_lockouts_total")).toBe(1);
    const locked = await call(auth, "POST", "/auth/login", {
      body: { email: "ada@example.com", password: PASSWORD },
    });
    expect(locked.status).toBe(429);
    expect(await value(auth, "portcullis_sign_ins_total", signIns("failure"))).toBe(4);
    expect(await value(auth, "portcullis_rate_limited_total", { route: "/login" })).toBe(1);
  });

  it("count every 429 under the matched route pattern, and label requests by pattern, never path", async () => {
    const { auth } = setup({ rateLimit: { perIP: { max: 1, window: 60 } } });
    const ip = { clientIP: "203.0.113.7" };
    const first = await call(auth, "POST", "/auth/register", {
      body: { email: "ada@example.com", password: PASSWORD },
      ...ip,
    });
    expect(first.status).toBe(201);
    const second = await call(auth, "POST", "/auth/register", {
      body: { email: "bob@example.com", password: PASSWORD },
      ...ip,
    });
    expect(second.status).toBe(429);
    expect(await value(auth, "portcullis_rate_limited_total", { route: "/register" })).toBe(1);

    const token = sessionTokenFrom(first.response);
    const sessionId = "session-id-that-must-not-become-a-label";
    await call(auth, "DELETE", `/auth/sessions/${sessionId}`, { bearer: token });
    await call(auth, "GET", "/auth/no/such/route-id-12345");
    const text = await auth.metrics();
    expect(text).toContain('route="/sessions/:id",status="404"');
    expect(text).toContain('route="unmatched",status="404"');
    expect(text).toContain('route="/register",status="429"');
    expect(text).not.toContain(sessionId);
    expect(text).not.toContain("route-id-12345");
  });

  it("time each request in a histogram with the route label and cumulative buckets", async () => {
    const { auth } = setup();
    await registered(auth, "ada@example.com");
    for (let i = 0; i < 3; i++) {
      await call(auth, "POST", "/auth/login", {
        body: { email: "ada@example.com", password: "no" },
      });
    }
    const all = samples(await auth.metrics());
    const name = "portcullis_http_request_duration_seconds";
    const series = 'route="/login",status="401"';
    const buckets = [...all].filter(([key]) => key.startsWith(`${name}_bucket{${series},`));
    expect(buckets.map(([key]) => /le="([^"]+)"/.exec(key)?.[1])).toEqual([
      ...DURATION_BUCKETS.map(String),
      "+Inf",
    ]);
    const counts = buckets.map(([, count]) => count);
    expect(counts).toEqual([...counts].sort((a, b) => a - b)); // cumulative: never decreasing
    expect(counts.at(-1)).toBe(3);
    expect(all.get(`${name}_count{${series}}`)).toBe(3);
    expect(all.get(`${name}_sum{${series}}`)).toBeGreaterThan(0);
    expect(all.get(`${name}_count{route="/register",status="201"}`)).toBe(1);
  });

  it("count mail sent, failed and dead, and read the outbox backlog at scrape time", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const clock = manualClock();
    const { auth, mailer } = setup({ clock, outbox: { maxAttempts: 1 } });
    await auth.api.register({ email: "ada@example.com", password: PASSWORD });
    await auth.api.register({ email: "bob@example.com", password: PASSWORD });
    for (const outcome of ["sent", "failed", "dead"]) {
      expect(await value(auth, "portcullis_mail_total", { outcome })).toBe(0);
    }

    mailer.failNext(1);
    await call(auth, "POST", "/auth/magic-link", { body: { email: "ada@example.com" } });
    await call(auth, "POST", "/auth/magic-link", { body: { email: "bob@example.com" } });
    await auth.api.flushOutbox();
    expect(mailer.sent.map((message) => message.to)).toEqual(["bob@example.com"]);
    expect(await value(auth, "portcullis_mail_total", { outcome: "sent" })).toBe(1);
    expect(await value(auth, "portcullis_mail_total", { outcome: "failed" })).toBe(1);
    expect(await value(auth, "portcullis_mail_total", { outcome: "dead" })).toBe(1);
    // Dead letters are not backlog.
    expect(await value(auth, "portcullis_outbox_backlog")).toBe(0);
  });

  it("show a message waiting for its retry in the backlog until it is sent", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const clock = manualClock();
    const { auth, mailer } = setup({ clock, outbox: { maxAttempts: 3 } });
    await auth.api.register({ email: "ada@example.com", password: PASSWORD });
    mailer.failNext(1);
    await auth.api.requestMagicLink({ email: "ada@example.com" });
    await auth.api.flushOutbox();
    expect(await value(auth, "portcullis_outbox_backlog")).toBe(1);
    expect(await value(auth, "portcullis_mail_total", { outcome: "failed" })).toBe(1);
    clock.advance(120);
    await auth.api.flushOutbox();
    expect(await value(auth, "portcullis_outbox_backlog")).toBe(0);
    expect(await value(auth, "portcullis_mail_total", { outcome: "sent" })).toBe(1);
    expect(await value(auth, "portcullis_mail_total", { outcome: "dead" })).toBe(0);
  });

  it("leave the backlog without a sample when the outbox store cannot count, or fails to", async () => {
    const storage = memoryStorage();
    const { countPending: _, ...outbox } = storage.outbox;
    const { auth } = setup({ storage: { ...storage, outbox } });
    const text = await auth.metrics();
    expect(text).toContain("# TYPE portcullis_outbox_backlog gauge\n");
    expect(samples(text).has("portcullis_outbox_backlog")).toBe(false);

    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const failing = memoryStorage();
    failing.outbox.countPending = async () => {
      throw new Error("database down");
    };
    const down = setup({ storage: failing }).auth;
    const scraped = await down.metrics();
    expect(samples(scraped).has("portcullis_outbox_backlog")).toBe(false);
    expect(scraped).toContain("portcullis_lockouts_total 0");
    expect(error).toHaveBeenCalled();
  });

  it("declare the webhook deliveries counter, without samples until webhooks exist", async () => {
    const text = await setup().auth.metrics();
    expect(text).toContain("# TYPE portcullis_webhook_deliveries_total counter\n");
    expect(text).not.toMatch(/^portcullis_webhook_deliveries_total/m);
  });

  it("are per instance", async () => {
    const one = setup().auth;
    const two = setup().auth;
    await registered(one, "ada@example.com");
    expect(await value(one, "portcullis_sign_ups_total", { method: "password" })).toBe(1);
    expect(await value(two, "portcullis_sign_ups_total", { method: "password" })).toBeUndefined();
  });
});

describe("GET /auth/metrics", () => {
  it("answers 404 like an unknown route without the metrics option", async () => {
    const auth = makeAuth();
    const metrics = await call(auth, "GET", "/auth/metrics", { bearer: TOKEN });
    const unknown = await call(auth, "GET", "/auth/no-such-route", { bearer: TOKEN });
    expect(metrics.status).toBe(404);
    expect(metrics.json).toEqual(unknown.json);
    // auth.metrics() itself works without the option: serving it is the option's business.
    expect(await auth.metrics()).toContain("# TYPE portcullis_sign_ins_total counter");
  });

  it("answers 401 unauthenticated without the right Bearer token", async () => {
    const { auth } = setup();
    const { cookie, response } = await registered(auth, "ada@example.com");
    const attempts = [
      {},
      { bearer: "metrics-token-0123456788" },
      { bearer: TOKEN.slice(0, -1) },
      { bearer: `${TOKEN}x` },
      { cookie },
      { bearer: sessionTokenFrom(response) },
      { headers: { authorization: `Basic ${btoa(`metrics:${TOKEN}`)}` } },
    ];
    for (const attempt of attempts) {
      const answer = await call(auth, "GET", "/auth/metrics", attempt);
      expect(answer.status, JSON.stringify(attempt)).toBe(401);
      expect(answer.json?.error.code).toBe("unauthenticated");
      expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
  });

  it("serves the exposition with the token", async () => {
    const { auth } = setup();
    await registered(auth, "ada@example.com");
    const answer = await auth.handler(
      new Request("http://localhost:3000/auth/metrics", {
        headers: { authorization: `Bearer ${TOKEN}` },
      }),
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe(CONTENT_TYPE);
    expect(answer.headers.get("cache-control")).toBe("no-store");
    const text = await answer.text();
    expect(text).toContain('portcullis_sign_ups_total{method="password"} 1\n');
    expect(text.endsWith("\n")).toBe(true);
  });

  it("refuses a short or unusable token at startup, naming the option", () => {
    const attempt = (metrics: unknown) => () => makeAuth({ metrics } as never);
    expect(attempt({ token: "too-short" })).toThrow(ConfigError);
    expect(attempt({ token: "too-short" })).toThrow(/metrics\.token must be at least 16/);
    expect(attempt({ token: "sixteen chars with spaces" })).toThrow(/printable ASCII/);
    expect(attempt({})).toThrow(/metrics\.token/);
    expect(attempt({ token: TOKEN, path: "/metrics" })).toThrow(/metrics\.path/);
  });
});

/** `promtool` on the PATH (Debian: apt-get install prometheus), or null. */
function findPromtool(): string | null {
  const found = spawnSync("promtool", ["--version"], { encoding: "utf8" });
  return found.status === 0 ? "promtool" : null;
}

const promtool = findPromtool();
const inCI = process.env.CI === "true" || process.env.CI === "1";
if (!promtool && !inCI) {
  console.warn(
    "\n[portcullis] promtool not found (apt-get install prometheus): the promtool check of the metrics is SKIPPED\n",
  );
}

describe("the exposition", () => {
  it.skipIf(!promtool && !inCI)("passes promtool check metrics", async () => {
    if (!promtool) throw new Error("promtool is required in CI: apt-get install prometheus");
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { auth, mailer } = setup({
      rateLimit: { perIP: { max: 2, window: 60 }, loginFailures: { freeAttempts: 2 } },
      outbox: { maxAttempts: 1 },
    });
    const ip = { clientIP: "203.0.113.7" };
    await registered(auth, "ada@example.com");
    for (let i = 0; i < 3; i++) {
      await call(auth, "POST", "/auth/login", {
        body: { email: "ada@example.com", password: `wrong ${i}` },
        ...ip,
      });
    }
    mailer.failNext(1);
    await auth.api.requestMagicLink({ email: "ada@example.com" });
    await auth.api.register({ email: "bob@example.com", password: PASSWORD });
    await auth.api.requestMagicLink({ email: "bob@example.com" });
    await auth.api.flushOutbox();
    await call(auth, "GET", "/auth/nowhere");
    await auth.handler(
      new Request("http://localhost:3000/auth/metrics", {
        headers: { authorization: `Bearer ${TOKEN}` },
      }),
    );
    const text = await auth.metrics();
    // Every kind of sample is there, so the check covers each.
    for (const name of [
      "portcullis_sign_ins_total{",
      "portcullis_sign_ups_total{",
      "portcullis_lockouts_total 1",
      "portcullis_rate_limited_total{",
      'portcullis_mail_total{outcome="dead"} 1',
      'portcullis_mail_total{outcome="sent"} 1',
      "portcullis_http_request_duration_seconds_bucket{",
      "portcullis_outbox_backlog 0",
    ]) {
      expect(text).toContain(name);
    }
    const checked = spawnSync(promtool, ["check", "metrics"], { input: text, encoding: "utf8" });
    expect(checked.stdout + checked.stderr).toBe("");
    expect(checked.status).toBe(0);
  });

  it("is scraped over real HTTP the way Prometheus scrapes it", async () => {
    const { auth } = setup();
    await registered(auth, "ada@example.com");
    const server = createServer(async (req, res) => {
      const request = toWebRequest(req, new URL(req.url ?? "/", "http://localhost:3000").href);
      await sendWebResponse(
        res,
        await auth.handler(request, { clientIP: req.socket.remoteAddress }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/auth/metrics`;
    // The headers Prometheus 2.x sends on a scrape with `authorization: { credentials }`.
    const scrape = (authorization?: string) =>
      fetch(url, {
        headers: {
          accept:
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
          "accept-encoding": "gzip",
          "user-agent": "Prometheus/2.42.0",
          "x-prometheus-scrape-timeout-seconds": "10",
          ...(authorization ? { authorization } : {}),
        },
      });
    try {
      const refused = await scrape();
      expect(refused.status).toBe(401);
      const answer = await scrape(`Bearer ${TOKEN}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get("content-type")).toBe(CONTENT_TYPE);
      const scraped = samples(await answer.text());
      expect(scraped.get('portcullis_sign_ups_total{method="password"}')).toBe(1);
      // The first scrape was answered and timed too.
      expect(
        scraped.get(
          'portcullis_http_request_duration_seconds_count{route="/metrics",status="401"}',
        ),
      ).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
