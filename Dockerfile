# syntax=docker/dockerfile:1

# One image for every Signalpost app. The container command chooses the app,
# for example `node dist/worker.js`. The build stage bundles each app's
# TypeScript with esbuild (`npm run build`) into dist/<app>.js, so the apps
# run as plain JavaScript without the tsx loader in every process.
ARG NODE_IMAGE=node:20-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app

# Manifests only, so a source change keeps the npm ci layer cached. npm ci
# rejects the lockfile when a workspace it lists has no package.json, so a new
# workspace needs its line here too.
COPY package.json package-lock.json ./
COPY apps/api/package.json apps/api/
COPY apps/cli/package.json apps/cli/
COPY apps/monitor/package.json apps/monitor/
COPY apps/router/package.json apps/router/
COPY apps/worker/package.json apps/worker/
COPY packages/client/package.json packages/client/
COPY packages/config/package.json packages/config/
COPY packages/delivery-policy/package.json packages/delivery-policy/
COPY packages/errors/package.json packages/errors/
COPY packages/inbound/package.json packages/inbound/
COPY packages/net-guard/package.json packages/net-guard/
COPY packages/observability/package.json packages/observability/
COPY packages/patterns/package.json packages/patterns/
COPY packages/plugins/package.json packages/plugins/
COPY packages/queues/package.json packages/queues/
COPY packages/signal/package.json packages/signal/
COPY packages/signing/package.json packages/signing/
COPY packages/store/package.json packages/store/
COPY packages/subscriptions/package.json packages/subscriptions/
COPY packages/transforms/package.json packages/transforms/
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund

# The bundler (esbuild) is a dev dependency, so this stage installs them all.
# Only dist/ leaves it.
FROM deps AS build
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY packages ./packages
COPY apps ./apps
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app

# The whole deps tree keeps the workspace symlinks in node_modules/@signalpost
# and any node_modules that npm nested inside a workspace. The bundles load
# every package but @signalpost/* from there. The TypeScript sources stay in
# the image for the CLI and for `node --import tsx apps/<app>/src/main.ts`.
COPY --from=deps /app ./
COPY tsconfig.json ./
COPY packages ./packages
COPY apps ./apps
COPY --from=build /app/dist ./dist

# The node image's `node` user. A numeric id lets Kubernetes verify
# runAsNonRoot. The code stays owned by root, so the apps cannot rewrite it.
USER 1000:1000

EXPOSE 8080 9464

# Every app serves /healthz on METRICS_PORT. The slim image has no curl, so
# node itself sends the request.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.METRICS_PORT || 9464}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# Node runs the bundle as PID 1, so SIGTERM reaches the app's shutdown handler
# directly and no second process sits in memory. npm or the tsx CLI would run
# the app as a child process and relay signals to it. A TypeScript plugin
# (SIGNALPOST_PLUGINS=./plugin.ts) needs the tsx loader in-process: set
# NODE_OPTIONS=--import=tsx, which adds about 35 MiB of RSS to each process
# (an idle `node -e` on Node 20.20).
CMD ["node", "dist/api.js"]
