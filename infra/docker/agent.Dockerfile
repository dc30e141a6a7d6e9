# syntax=docker/dockerfile:1
#
# Consilium site agent image: `consilium-agent run` (outbound HTTPS to the hub only; no port).
#
#   docker build -f infra/docker/agent.Dockerfile -t consilium/agent:0.1.0 .    (from the repository root)
#   docker run --rm -it -v consilium-agent:/var/lib/consilium-agent consilium/agent:0.1.0 \
#     enroll --hub https://hub.consortium.example --token cst_…
#   docker run -d --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges \
#     -v consilium-agent:/var/lib/consilium-agent -v /srv/export/site.csv:/data/site.csv:ro \
#     consilium/agent:0.1.0 run --data /data/site.csv
#
# The agent is TypeScript run directly by Node 24 (type stripping). Training uses TensorFlow.js on
# its WebAssembly or CPU backend (the native `tensorflow` backends are not installed in this image).
# Ignore rules: infra/docker/agent.Dockerfile.dockerignore. No HEALTHCHECK: the agent serves nothing;
# `consilium-agent status` (run on demand) reports its hub connection and pending uploads.

FROM node:24.21.0-bookworm-slim AS base
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
WORKDIR /app

FROM base AS manifests
COPY . /src
RUN mkdir -p /out && cd /src \
    && find . -name node_modules -prune -o -type f \( -name package.json -o -name package-lock.json \) -print \
       | xargs cp --parents --target-directory=/out

FROM base AS deps
COPY --from=manifests /out/ ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --workspace @consilium/agent --ignore-scripts
COPY packages/ ./packages/
COPY apps/agent/ ./apps/agent/

# A self-contained tarball for hospitals that install without Docker (docs/site-admin-guide.md):
# the agent, its production dependencies, this image's Node.js 24 and a `consilium-agent` launcher,
# under /opt/consilium-agent. Build it with
#   docker build -f infra/docker/agent.Dockerfile --target release \
#     --output type=tar,dest=consilium-agent-0.1.0-linux-x64.tar .
FROM scratch AS release
COPY --from=deps /app/ /opt/consilium-agent/
COPY --from=base /usr/local/bin/node /opt/consilium-agent/node/bin/node
COPY --chmod=0755 infra/systemd/consilium-agent /opt/consilium-agent/bin/consilium-agent
COPY infra/systemd/consilium-agent.service infra/systemd/env.example /opt/consilium-agent/systemd/

# The image (default target).
FROM base AS runtime
RUN groupadd --system --gid 10001 consilium \
    && useradd --system --uid 10001 --gid consilium --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin consilium \
    && mkdir -p /var/lib/consilium-agent \
    && chown consilium:consilium /var/lib/consilium-agent \
    && chmod 0700 /var/lib/consilium-agent
COPY --from=deps /app/ /app/
ENV CONSILIUM_AGENT_DIR=/var/lib/consilium-agent
# Identity key, key shares, outbox, transfer log and agent log: everything the agent keeps. Back it
# up; losing it means the site must be re-enrolled (and its key shares are gone).
VOLUME ["/var/lib/consilium-agent"]
USER consilium:consilium
WORKDIR /app/apps/agent
ENTRYPOINT ["node", "/app/apps/agent/bin/consilium-agent.js"]
CMD ["run"]
