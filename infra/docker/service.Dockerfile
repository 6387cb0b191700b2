# syntax=docker/dockerfile:1
#
# One image recipe for every Node service of the workspace: SERVICE is its folder
# (auth, tickets, orders, payments, expiration, infra/stripe-emulator). The build context is the
# repository root, because a service builds against the workspace's lockfile and @microtick/common.
#
#   docker build -f infra/docker/service.Dockerfile --build-arg SERVICE=orders -t microtick/orders .
#
# Stages: build (compile with the same commands as CI) → runtime (production dependencies and
# compiled JavaScript only; the default) and dev (the build stage kept running under
# `tsc -b --watch` + `node --watch`, for `skaffold dev`'s file sync).

# Node 24, the current LTS, in the images; the code also runs on Node 20 (package.json's engines),
# which local runs, tests and CI on this project's Debian 12 machines use (docs/kubernetes.md).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /repo
# Manifests first, so `npm ci` stays cached until a dependency changes (npm ci needs every
# workspace's package.json to match the lockfile).
COPY package.json package-lock.json tsconfig.base.json ./
COPY common/package.json common/
COPY auth/package.json auth/
COPY tickets/package.json tickets/
COPY orders/package.json orders/
COPY payments/package.json payments/
COPY expiration/package.json expiration/
COPY client/package.json client/
COPY infra/stripe-emulator/package.json infra/stripe-emulator/
COPY infra/local/package.json infra/local/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
ARG SERVICE
# Only what this service compiles from, so editing one service never rebuilds the others' images.
# The Stripe emulator is copied for every service: payments' tsconfig references it (its tests
# run against it), so `tsc -b payments` builds it too.
COPY common/ common/
COPY infra/stripe-emulator/ infra/stripe-emulator/
COPY ${SERVICE}/ ${SERVICE}/
RUN npx tsc -b ${SERVICE}
# Everything the runtime stage needs from here, in one tree: compiled code, package manifests and
# the SQL migrations that `migrationsFolder` reads at start-up (dist/db/../../drizzle).
RUN mkdir -p runtime/common runtime/${SERVICE} \
 && cp -r common/package.json common/dist common/drizzle runtime/common/ \
 && cp -r ${SERVICE}/package.json ${SERVICE}/dist runtime/${SERVICE}/ \
 && if [ -d ${SERVICE}/drizzle ]; then cp -r ${SERVICE}/drizzle runtime/${SERVICE}/; fi \
 && find runtime -name '*.test.*' -delete

FROM build AS dev
ARG SERVICE
ENV NODE_ENV=development SERVICE=${SERVICE}
# skaffold syncs changed sources into common/src and ${SERVICE}/src; tsc writes dist/ beside them.
RUN chown -R 1000:1000 common ${SERVICE} infra/stripe-emulator
USER 1000:1000
CMD ["sh", "-c", "npx tsc -b --watch --preserveWatchOutput \"$SERVICE\" & exec node --watch --enable-source-maps --require @microtick/common/tracing/register \"$SERVICE/dist/main.js\""]

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
# No --enable-source-maps: it parses every loaded module's source map at start-up (about 3 MB more
# per pod, and slower stack traces); traces name lines of the compiled dist/*.js, which tsc keeps
# readable. Set it in a Deployment's NODE_OPTIONS to debug with TypeScript lines.
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY common/package.json common/
COPY ${SERVICE}/package.json ${SERVICE}/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund --workspace common --workspace ${SERVICE}
COPY --from=build /repo/runtime/ ./
WORKDIR /app/${SERVICE}
# The image's `node` user, by number so Kubernetes can verify runAsNonRoot.
USER 1000:1000
# Exactly the V8 flags the local runner and the benchmarks start services with (SERVICE_NODE_FLAGS
# in infra/local/src/stack-plan.ts): a 2 MB semi-space (about 9 MB less resident memory per pod,
# for ~0.7 ms more CPU per order under load than 16 MB: docs/benchmarks.md, "V8 young generation")
# and no V8 background threads: collecting on the main thread spends less of the pod's CPU limit,
# compiling there too keeps about 2 MB less memory. On the command line, because Node refuses
# --single-threaded in NODE_OPTIONS. The tracing preload must load before the service's code
# (docs/tracing.md); it does nothing unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
CMD ["node", "--max-semi-space-size=2", "--single-threaded", "--require", "@microtick/common/tracing/register", "dist/main.js"]
