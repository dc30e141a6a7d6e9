# syntax=docker/dockerfile:1
#
# Consilium portal image: the Next.js portal (`next start`) on port 3000.
#
#   docker build -f infra/docker/portal.Dockerfile -t consilium/portal:0.1.0 .   (from the repository root)
#
# Configuration at run time: CONSILIUM_HUB_URL (the hub's base URL, e.g. http://hub:4000). The
# portal holds no credentials. Ignore rules: infra/docker/portal.Dockerfile.dockerignore.

FROM node:24.21.0-bookworm-slim AS base
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false \
    NEXT_TELEMETRY_DISABLED=1
WORKDIR /app

FROM base AS manifests
COPY . /src
RUN mkdir -p /out && cd /src \
    && find . -name node_modules -prune -o -type f \( -name package.json -o -name package-lock.json \) -print \
       | xargs cp --parents --target-directory=/out

# Build: the whole workspace with dev dependencies, because `next build` type-checks the portal
# together with the workspace packages it imports (@consilium/api and what its types reach).
# Scripts are skipped: the root `node` devDependency would download a second Node.js, and the
# base image already is Node 24; Next is therefore started with the image's node, not `npm run`.
FROM base AS build
COPY --from=manifests /out/ ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts
COPY . .
WORKDIR /app/apps/portal
RUN NODE_ENV=production node /app/node_modules/next/dist/bin/next build \
    && rm -rf .next/cache

# Production dependencies of the portal only.
FROM base AS deps
COPY --from=manifests /out/ ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --workspace @consilium/portal --ignore-scripts
COPY packages/ ./packages/
COPY apps/portal/package.json apps/portal/next.config.ts ./apps/portal/
COPY --from=build /app/apps/portal/.next ./apps/portal/.next

FROM base AS runtime
ENV NODE_ENV=production \
    PORT=3000
RUN groupadd --system --gid 10001 consilium \
    && useradd --system --uid 10001 --gid consilium --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin consilium \
    && mkdir -p /app/apps/portal/.next/cache
COPY --from=deps /app/ /app/
# Next's only runtime writes (fetch and image caches) go to .next/cache: give it to the portal's
# user, or mount a tmpfs/emptyDir there and keep the root filesystem read-only.
RUN chown consilium:consilium /app/apps/portal/.next/cache
VOLUME ["/app/apps/portal/.next/cache"]
USER consilium:consilium
EXPOSE 3000
# /api/health is the portal's own liveness (it does not call the hub).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
WORKDIR /app/apps/portal
CMD ["node", "/app/node_modules/next/dist/bin/next", "start", "--hostname", "0.0.0.0", "--port", "3000"]
