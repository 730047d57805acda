#!/usr/bin/env bash
# Copies each starter out of the repository as a user would (`cp -r examples/express my-app`),
# points its `portcullis` dependency at the packed tarball, `npm install`s the rest from the
# registry, starts it with its own `npm start` on a free port and walks sign-up, session and
# sign-out over HTTP. Also checks the development secret it keeps in `.portcullis-secret` and that
# it refuses to start in production without AUTH_SECRET. STARTERS="express hono" runs a subset.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
starters="${STARTERS:-express fastify hono nextjs}"
work="$(mktemp -d)"
server=""
log=""
stop_server() {
  # setsid made the server a process group leader: stop npm and whatever it started.
  if [ -n "$server" ]; then
    kill -TERM -- "-$server" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$server" 2>/dev/null || true
    server=""
  fi
}
trap 'stop_server; rm -rf "$work"' EXIT
export NEXT_TELEMETRY_DISABLED=1 npm_config_audit=false npm_config_fund=false

fail() {
  echo "starters: $1"
  [ -f "$log" ] && tail -n 60 "$log"
  exit 1
}
free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
expect() { [ "$1" = "$2" ] || fail "$name: expected $2, got $1 ($3)"; }

# The tarball users would install. CI built dist/ just before; standalone, build if it is stale.
node "$root/scripts/build-if-stale.mjs" >/dev/null
tarball="$work/$(cd "$root" && npm pack --ignore-scripts --silent --pack-destination "$work" | tail -n 1)"
test -f "$tarball" || { echo "starters: npm pack made no tarball"; exit 1; }
echo "starters: packed $(basename "$tarball") ($SECONDS s)"

# better-sqlite3's prebuilt binaries come from GitHub, which CI cannot reach, and compiling it
# takes a minute and more per starter. The root install compiled it already: each copy gets that
# version with its install script denied, and the root's binary.
sqlite_root="$root/node_modules/better-sqlite3"
sqlite_binary="$sqlite_root/build/Release/better_sqlite3.node"
sqlite_version="$(node -p 'require(process.argv[1]).version' "$sqlite_root/package.json")"
install_copy() {
  node -e 'process.exitCode = require("./package.json").dependencies?.["better-sqlite3"] ? 0 : 1' ||
    { echo "package.json does not depend on better-sqlite3"; return 1; }
  npm pkg set "dependencies.portcullis=file:$tarball"
  if [ -f "$sqlite_binary" ]; then
    npm pkg set "dependencies.better-sqlite3=$sqlite_version"
    npm pkg set --json "allowScripts.better-sqlite3=false"
  fi
  npm install --no-audit --no-fund
  if [ -f "$sqlite_binary" ]; then
    mkdir -p node_modules/better-sqlite3/build/Release
    cp "$sqlite_binary" node_modules/better-sqlite3/build/Release/
  fi
}

# Copy and install every starter at once: the installs are most of the time, and share the cache.
declare -A installer
for name in $starters; do
  app="$work/$name"
  mkdir "$app"
  # What `cp -r` of a fresh clone copies: none of what running it in the repository leaves behind.
  tar -C "$root/examples/$name" --exclude=node_modules --exclude=.next --exclude=next-env.d.ts \
    --exclude=.portcullis-secret --exclude='*.db' --exclude='*.db-*' -cf - . | tar -C "$app" -xf -
  test -f "$app/package.json" || { echo "starters: examples/$name has no package.json"; exit 1; }
  (cd "$app"; install_copy) >"$app/install.log" 2>&1 &
  installer[$name]=$!
done
for name in $starters; do
  log="$work/$name/install.log"
  wait "${installer[$name]}" || fail "$name: npm install failed"
done
echo "starters: installed $starters ($SECONDS s)"

for name in $starters; do
  app="$work/$name"
  log="$app/server.log"
  cd "$app"
  port="$(free_port)"
  base="http://localhost:$port"
  jar="$app/cookies"
  started=$SECONDS

  if [ "$name" = nextjs ]; then
    # `next start` is production: a build first, and AUTH_SECRET or nothing.
    log="$app/build.log"
    npm run build >"$log" 2>&1 || fail "$name: npm run build failed"
    log="$app/server.log"
    if PORT="$port" BASE_URL="$base" timeout 60 npm start >"$log" 2>&1; then
      fail "$name: next start ran without AUTH_SECRET"
    fi
    grep -q "AUTH_SECRET must be set" "$log" || fail "$name: no AUTH_SECRET refusal in the output"
    PORT="$port" BASE_URL="$base" AUTH_SECRET="$(head -c 32 /dev/urandom | base64)" \
      setsid npm start >"$log" 2>&1 &
    server=$!
  else
    if NODE_ENV=production PORT="$port" BASE_URL="$base" timeout 30 npm start >"$log" 2>&1; then
      fail "$name: started with NODE_ENV=production and no AUTH_SECRET"
    fi
    grep -q "AUTH_SECRET must be set" "$log" || fail "$name: no AUTH_SECRET refusal in the output"
    # Development, as after `npm install && npm start`: no AUTH_SECRET, no BASE_URL.
    PORT="$port" setsid npm start >"$log" 2>&1 &
    server=$!
  fi

  ready=""
  for _ in $(seq 1 300); do
    if [ "$(status "$base/auth/health")" = 200 ]; then ready=1; break; fi
    kill -0 "$server" 2>/dev/null || fail "$name: exited before answering"
    sleep 0.2
  done
  [ -n "$ready" ] || fail "$name: not answering on $base/auth/health"

  if [ "$name" != nextjs ]; then
    secret_file="$app/.portcullis-secret"
    test -f "$secret_file" || fail "$name: no .portcullis-secret made in development"
    expect "$(stat -c %a "$secret_file")" 600 ".portcullis-secret's mode"
    [ "$(tr -d '\n' <"$secret_file" | wc -c)" -ge 43 ] || fail "$name: .portcullis-secret is too short"
  fi

  expect "$(status "$base/api/me")" 401 "the protected API route before sign-up"
  expect "$(status -c "$jar" -H 'content-type: application/json' -H "origin: $base" \
    -d '{"email":"ada@example.com","password":"correct horse battery staple"}' \
    "$base/auth/register")" 201 "sign-up"
  expect "$(status -b "$jar" "$base/auth/session")" 200 "the session after sign-up"
  expect "$(status -b "$jar" "$base/api/me")" 200 "the protected API route after sign-up"
  expect "$(status -b "$jar" -c "$jar" -X POST -H "origin: $base" "$base/auth/logout")" 204 "sign-out"
  expect "$(status -b "$jar" "$base/auth/session")" 401 "the session after sign-out"
  expect "$(status -b "$jar" "$base/api/me")" 401 "the protected API route after sign-out"
  stop_server
  echo "starters: $name copied out, installed from the tarball and walked ($((SECONDS - started)) s)"
done
