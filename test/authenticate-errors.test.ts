import { afterEach, describe, expect, it, vi } from "vitest";
import { memoryStorage } from "../src/index.js";
import { makeAuth, registered, sessionTokenFrom } from "./helpers.js";

/** memoryStorage whose sessions.get throws while `down` is set, as a database outage would. */
function flakyStorage() {
  const storage = memoryStorage();
  const state = { down: false };
  const get = storage.sessions.get.bind(storage.sessions);
  storage.sessions.get = async (id) => {
    if (state.down) throw new Error("connect ECONNREFUSED 10.0.0.5:5432");
    return get(id);
  };
  return { storage, state };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("authenticate() when storage fails", () => {
  it("fails closed and logs the error, so an outage is not read as everyone signed out", async () => {
    const { storage, state } = flakyStorage();
    // Every read must reach storage: a session the cache holds is served through a storage
    // outage (test/cache/session-cache.test.ts), which is not what this is about.
    const auth = makeAuth({ storage, session: { cache: false } });
    const { cookie, response } = await registered(auth);
    expect(await auth.authenticate({ cookie })).not.toBeNull();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    state.down = true;
    expect(await auth.authenticate({ cookie })).toBeNull();
    expect(
      await auth.authenticate(
        new Headers({ authorization: `Bearer ${sessionTokenFrom(response)}` }),
      ),
    ).toBeNull();
    // The same failure twice in a row is one line: a burst is logged once (FAILURE_LOG_INTERVAL_MS).
    expect(errors).toHaveBeenCalledTimes(1);
    const [line] = errors.mock.calls[0] as [string];
    expect(line).toMatch(/^\[portcullis\] error: authenticate failed/);
    expect(line).toContain("ECONNREFUSED");
  });

  it("logs nothing for a credential that is merely wrong, malformed or absent", async () => {
    const auth = makeAuth();
    const { cookie } = await registered(auth);
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const wrongSecret = `${cookie.slice(0, -4)}AAAA`;
    for (const headers of [
      { cookie: wrongSecret },
      { cookie: "portcullis.session=not-a-token" },
      { authorization: "Bearer a.b.c" },
      { authorization: "Bearer eyJhbGciOiJFZERTQSJ9.e30.AAAA" },
      { authorization: "Basic Zm9vOmJhcg==" },
      {},
    ]) {
      expect(await auth.authenticate(headers)).toBeNull();
    }
    expect(errors).not.toHaveBeenCalled();
  });
});
