// What the guard costs a route, side by side (issue 16): a route that answers "ok", bare and
// behind Portcullis' `requireAuth` on each store, and behind better-auth's `getSession`, all
// on Hono over @hono/node-server.
//
//   npm run build && node bench/authenticate.mjs        (or: npm run bench -- authenticate)
//
// Two server processes, one at a time, each pinned to the server core (bench/lib/pinned.mjs):
// Portcullis' (bare, memory, SQLite, PostgreSQL users + Redis sessions, Bearer access JWT, and
// the same without the session cache) and better-auth's (bare, getSession on its memory
// adapter with the cookie cache off and on). wrk (Debian's; autocannon where wrk is missing)
// drives each route from the other core. Rounds are interleaved (every route once per round),
// and each route's ratio is to the bare route of its own server in the same round; the table
// shows medians. Beside the throughput, the server's CPU time per request (from /proc): with
// the server's core saturated the two ratios agree, and when they do not, the load generator
// or a neighbour on the machine was the limit, not the route.
//
// Environment: BENCH_SECONDS (default 5) per route and round, BENCH_ROUNDS (default 3),
// BENCH_CONNECTIONS (default 50), PORTCULLIS_DIST (default dist/), POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/test) and REDIS_URL (default redis://127.0.0.1:6379):
// the PostgreSQL + Redis row is skipped when either is unreachable. BENCH_PROFILE=1 runs the
// Portcullis server with --cpu-prof (the profile lands in test-artifacts/bench-profiles/).
// `--only memory,jwt` measures only the rows whose key contains one of the words.
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  cpuSeconds,
  firstMessage,
  forkOn,
  machine,
  median,
  pinSelf,
  printTable,
  SERVER_CORE,
  saturate,
} from "./lib/pinned.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const DIST = process.env.PORTCULLIS_DIST ?? fileURLToPath(new URL("../dist/", import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ONLY = (() => {
  const at = process.argv.indexOf("--only");
  return at > 0 ? (process.argv[at + 1] ?? "").split(",").filter(Boolean) : [];
})();

/** The rows, in print order: which server serves them, and the target ratio. */
const ROWS = [
  {
    key: "noop",
    server: "portcullis",
    label: "reference: a middleware that only calls next()",
  },
  {
    key: "headers",
    server: "portcullis",
    label: "reference: a middleware that reads the credential headers and sets a variable",
  },
  {
    key: "floor",
    server: "portcullis",
    label: "reference: the least a hashed-secret guard does (cookie, id lookup, SHA-256 compare)",
  },
  { key: "memory", server: "portcullis", label: "Portcullis session cookie, memory", target: 0.85 },
  { key: "sqlite", server: "portcullis", label: "Portcullis session cookie, SQLite", target: 0.85 },
  {
    key: "pg-redis",
    server: "portcullis",
    label: "Portcullis session cookie, PostgreSQL users + Redis sessions",
    target: 0.75,
  },
  {
    key: "jwt",
    server: "portcullis",
    label: "Portcullis Bearer access JWT (EdDSA), memory",
    target: 0.85,
  },
  { key: "memory-uncached", server: "portcullis", label: "  same, session.cache: false: memory" },
  { key: "sqlite-uncached", server: "portcullis", label: "  same, session.cache: false: SQLite" },
  {
    key: "pg-redis-uncached",
    server: "portcullis",
    label: "  same, session.cache: false: PostgreSQL + Redis",
  },
  { key: "jwt-uncached", server: "portcullis", label: "  same, session.cache: false: Bearer JWT" },
  {
    key: "ba-memory",
    server: "better-auth",
    label: "better-auth getSession, memory, cookie cache off",
  },
  {
    key: "ba-memory-cookie-cache",
    server: "better-auth",
    label: "better-auth getSession, memory, cookie cache on",
  },
];

if (process.argv[2] === "--serve") {
  const { servePortcullis, serveBetterAuth } = await import("./lib/guard-servers.mjs");
  if (process.argv[3] === "portcullis") await servePortcullis(DIST);
  else await serveBetterAuth();
} else {
  await main();
}

async function main() {
  for (const file of ["index.js", "hono.js", "sqlite.js", "postgres.js", "redis.js"]) {
    if (!existsSync(`${DIST}/${file}`)) {
      console.error(`No ${file} in ${DIST}: run \`npm run build\` first.`);
      process.exit(1);
    }
  }
  pinSelf();
  const about = machine();
  const wanted = ROWS.filter(
    (row) => ONLY.length === 0 || ONLY.some((word) => row.key.includes(word)),
  );
  const servers = {};
  try {
    for (const name of new Set(wanted.map((row) => row.server))) {
      servers[name] = await start(name);
    }
    const runs = Object.fromEntries(wanted.map((row) => [row.key, []]));
    const bare = Object.fromEntries(Object.keys(servers).map((name) => [name, []]));
    const skipped = {};
    for (const row of wanted) {
      const target = servers[row.server].targets[row.key];
      if (typeof target === "string") skipped[row.key] = target;
    }
    // Warm-up: every route once, briefly.
    for (const [name, server] of Object.entries(servers)) {
      await measure(server, server.targets.bare, 1);
      for (const row of wanted.filter((each) => each.server === name && !skipped[each.key])) {
        await measure(server, server.targets[row.key], 1);
      }
    }
    for (let round = 1; round <= ROUNDS; round++) {
      process.stderr.write(`round ${round}/${ROUNDS}...\n`);
      for (const [name, server] of Object.entries(servers)) {
        const base = await measure(server, server.targets.bare, SECONDS);
        bare[name].push(base);
        for (const row of wanted.filter((each) => each.server === name && !skipped[each.key])) {
          const result = await measure(server, server.targets[row.key], SECONDS);
          runs[row.key].push({
            ...result,
            ratio: result.rate / base.rate,
            cpuRatio: base.cpu / result.cpu,
          });
        }
      }
    }
    report(about, wanted, runs, bare, skipped);
  } finally {
    for (const server of Object.values(servers)) server.child.kill();
  }
}

async function start(name) {
  const execArgv = [];
  if (process.env.BENCH_PROFILE && name === "portcullis") {
    const dir = `${here}../test-artifacts/bench-profiles`;
    mkdirSync(dir, { recursive: true });
    execArgv.push("--cpu-prof", `--cpu-prof-dir=${dir}`);
  }
  const child = forkOn(SERVER_CORE, fileURLToPath(import.meta.url), ["--serve", name], {
    execArgv,
    env: { ...process.env, PORTCULLIS_DIST: DIST },
  });
  const { port, routes } = await firstMessage(child, `the ${name} server`);
  const targets = {};
  for (const [key, route] of Object.entries(routes)) {
    targets[key] =
      typeof route === "string"
        ? route
        : { url: `http://127.0.0.1:${port}${route.path}`, headers: route.headers };
  }
  return { child, targets };
}

/** Requests per second, p99 (ms) and the server's CPU µs per request of one run. */
async function measure(server, target, seconds) {
  const before = cpuSeconds(server.child.pid);
  const result = await saturate(target, { duration: seconds, connections: CONNECTIONS });
  const after = cpuSeconds(server.child.pid);
  if (result.failed > 0) {
    throw new Error(
      `${result.failed} requests to ${target.url} failed or were not 2xx: no numbers`,
    );
  }
  const cpu =
    before === null || after === null ? Number.NaN : ((after - before) * 1e6) / result.total;
  return { rate: result.rate, p99: result.p99, cpu };
}

function report(about, rows, runs, bare, skipped) {
  console.log(
    `\nGuarded GET on Hono (@hono/node-server), ${CONNECTIONS} connections, ${SECONDS} s per route, ${ROUNDS} interleaved rounds, medians`,
  );
  console.log(about);
  console.log();
  const table = [];
  for (const [name, results] of Object.entries(bare)) {
    table.push([
      `bare Hono (${name} server)`,
      fmt(median(results.map((r) => r.rate))),
      `${median(results.map((r) => r.p99))}`,
      "1.00",
      "",
      cpuCell(median(results.map((r) => r.cpu))),
      "1.00",
      "",
    ]);
  }
  for (const row of rows) {
    if (skipped[row.key]) {
      table.push([row.label, `skipped: ${skipped[row.key]}`, "", "", "", "", "", ""]);
      continue;
    }
    const results = runs[row.key];
    const ratios = results.map((r) => r.ratio);
    const ratio = median(ratios);
    table.push([
      row.label,
      fmt(median(results.map((r) => r.rate))),
      `${median(results.map((r) => r.p99))}`,
      ratio.toFixed(2),
      `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`,
      cpuCell(median(results.map((r) => r.cpu))),
      Number.isNaN(results[0].cpuRatio) ? "" : median(results.map((r) => r.cpuRatio)).toFixed(2),
      row.target === undefined ? "" : `${ratio >= row.target ? "meets" : "MISSES"} ${row.target}`,
    ]);
  }
  printTable(
    ["route", "req/s", "p99 ms", "x bare", "range", "CPU µs/req", "x bare (CPU)", "target"],
    table,
  );
  console.log(
    "\nx bare: throughput against the bare route of the same server and round. CPU µs/req: the server process's user + system time per request; x bare (CPU): the bare route's CPU per request over this route's, the ratio the throughput would show if only the server's core limited it. Targets are judged on x bare.",
  );
  if (runs.floor?.length) {
    const floor = median(runs.floor.map((r) => r.ratio)).toFixed(2);
    console.log(
      `\nThe floor: a guard that only reads the cookie, finds the id in a Map and compares the secret's SHA-256 (no expiry, no user, no copies) reached ${floor}x bare here. No guard that keeps only its secrets' hashes goes faster on this machine; a target above that is out of reach here, whatever the guard.`,
    );
  }
  // Each side against the bare route of its own server: the two servers ran the same bare route.
  const versus = (a, b) => {
    if (!runs[a]?.length || !runs[b]?.length) return null;
    return median(runs[a].map((r) => r.ratio)) / median(runs[b].map((r) => r.ratio));
  };
  for (const [ours, theirs, what] of [
    ["memory", "ba-memory", "cookie cache off"],
    ["memory", "ba-memory-cookie-cache", "cookie cache on"],
  ]) {
    const times = versus(ours, theirs);
    if (times !== null) {
      console.log(
        `\nPortcullis session guard (memory) vs better-auth getSession (memory, ${what}): ${times.toFixed(1)}x (target: 7x, ${times >= 7 ? "meets" : "MISSES"})`,
      );
    }
  }
}

function fmt(rate) {
  return rate.toFixed(0);
}

function cpuCell(micros) {
  return Number.isNaN(micros) ? "n/a" : micros.toFixed(1);
}
