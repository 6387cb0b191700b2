# syntax=docker/dockerfile:1
#
# The Next.js web client. The build context is the repository root (the workspace's lockfile);
# next.config.ts sets `output: 'standalone'`, so the runtime stage holds only the traced server
# (`client/server.js` plus the node_modules it needs), not the workspace.
#
#   docker build -f infra/docker/client.Dockerfile -t microtick/client .
#
# Stages: build → runtime (the default) and dev (`next dev` with hot reload, for `skaffold dev`).

# Node 24, the current LTS, in the images; the code also runs on Node 20 (package.json's engines),
# which local runs, tests and CI on this project's Debian 12 machines use (docs/kubernetes.md).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
ENV NEXT_TELEMETRY_DISABLED=1
WORKDIR /repo
# Manifests first, so `npm ci` stays cached until a dependency changes.
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
# The client imports the API's types from @microtick/common/api; its build compiles common first.
COPY common/ common/
COPY client/ client/
RUN npm run build --workspace client
# The standalone server does not copy static assets (or public/): they go beside it.
RUN cp -r client/.next/static client/.next/standalone/client/.next/static \
 && if [ -d client/public ]; then cp -r client/public client/.next/standalone/client/public; fi

FROM build AS dev
ENV NODE_ENV=development HOSTNAME=0.0.0.0 PORT=3000
# skaffold syncs changed sources into client/; `next dev` writes client/.next.
RUN chown -R 1000:1000 client
USER 1000:1000
WORKDIR /repo/client
CMD ["npx", "next", "dev"]

FROM ${NODE_IMAGE} AS runtime
# HOSTNAME: Next binds to it, and Kubernetes sets it to the pod's name; listen on every address.
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 HOSTNAME=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=build /repo/client/.next/standalone/ ./
WORKDIR /app/client
# The image's `node` user, by number so Kubernetes can verify runAsNonRoot.
USER 1000:1000
CMD ["node", "server.js"]
