import { describe, expect, it } from "vitest";
import { call, manualClock, registered } from "../helpers.js";
import {
  loginOptions,
  passkeyAuth,
  passkeyLogin,
  softAuthenticator,
  userWithPasskey,
} from "./helpers.js";
import { SoftAuthenticator } from "./soft-authenticator.js";

/* Each test forges the response an attacker (or a broken client) would send, and expects 4xx. */

async function registrationOptions(auth: ReturnType<typeof passkeyAuth>, cookie: string) {
  const result = await call(auth, "POST", "/auth/passkey/register/options", { cookie });
  return result.json as never;
}

async function registerWith(
  auth: ReturnType<typeof passkeyAuth>,
  cookie: string,
  response: unknown,
) {
  return call(auth, "POST", "/auth/passkey/register/verify", { cookie, body: response });
}

describe("wrong origin", () => {
  it("rejects a registration made on another origin", async () => {
    const auth = passkeyAuth();
    const { cookie } = await registered(auth);
    const response = softAuthenticator().create(await registrationOptions(auth, cookie), {
      origin: "https://evil.example",
    });
    const result = await registerWith(auth, cookie, response);
    expect(result.status).toBe(401);
    expect(result.json?.error.code).toBe("invalid_credentials");
    const list = await call(auth, "GET", "/auth/passkeys", { cookie });
    expect(list.json?.passkeys).toEqual([]);
  });

  it("rejects a sign-in made on another origin", async () => {
    const auth = passkeyAuth();
    const { authenticator } = await userWithPasskey(auth);
    const response = authenticator.get(await loginOptions(auth), {
      origin: "http://localhost:3001",
    });
    expect((await passkeyLogin(auth, response)).status).toBe(401);
  });

  it("accepts every configured origin and only those", async () => {
    const auth = passkeyAuth({
      passkey: { origins: ["http://localhost:3000", "http://app.localhost:3000"] },
    });
    const { authenticator } = await userWithPasskey(auth);
    const other = authenticator.get(await loginOptions(auth), {
      origin: "http://app.localhost:3000",
    });
    expect((await passkeyLogin(auth, other)).status).toBe(200);
  });
});

describe("another RP ID", () => {
  it("rejects a registration scoped to another RP ID", async () => {
    const auth = passkeyAuth();
    const { cookie } = await registered(auth);
    const response = softAuthenticator().create(await registrationOptions(auth, cookie), {
      rpID: "evil.example",
    });
    expect((await registerWith(auth, cookie, response)).status).toBe(401);
  });

  it("rejects a sign-in signed for another RP ID", async () => {
    const auth = passkeyAuth();
    const { authenticator } = await userWithPasskey(auth);
    const response = authenticator.get(await loginOptions(auth), { rpID: "example.com" });
    expect((await passkeyLogin(auth, response)).status).toBe(401);
  });
});

describe("challenges", () => {
  it("are single-use: a replayed sign-in response fails", async () => {
    const auth = passkeyAuth();
    const { authenticator } = await userWithPasskey(auth);
    const response = authenticator.get(await loginOptions(auth));
    expect((await passkeyLogin(auth, response)).status).toBe(200);
    const replay = await passkeyLogin(auth, response);
    expect(replay.status).toBe(401);
    expect(replay.json?.error.message).toMatch(/challenge/);
  });

  it("are single-use under concurrency: one of many simultaneous answers wins", async () => {
    const auth = passkeyAuth();
    const { authenticator } = await userWithPasskey(auth);
    const response = authenticator.get(await loginOptions(auth));
    const results = await Promise.all(
      Array.from({ length: 6 }, () => passkeyLogin(auth, response)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401, 401, 401, 401]);
  });

  it("are spent by a failed attempt too", async () => {
    const auth = passkeyAuth();
    const { authenticator } = await userWithPasskey(auth);
    const options = await loginOptions(auth);
    const bad = authenticator.get(options, { origin: "https://evil.example" });
    expect((await passkeyLogin(auth, bad)).status).toBe(401);
    const good = authenticator.get(options);
    expect((await passkeyLogin(auth, good)).status).toBe(401);
  });

  it("expire after 5 minutes", async () => {
    const clock = manualClock();
    const auth = passkeyAuth({ clock });
    const { authenticator } = await userWithPasskey(auth);
    const late = await loginOptions(auth);
    const inTime = await loginOptions(auth);
    clock.advance(299);
    expect((await passkeyLogin(auth, authenticator.get(inTime))).status).toBe(200);
    clock.advance(2);
    expect((await passkeyLogin(auth, authenticator.get(late))).status).toBe(401);
  });

  it("of registration cannot be used to sign in", async () => {
    const auth = passkeyAuth();
    const { authenticator, cookie } = await userWithPasskey(auth);
    const registration = (await registrationOptions(auth, cookie)) as { challenge: string };
    const response = authenticator.get(await loginOptions(auth), {
      challenge: registration.challenge,
    });
    expect((await passkeyLogin(auth, response)).status).toBe(401);
  });

  it("of sign-in cannot be used to register", async () => {
    const auth = passkeyAuth();
    const { cookie } = await registered(auth);
    const login = (await loginOptions(auth)) as { challenge: string };
    const response = softAuthenticator().create(await registrationOptions(auth, cookie), {
      challenge: login.challenge,
    });
    expect((await registerWith(auth, cookie, response)).status).toBe(401);
  });

  it("of one user's registration cannot add a passkey to another user", async () => {
    const auth = passkeyAuth();
    const ada = await registered(auth, "ada@example.com");
    const eve = await registered(auth, "eve@example.com");
    const adas = softAuthenticator().create(await registrationOptions(auth, ada.cookie));
    expect((await registerWith(auth, eve.cookie, adas)).status).toBe(401);
    const list = await call(auth, "GET", "/auth/passkeys", { cookie: eve.cookie });
    expect(list.json?.passkeys).toEqual([]);
  });

  it("unknown to the server are refused", async () => {
    const auth = passkeyAuth();
    const { authenticator } = await userWithPasskey(auth);
    const response = authenticator.get(await loginOptions(auth), {
      challenge: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    });
    expect((await passkeyLogin(auth, response)).status).toBe(401);
  });
});

describe("id and rawId", () => {
  it("must name the same credential (sign-in)", async () => {
    const auth = passkeyAuth();
    const ada = await userWithPasskey(auth);
    const bob = await userWithPasskey(auth, undefined, "bob@example.com");
    const response = ada.authenticator.get(await loginOptions(auth));
    const result = await passkeyLogin(auth, { ...response, id: bob.passkey.id });
    expect(result.status).toBe(400);
    expect(result.json?.error.code).toBe("invalid_request");
  });

  it("must name the same credential (registration)", async () => {
    const auth = passkeyAuth();
    const { cookie } = await registered(auth);
    const response = softAuthenticator().create(await registrationOptions(auth, cookie));
    const result = await registerWith(auth, cookie, { ...response, id: "c29tZXRoaW5nLWVsc2U" });
    expect(result.status).toBe(400);
  });

  it("must be the credential the authenticator attested", async () => {
    const auth = passkeyAuth();
    const { cookie } = await registered(auth);
    const response = softAuthenticator().create(await registrationOptions(auth, cookie));
    const claimed = "c29tZXRoaW5nLWVsc2U";
    const result = await registerWith(auth, cookie, { ...response, id: claimed, rawId: claimed });
    expect(result.status).toBe(401);
  });
});

describe("user verification", () => {
  it("when required, rejects a registration without it", async () => {
    const auth = passkeyAuth({ passkey: { userVerification: "required" } });
    const { cookie } = await registered(auth);
    const options = (await registrationOptions(auth, cookie)) as {
      authenticatorSelection: unknown;
    };
    expect(options.authenticatorSelection).toMatchObject({ userVerification: "required" });
    const response = softAuthenticator({ userVerified: false }).create(options as never);
    expect((await registerWith(auth, cookie, response)).status).toBe(401);
  });

  it("when required, rejects a sign-in without it", async () => {
    const auth = passkeyAuth({ passkey: { userVerification: "required" } });
    const { authenticator } = await userWithPasskey(auth);
    const options = await loginOptions(auth);
    expect(options).toMatchObject({ userVerification: "required" });
    const response = authenticator.get(options, { userVerified: false });
    expect((await passkeyLogin(auth, response)).status).toBe(401);
  });

  it("when preferred, accepts a sign-in with user presence only", async () => {
    const auth = passkeyAuth();
    const { authenticator } = await userWithPasskey(auth);
    const response = authenticator.get(await loginOptions(auth), { userVerified: false });
    expect((await passkeyLogin(auth, response)).status).toBe(200);
  });
});

describe("signature counter", () => {
  it("rejects a counter that goes backwards, and reports a possible clone", async () => {
    const auth = passkeyAuth();
    const { authenticator, passkey } = await userWithPasskey(auth);
    expect(
      (await passkeyLogin(auth, authenticator.get(await loginOptions(auth), { counter: 5 })))
        .status,
    ).toBe(200);
    const suspected: unknown[] = [];
    auth.on("passkey.clone_suspected", (event) => void suspected.push(event));
    for (const counter of [5, 3]) {
      const replay = authenticator.get(await loginOptions(auth), { counter });
      const result = await passkeyLogin(auth, replay);
      expect(result.status).toBe(401);
      expect(result.json?.error.message).toMatch(/cloned/);
    }
    expect(suspected).toEqual([
      expect.objectContaining({ passkeyId: passkey.id, storedCounter: 5, presentedCounter: 5 }),
      expect.objectContaining({ passkeyId: passkey.id, storedCounter: 5, presentedCounter: 3 }),
    ]);
    const stored = await auth.storage.passkeys.findById(passkey.id);
    expect(stored?.counter).toBe(5);
  });

  it("lets only one of two concurrent sign-ins with the same counter through", async () => {
    const auth = passkeyAuth();
    const { authenticator } = await userWithPasskey(auth);
    const first = authenticator.get(await loginOptions(auth), { counter: 7 });
    const second = authenticator.get(await loginOptions(auth), { counter: 7 });
    const results = await Promise.all([passkeyLogin(auth, first), passkeyLogin(auth, second)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it("accepts authenticators that keep no counter (always 0)", async () => {
    const auth = passkeyAuth();
    const { authenticator } = await userWithPasskey(auth);
    for (let i = 0; i < 2; i++) {
      const response = authenticator.get(await loginOptions(auth), { counter: 0 });
      expect((await passkeyLogin(auth, response)).status).toBe(200);
    }
  });
});

describe("forged credentials", () => {
  it("rejects a signature from a key that is not the registered one", async () => {
    const auth = passkeyAuth();
    const { authenticator } = await userWithPasskey(auth);
    const impostor = new SoftAuthenticator({ origin: "http://localhost:3000" });
    const { cookie } = await registered(auth, "mallory@example.com");
    // Mallory's key, presented under Ada's credential id.
    impostor.create(await registrationOptions(auth, cookie));
    const options = await loginOptions(auth);
    const forged = impostor.get(options);
    const genuine = authenticator.get(await loginOptions(auth));
    const result = await passkeyLogin(auth, {
      ...forged,
      id: genuine.id,
      rawId: genuine.rawId,
      response: { ...forged.response, userHandle: genuine.response.userHandle },
    });
    expect(result.status).toBe(401);
  });

  it("rejects a user handle that is not the passkey owner's", async () => {
    const auth = passkeyAuth();
    const { authenticator } = await userWithPasskey(auth);
    const response = authenticator.get(await loginOptions(auth));
    const tampered = {
      ...response,
      response: { ...response.response, userHandle: "c29tZW9uZS1lbHNl" },
    };
    expect((await passkeyLogin(auth, tampered)).status).toBe(401);
  });
});
