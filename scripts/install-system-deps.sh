#!/usr/bin/env bash
# Installs the system packages `npm test` needs besides Node, where they are missing:
#   redis-server   the service tests start their own servers on private ports
#   chromium       the browser tests drive it headless (playwright-core, no browser download)
#   a compose CLI  `docker compose` (v2) or `docker-compose` (v1) validates docker-compose.yml
# On Debian or Ubuntu it uses apt-get (as root, or through sudo); elsewhere it names what is
# missing and exits 1. With everything present it changes nothing.
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || [ -x "${CHROMIUM_PATH:-/nonexistent}" ] || missing+=(chromium)
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
  missing+=(docker-compose)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: redis-server, chromium and a compose CLI are present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing: ${missing[*]}; install them with your package manager (no apt-get here)" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "missing: ${missing[*]}; run this script as root to install them with apt-get" >&2
    exit 1
  fi
fi
echo "installing with apt-get: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
