// Access-token verifications per second, beside jose's own jwtVerify on the same token and key
// in the same run, and auth.authenticate with a Bearer JWT beside one with a session cookie.
//
// portcullis/verify adds to jose: the `kid` lookup, the claim checks (typ, iss, aud, sid, jti,
// iat), and the error mapping; the ratio is that cost. auth.authenticate with a JWT adds the
// session and user reads (its revocation check) on the memory store.
//
//   npm run build && node bench/tokens-verify.mjs
//
// Uses the built package (dist/); set PORTCULLIS_DIST to use another build.
// BENCH_SECONDS (default 2) per row.
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createLocalJWKSet, jwtVerify } from "jose";

const DIST = process.env.PORTCULLIS_DIST ?? fileURLToPath(new URL("../dist/", import.meta.url));
const load = (name) => import(pathToFileURL(join(DIST, `${name}.js`)).href);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

const core = await load("index");
const { createAccessTokenVerifier } = await load("verify");

/** Runs `operation` sequentially for SECONDS after a warm-up; returns operations per second. */
async function throughput(operation) {
  async function run(seconds) {
    let count = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    while (performance.now() < end) {
      await operation();
      count++;
    }
    return count / ((performance.now() - start) / 1000);
  }
  await run(Math.min(1, SECONDS / 2));
  return run(SECONDS);
}

async function setup(tokens) {
  const auth = core.createAuth({
    baseURL: "http://localhost:3000",
    secret: "bench-secret-that-is-at-least-32-bytes-long",
    storage: core.memoryStorage(),
    passwordHasher: core.pbkdf2({ iterations: 1000, dangerouslyWeak: true }),
    tokens,
  });
  const { token: sessionToken } = await auth.api.register({
    email: "bench@example.com",
    password: "correct horse battery staple",
  });
  const issued = await auth.api.issueTokens({
    username: "bench@example.com",
    password: "correct horse battery staple",
  });
  return { auth, sessionToken, accessToken: issued.accessToken };
}

const rows = [];
const { auth, sessionToken, accessToken } = await setup();
const jwks = await auth.api.jwks();
const options = { issuer: "http://localhost:3000", audience: "http://localhost:3000" };

const joseSet = createLocalJWKSet(jwks);
const raw = await throughput(() => jwtVerify(accessToken, joseSet, options));
const verify = createAccessTokenVerifier({ jwks, ...options });
const ours = await throughput(() => verify(accessToken));
rows.push(["jose jwtVerify (EdDSA), baseline", raw, 1]);
rows.push(["portcullis/verify (EdDSA)", ours, ours / raw]);

const cookie = { cookie: `${auth.config.cookieName}=${sessionToken}` };
const bearer = { authorization: `Bearer ${accessToken}` };
const byCookie = await throughput(() => auth.authenticate(cookie));
const byJwt = await throughput(() => auth.authenticate(bearer));
rows.push(["auth.authenticate, session cookie, baseline", byCookie, 1]);
rows.push(["auth.authenticate, Bearer JWT", byJwt, byJwt / byCookie]);

console.log("| operation | ops/s | ratio to baseline |\n| --- | ---: | ---: |");
for (const [name, perSecond, ratio] of rows) {
  console.log(`| ${name} | ${Math.round(perSecond).toLocaleString("en")} | ${ratio.toFixed(2)} |`);
}
