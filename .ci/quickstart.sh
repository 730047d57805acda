#!/usr/bin/env bash
# Pastes the README's quick start into a new project that installs the packed tarball, starts it,
# and walks it over HTTP: what a new user does on their first day.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

# CI built dist/ just before: pack it as it is (prepack would build again); standalone, build it
# first when it is missing or older than its sources.
node "$root/scripts/build-if-stale.mjs" >/dev/null
tarball="$(cd "$root" && npm pack --ignore-scripts --silent --pack-destination "$work" | tail -n 1)"
cd "$work"
npm init -y >/dev/null
npm pkg set type=module >/dev/null
npm install --no-audit --no-fund --silent "./$tarball" express >/dev/null
# The first ```js block after the "Quick start" heading is the program.
awk '/^## Quick start/{on=1} on&&/^```js/{code=1;next} code&&/^```/{exit} code{print}' "$root/README.md" > server.js
test -s server.js || { echo "no quick-start code block in README.md"; exit 1; }

PORT=3123 node server.js > server.log 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -fs http://localhost:3123/auth/health >/dev/null 2>&1 && break; sleep 0.2; done

base=http://localhost:3123
jar="$work/cookies"
expect() { [ "$1" = "$2" ] || { echo "quick start: expected $2, got $1 ($3)"; cat server.log; exit 1; }; }
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

expect "$(status "$base/me")" 401 "protected route before sign-up"
expect "$(status -c "$jar" -H 'content-type: application/json' -H "origin: $base" \
  -d '{"email":"ada@example.com","password":"correct horse battery staple"}' "$base/auth/register")" 201 "register"
expect "$(status -b "$jar" "$base/me")" 200 "protected route after sign-up"
expect "$(status -b "$jar" -c "$jar" -X POST -H "origin: $base" "$base/auth/logout")" 204 "logout"
expect "$(status -b "$jar" "$base/me")" 401 "protected route after sign-out"
echo "quick start works"
