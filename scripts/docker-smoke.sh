#!/usr/bin/env bash
# Builds the image and runs the compose stack as a user would: Redis, 1 API and 2 workers.
# Waits for /readyz, submits a small experiment over HTTP and waits for it to succeed, checks
# that every container reports `healthy`, and always tears the stack down (volumes too).
# Needs a reachable Docker engine and Docker Compose v2 (`docker compose`) or v1
# (`docker-compose`); takes a few minutes. Not part of `npm test`.
#   scripts/docker-smoke.sh            SMOKE_PORT=3900 to pick the API's host port
# Missing base images are pulled, or built locally (scripts/docker-base-images.sh). Behind a
# TLS-inspecting proxy, the CAs in /usr/local/share/ca-certificates (Debian's place for local
# CAs), or the PEM file EXTRA_CA_CERTS_FILE, are passed to the build stage's `npm ci`.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
step() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
fail() {
  step "FAILED: $*"
  exit 1
}

docker info > /dev/null 2>&1 || {
  echo "no Docker engine reachable (docker info failed); start dockerd or set DOCKER_HOST" >&2
  exit 2
}
if docker compose version > /dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose > /dev/null; then
  compose=(docker-compose)
else
  echo "neither \`docker compose\` (v2) nor \`docker-compose\` (v1) is installed" >&2
  exit 2
fi
project="fbstab-smoke-$$"
port=${SMOKE_PORT:-3900}
base="http://127.0.0.1:$port"
dc() { PORT=$port "${compose[@]}" -p "$project" "$@"; }

teardown() {
  local status=$?
  if ((status != 0)); then
    step "logs of the failed run:"
    dc logs --no-color --tail 40 || true
  fi
  step "tearing down"
  dc down --volumes --remove-orphans > /dev/null 2>&1 || true
  exit "$status"
}
trap teardown EXIT

step "engine: $(docker version --format 'server {{.Server.Version}}'), compose: $("${compose[@]}" version --short 2>/dev/null || echo '?')"
step "base images"
scripts/docker-base-images.sh

ca_file=${EXTRA_CA_CERTS_FILE:-}
build_args=()
if [[ -n "$ca_file" ]]; then
  build_args=(--build-arg "EXTRA_CA_CERTS=$(cat "$ca_file")")
elif compgen -G '/usr/local/share/ca-certificates/*.crt' > /dev/null; then
  build_args=(--build-arg "EXTRA_CA_CERTS=$(cat /usr/local/share/ca-certificates/*.crt)")
fi
step "docker build -t fbstab:latest .${build_args:+ (with the local CAs, for npm)}"
started=$SECONDS
docker build "${build_args[@]}" -t fbstab:latest . > /tmp/fbstab-smoke-build.log 2>&1 || {
  tail -n 30 /tmp/fbstab-smoke-build.log
  fail "docker build (full log: /tmp/fbstab-smoke-build.log)"
}
step "built in $((SECONDS - started)) s: $(docker image inspect fbstab:latest --format '{{.Id}} {{.Size}}' | awk '{printf "%s, %.0f MB", substr($1, 8, 12), $2 / 1e6}')"

step "compose up: redis, 1 api, 2 workers (API on $base)"
dc up -d --no-build --scale worker=2 2>&1 | sed 's/^/  /'

step "waiting for $base/readyz"
for ((i = 0; ; i++)); do
  if curl -fsS "$base/readyz" > /dev/null 2>&1; then break; fi
  ((i < 120)) || fail "/readyz did not answer 200 within 120 s"
  sleep 1
done
step "/readyz: $(curl -sS "$base/readyz")"

request='{"type":"frame-bounds","seed":7,"trials":2000,"signalLength":256,"filterbank":{"numFilters":[4,8],"filterLengths":[16,64]}}'
response=$(curl -fsS -X POST -H 'content-type: application/json' -d "$request" "$base/v1/experiments") ||
  fail "POST /v1/experiments"
json_field() { grep -o "\"$1\":\"[^\"]*\"" | head -n 1 | cut -d '"' -f 4; }
id=$(json_field id <<< "$response")
[[ -n "$id" ]] || fail "no id in $response"
step "submitted experiment $id"
for ((i = 0; ; i++)); do
  status=$(curl -fsS "$base/v1/experiments/$id" | json_field status)
  case "$status" in
    succeeded) break ;;
    failed | cancelled) fail "experiment $id $status" ;;
  esac
  ((i < 120)) || fail "experiment $id still $status after 120 s"
  sleep 1
done
step "experiment $id: succeeded ($(curl -fsS "$base/v1/experiments/$id" | wc -c) bytes of JSON)"

step "waiting for every container to report healthy"
for ((i = 0; ; i++)); do
  states=$(dc ps -q | xargs docker inspect --format '{{.Name}} {{if .State.Health}}{{.State.Health.Status}}{{else}}no-healthcheck{{end}}')
  if ! grep -qv ' healthy$' <<< "$states"; then break; fi
  ((i < 90)) || fail "not all healthy after 90 s:
$states"
  sleep 2
done
sed 's/^\//  /' <<< "$states"
count=$(wc -l <<< "$states")
((count == 4)) || fail "expected 4 containers (redis, api, 2 workers), found $count"
for name in $(dc ps -q | xargs docker inspect --format '{{.Name}}' | grep worker); do
  step "health check of ${name#/}: $(docker inspect --format '{{range .State.Health.Log}}{{println .Output}}{{end}}' "$name" | grep -v '^$' | tail -n 1)"
done
# Workers used to inherit the API's probe and turn unhealthy after 3 failed checks (45 s):
# stay up past that and check that no container has failed a check since.
hold=${SMOKE_HOLD_SECONDS:-60}
step "holding the stack for $hold s, then checking again"
sleep "$hold"
states=$(dc ps -q | xargs docker inspect --format '{{.Name}} {{.State.Health.Status}} failing-streak={{.State.Health.FailingStreak}} checks={{len .State.Health.Log}}')
sed 's/^\//  /' <<< "$states"
if grep -qv ' healthy failing-streak=0 ' <<< "$states"; then fail "a container is not healthy after $hold s"; fi
step "smoke test passed: image built, 1 api + 2 workers healthy, experiment succeeded"
