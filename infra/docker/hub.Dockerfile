# syntax=docker/dockerfile:1
#
# Consilium hub image: `consilium-hub serve` on port 4000.
#
#   docker build -f infra/docker/hub.Dockerfile -t consilium/hub:0.1.0 .      (from the repository root)
#
# The hub is TypeScript run directly by Node 24 (type stripping): there is no compile step, the image
# holds the workspace sources it needs plus the production dependencies of @consilium/hub.
# Ignore rules: infra/docker/hub.Dockerfile.dockerignore (BuildKit reads <Dockerfile>.dockerignore).
# The base image is pinned to the Node version of the root package.json's `node` devDependency;
# pin its digest too (node:24.21.0-bookworm-slim@sha256:…) in your registry mirror if you can.

FROM node:24.21.0-bookworm-slim AS base
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
WORKDIR /app

# Only the manifests (every workspace's package.json and the lockfile), so that the dependency layer
# is rebuilt only when they change. npm ci needs every workspace listed in the lockfile to be present.
FROM base AS manifests
COPY . /src
RUN mkdir -p /out && cd /src \
    && find . -name node_modules -prune -o -type f \( -name package.json -o -name package-lock.json \) -print \
       | xargs cp --parents --target-directory=/out

FROM base AS deps
COPY --from=manifests /out/ ./
# Production dependencies of the hub and of the workspace packages it imports. No dependency of the
# hub needs an install script (the root devDependencies that do are omitted).
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --workspace @consilium/hub --ignore-scripts
# Workspace sources the hub imports (@consilium/*), then the hub itself.
COPY packages/ ./packages/
COPY apps/hub/ ./apps/hub/

FROM base AS runtime
RUN groupadd --system --gid 10001 consilium \
    && useradd --system --uid 10001 --gid consilium --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin consilium \
    && mkdir -p /var/lib/consilium-hub \
    && chown consilium:consilium /var/lib/consilium-hub \
    && chmod 0700 /var/lib/consilium-hub
# Application files stay owned by root: the hub's user can read them, not change them.
COPY --from=deps /app/ /app/
# On 0.0.0.0 the hub serves HTTPS only: run it with CONSILIUM_TLS_CERT / CONSILIUM_TLS_KEY, or with
# CONSILIUM_ALLOW_PLAIN_HTTP=1 behind a TLS-terminating proxy (compose.yaml and k8s/ do the latter).
ENV CONSILIUM_HOST=0.0.0.0 \
    CONSILIUM_PORT=4000 \
    CONSILIUM_DATA_DIR=/var/lib/consilium-hub
# The data directory holds the first-start admin token, the hub signing key (hub-signing-key.pem)
# and, without DATABASE_URL, the embedded PGlite database. Nothing else is written: the root
# filesystem can be mounted read-only.
VOLUME ["/var/lib/consilium-hub"]
USER consilium:consilium
EXPOSE 4000
# /readyz answers 200 only when the database answers (the hub has migrated and is serving).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.CONSILIUM_PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
WORKDIR /app/apps/hub
ENTRYPOINT ["node", "/app/apps/hub/bin/consilium-hub.js"]
CMD ["serve"]
