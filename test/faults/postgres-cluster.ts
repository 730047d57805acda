/**
 * A throwaway PostgreSQL cluster of the test's own: `initdb` into a temporary directory, started
 * with `pg_ctl` on a free port and a private socket directory, so a test may stop it, restart
 * it, refuse its passwords or stream it to a standby without touching the shared server on 5432.
 *
 *   const cluster = await throwawayPostgres({ password: "secret" });   // scram-sha-256 over TCP
 *   const standby = await cluster.standby();                           // pg_basebackup -R
 *   await cluster.stop(); await cluster.start();                      // same port, same data
 *   await cluster.destroy();                                          // in afterAll
 *
 * PostgreSQL refuses to run as root: as root the binaries run as the `postgres` OS user
 * (`runuser`), which owns the directory. Clusters left behind by a run that died (SIGKILL, a
 * crashed worker) are stopped and removed by the next run; a normal exit stops its own.
 */
import { execFile, spawnSync } from "node:child_process";
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort, skipOrFail } from "./free-port.js";

const PREFIX = "portcullis-pg-";

/** The directory holding initdb, pg_ctl and pg_basebackup, newest version first; null if none. */
function findBinDir(): string | null {
  const candidates: string[] = [];
  if (process.env.PG_BINDIR) candidates.push(process.env.PG_BINDIR);
  try {
    const versions = readdirSync("/usr/lib/postgresql")
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) candidates.push(`/usr/lib/postgresql/${version}/bin`);
  } catch {
    // Not Debian's layout: look on the PATH.
  }
  candidates.push(...(process.env.PATH ?? "").split(":").filter(Boolean));
  return (
    candidates.find((dir) =>
      ["initdb", "pg_ctl", "pg_basebackup", "postgres"].every((bin) => existsSync(join(dir, bin))),
    ) ?? null
  );
}

const isRoot = () => process.getuid?.() === 0;

/** The uid and gid of the `postgres` OS user, which runs the server when we are root. */
function postgresUser(): { uid: number; gid: number } | null {
  const uid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

const BIN_DIR = findBinDir();
const OWNER = isRoot() ? postgresUser() : null;

/** Whether clusters can be made here; otherwise a visible skip (a failure in CI). */
export function postgresClusterAvailable(suite: string): boolean {
  if (!BIN_DIR) return skipOrFail("PostgreSQL server binaries (initdb, pg_ctl)", suite);
  if (isRoot() && !OWNER)
    return skipOrFail("the postgres OS user (to run PostgreSQL as root)", suite);
  return true;
}

/** Runs a PostgreSQL binary (as `postgres` when we are root); rejects with its output. */
function run(bin: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const path = join(BIN_DIR as string, bin);
  const [command, argv] = OWNER
    ? ["runuser", ["-u", "postgres", "--", path, ...args]]
    : [path, args];
  return new Promise((resolve, reject) => {
    execFile(
      command,
      argv,
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${bin} ${args.join(" ")} failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
  });
}

function runSync(bin: string, args: string[]): void {
  const path = join(BIN_DIR as string, bin);
  const [command, argv] = OWNER
    ? ["runuser", ["-u", "postgres", "--", path, ...args]]
    : [path, args];
  spawnSync(command, argv, { stdio: "ignore", timeout: 20_000 });
}

/** A directory of this process's own, owned by whoever runs the server. */
function ownDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
  if (OWNER) chownSync(dir, OWNER.uid, OWNER.gid);
  return dir;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Stops and removes the clusters of runs that died without cleaning up (their pid is gone). */
function sweepLeftovers(): void {
  for (const name of readdirSync(tmpdir())) {
    const owner = Number(new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!owner || owner === process.pid || alive(owner)) continue;
    const dir = join(tmpdir(), name);
    stopAllIn(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Immediate shutdown of every cluster under `dir` (a primary and its standbys). */
function stopAllIn(dir: string): void {
  for (const entry of existsSync(dir) ? readdirSync(dir) : []) {
    const pidFile = join(dir, entry, "postmaster.pid");
    if (!existsSync(pidFile)) continue;
    const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
    if (pid && alive(pid)) {
      try {
        process.kill(pid, "SIGQUIT"); // PostgreSQL's immediate shutdown
      } catch {
        runSync("pg_ctl", ["-D", join(dir, entry), "-m", "immediate", "stop"]);
      }
    }
  }
}

/** Every directory this process made and has not destroyed: stopped on exit, whatever happens. */
const mine = new Set<string>();
let hooked = false;
function track(dir: string): void {
  if (!hooked) {
    hooked = true;
    sweepLeftovers();
    process.on("exit", () => {
      for (const each of mine) {
        stopAllIn(each);
        rmSync(each, { recursive: true, force: true });
      }
    });
  }
  mine.add(dir);
}

export interface ThrowawayPostgresOptions {
  /**
   * The superuser's password. Given, TCP connections (replication included) need it:
   * `scram-sha-256` in pg_hba.conf. Without it every connection is trusted.
   */
  password?: string;
  /** Extra server settings, as `-c name=value`. */
  settings?: Record<string, string | number>;
}

export interface PostgresCluster {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** A connection URL; the superuser `postgres` (with its password) and database `postgres` by default. */
  url(options?: { user?: string; password?: string | null; database?: string }): string;
  /** Runs one statement as the superuser on `database` (default `postgres`), on a connection of its own. */
  sql<Row extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    params?: unknown[],
    database?: string,
  ): Promise<pg.QueryResult<Row>>;
  start(): Promise<void>;
  /** `fast` disconnects clients and shuts down cleanly; `immediate` is a crash. */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  readonly running: boolean;
  /** A streaming standby of this cluster (`pg_basebackup -R`), started on a port of its own. */
  standby(): Promise<PostgresCluster>;
  /** Stops the cluster (and its standbys) and removes its files. Safe to call twice. */
  destroy(): Promise<void>;
}

interface Layout {
  /** The temporary directory; removed with the cluster that made it (the primary). */
  root: string;
  ownsRoot: boolean;
  dataDir: string;
  socketDir: string;
  port: number;
}

function cluster(layout: Layout, options: ThrowawayPostgresOptions): PostgresCluster {
  const { dataDir, socketDir, port } = layout;
  const host = "127.0.0.1";
  const standbys: PostgresCluster[] = [];
  let running = false;
  const settings: Record<string, string | number> = {
    listen_addresses: host,
    port,
    unix_socket_directories: socketDir,
    // A test cluster: durability is not the point, speed is.
    fsync: "off",
    synchronous_commit: "off",
    full_page_writes: "off",
    ...options.settings,
  };
  const serverOptions = Object.entries(settings)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(" ");

  const url: PostgresCluster["url"] = (which = {}) => {
    const user = which.user ?? "postgres";
    const password = which.password === undefined ? options.password : which.password;
    const auth = password ? `${user}:${encodeURIComponent(password)}` : user;
    return `postgres://${auth}@${host}:${port}/${which.database ?? "postgres"}`;
  };

  return {
    port,
    host,
    dataDir,
    url,
    get running() {
      return running;
    },
    async sql(text, params = [], database = "postgres") {
      const client = new pg.Client({ connectionString: url({ database }) });
      await client.connect();
      try {
        return await client.query(text, params);
      } finally {
        await client.end().catch(() => {});
      }
    },
    async start() {
      await run("pg_ctl", [
        "-D",
        dataDir,
        "-l",
        join(layout.root, `${port}.log`),
        "-o",
        serverOptions,
        "-w",
        "-t",
        "30",
        "start",
      ]);
      running = true;
    },
    async stop(mode = "fast") {
      await run("pg_ctl", ["-D", dataDir, "-m", mode, "-w", "-t", "30", "stop"]);
      running = false;
    },
    async standby() {
      const standbyLayout: Layout = {
        root: layout.root,
        ownsRoot: false,
        dataDir: join(layout.root, `standby-${standbys.length + 1}`),
        socketDir,
        port: await freePort(),
      };
      // -R writes primary_conninfo (with the password given here) and standby.signal.
      await run("pg_basebackup", [
        "-D",
        standbyLayout.dataDir,
        "-R",
        "-X",
        "stream",
        "-c",
        "fast",
        "--no-sync",
        "-d",
        url(),
      ]);
      const standby = cluster(standbyLayout, options);
      await standby.start();
      standbys.push(standby);
      return standby;
    },
    async destroy() {
      for (const standby of standbys.splice(0)) await standby.destroy();
      if (running) await this.stop("immediate").catch(() => {});
      if (layout.ownsRoot) {
        rmSync(layout.root, { recursive: true, force: true });
        mine.delete(layout.root);
      }
    },
  };
}

/** initdb, then start: about a second and a half. Destroy it in `afterAll`. */
export async function throwawayPostgres(
  options: ThrowawayPostgresOptions = {},
): Promise<PostgresCluster> {
  if (!BIN_DIR)
    throw new Error("no PostgreSQL server binaries: check postgresClusterAvailable first");
  const root = ownDirectory();
  track(root);
  const dataDir = join(root, "data");
  const socketDir = join(root, "sock");
  const method = options.password ? "scram-sha-256" : "trust";
  const args = ["-D", dataDir, "-U", "postgres", "-A", method, "--no-sync", "--no-instructions"];
  if (options.password) {
    const pwfile = join(root, "pwfile");
    writeFileSync(pwfile, `${options.password}\n`, { mode: 0o600 });
    if (OWNER) chownSync(pwfile, OWNER.uid, OWNER.gid);
    args.push(`--pwfile=${pwfile}`);
  }
  await run("initdb", args);
  mkdirSync(socketDir, { mode: 0o700 });
  if (OWNER) chownSync(socketDir, OWNER.uid, OWNER.gid);
  const made = cluster(
    { root, ownsRoot: true, dataDir, socketDir, port: await freePort() },
    options,
  );
  await made.start();
  return made;
}
