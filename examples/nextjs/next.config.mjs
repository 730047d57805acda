import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PHASE_DEVELOPMENT_SERVER, PHASE_PRODUCTION_SERVER } from "next/constants.js";

/** @type {import("next").NextConfig} */
const nextConfig = {
  // better-sqlite3 is a native module: load it from node_modules instead of bundling it.
  serverExternalPackages: ["better-sqlite3"],
};

/**
 * The secret comes from AUTH_SECRET (the environment, or `.env.local`), which `lib/auth.ts`
 * reads. `next start` (always NODE_ENV=production) refuses to run without it: make one with
 * `npx portcullis secret`. `next dev` without it gets a random one, made on the first start and
 * kept in `.portcullis-secret` next to this file (git-ignored, readable only by you), so sessions
 * survive restarts and no secret is ever written in the code. `next build` needs none.
 */
function secretFromEnvironment(phase) {
  if (process.env.AUTH_SECRET) return;
  if (phase === PHASE_PRODUCTION_SERVER) {
    throw new Error(
      "[example] AUTH_SECRET must be set when NODE_ENV=production, as `next start` runs (`npx portcullis secret` makes one)",
    );
  }
  if (phase !== PHASE_DEVELOPMENT_SERVER) return;
  const file = fileURLToPath(new URL(".portcullis-secret", import.meta.url));
  let secret;
  try {
    secret = readFileSync(file, "utf8").trim();
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
    secret = randomBytes(32).toString("base64url");
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  }
  console.warn(`[example] AUTH_SECRET is not set: using the development secret in ${file}`);
  process.env.AUTH_SECRET = secret;
}

export default function config(phase) {
  secretFromEnvironment(phase);
  return nextConfig;
}
