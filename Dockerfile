# fbstab: API and worker image. Build: docker build -t fbstab .
# API:    docker run -p 3000:3000 -e REDIS_URL=redis://… fbstab
# Worker: docker run -e REDIS_URL=redis://… fbstab node dist/workers/experiment-worker.js
# (No `# syntax=` line: BuildKit would fetch that frontend from a registry; nothing here needs it.)
# test/deploy.test.ts runs the build stage's steps on exactly the files copied here.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Behind a TLS-inspecting proxy, pass its CA (PEM text, public) so npm can reach the registry:
#   docker build --build-arg EXTRA_CA_CERTS="$(cat proxy-ca.crt)" .
# It stays in this stage; the runtime image does not trust it. Empty by default: no change.
ARG EXTRA_CA_CERTS=""
# Scripts are skipped here (prepare would build before the sources are copied).
RUN printf '%s\n' "$EXTRA_CA_CERTS" > /tmp/extra-ca.pem \
 && NODE_EXTRA_CA_CERTS=/tmp/extra-ca.pem npm ci --ignore-scripts --no-audit --no-fund
# The image runs src/ and workers/ only (tsconfig.build.json); test/ and the other scripts stay
# out. npm run build also compiles the WebAssembly kernel (AssemblyScript, a devDependency).
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-wasm.mjs scripts/
COPY src src
COPY workers workers
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim AS runtime
# tini reaps zombies and forwards SIGTERM, so graceful shutdown reaches node.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
# A worker writes its heartbeat to WORKER_HEARTBEAT_FILE; the API never does.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    WORKER_HEARTBEAT_FILE=/tmp/fbstab-worker.heartbeat
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules node_modules
COPY --from=build --chown=node:node /app/dist dist
COPY --chown=node:node package.json openapi.yaml ./
COPY --chown=node:node public public
COPY --chown=node:node bin bin
USER node
EXPOSE 3000
# One check for both roles: a worker's heartbeat age (at most 4 × 5 s), else the API's /healthz.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "dist/src/container-healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/server.js"]
