# syntax=docker/dockerfile:1
# fbstab: API and worker image. Build: docker build -t fbstab .
# API:    docker run -p 3000:3000 -e REDIS_URL=redis://… fbstab
# Worker: docker run -e REDIS_URL=redis://… fbstab node dist/workers/experiment-worker.js

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts are skipped here (prepare would build before the sources are copied).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY workers workers
COPY scripts scripts
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim AS runtime
# tini reaps zombies and forwards SIGTERM, so graceful shutdown reaches node.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules node_modules
COPY --from=build --chown=node:node /app/dist dist
COPY --chown=node:node package.json openapi.yaml ./
COPY --chown=node:node public public
COPY --chown=node:node bin bin
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/server.js"]
