# syntax=docker/dockerfile:1
#
# Identity service image. Three stages:
#   build — all dependencies + TypeScript compile (API, CLI, libs, ormconfig) into dist/
#   deps  — production dependencies only, native modules (argon2, better-sqlite3) compiled here
#   final — slim runtime with node_modules from `deps` and dist/ from `build`, running as `node`
#
# Build:  docker build -t identity .
# Run:    see docker-compose.yml (its init job migrates and creates the first signing key; the
#         instances never generate keys in production).

ARG NODE_IMAGE=node:20-bookworm-slim

# Toolchain for native modules (better-sqlite3 compiles from source when no prebuilt binary fits).
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# SCARF_ANALYTICS: swagger-ui-dist's install hook would otherwise try to phone home.
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false SCARF_ANALYTICS=false

FROM toolchain AS build
COPY package.json package-lock.json ./
RUN npm ci
COPY nest-cli.json tsconfig.json tsconfig.build.json ormconfig.ts ./
COPY apps ./apps
COPY libs ./libs
# tsconfig.build.json covers apps/** and libs/**, so this one build also emits the operator CLI.
RUN npx nest build identity-api \
 && test -f dist/apps/identity-api/src/main.js

FROM toolchain AS deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# One malloc arena: argon2 takes ~19 MiB per hash on libuv's threads, and with an arena per
# thread glibc keeps each thread's block after the hash (about 90 MiB more resident memory
# after a burst of sign-ins; see bench/README.md). Fixed thresholds for that arena: hash blocks
# come from the heap and the two that run at once stay there between hashes, instead of being
# returned and faulted in afresh (a fifth fewer sign-ins/s when that happens). A stated heap
# limit: without one, V8 sizes the heap for all of the host's memory and lets garbage pile up to
# hundreds of MiB between full collections (bench/README.md, "Memory"); override it with
# NODE_OPTIONS.
ENV NODE_ENV=production \
    PORT=3000 \
    MALLOC_ARENA_MAX=1 \
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=50331648 \
    NODE_OPTIONS=--max-old-space-size=384
WORKDIR /app
# data/ holds the SQLite file (embedded mode), data/keys the signing keys and data/outbox logged
# mail; it must be writable by the unprivileged user. Named volumes mounted here inherit this owner.
RUN mkdir -p /app/data/keys \
 && chown -R node:node /app/data
COPY --chown=root:root package.json package-lock.json ./
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/apps/identity-api/src/main.js"]
