# sdr-agent container image (deploy/README.md, "The image").
#
#   docker build -t sdr-agent:0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" \
#     --build-arg SOURCE=https://git.example.com/you/sdr-agent .
#
# Base: the official Node.js 22 image on Debian 12, slim variant, pinned by its full version tag
# (22.23.3, the newest 22.x on 2026-12-01 per the npm registry's `node` package). It is NOT
# pinned by digest: no container registry can be reached from where this file is written and
# tested, so no digest could be looked up, and none is made up here. Pin one yourself with
#   docker buildx imagetools inspect node:22.23.3-bookworm-slim      # the index digest
# and NODE_IMAGE=node:22.23.3-bookworm-slim@sha256:<digest>.
ARG NODE_IMAGE=node:22.23.3-bookworm-slim

# 1. Compile: every dependency (TypeScript included), then src/ -> dist/src. Install scripts are
#    skipped: `prepare` would build before the sources are copied; nothing else needs one.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# 2. Production dependencies only, installed fresh from the lock file (not pruned from stage 1).
#    --ignore-scripts: `prepare` needs TypeScript, which is a dev dependency; the one production
#    package with an install script (protobufjs) uses it only to print a version-scheme warning.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# 3. Runtime: the compiled code, docs/ and production dependencies; no compiler, no package manager.
FROM ${NODE_IMAGE}
ARG NODE_IMAGE
# Must equal package.json's version (test/deploy/image-contract.test.ts checks it).
ARG VERSION=0.1.0
# The commit built: --build-arg REVISION="$(git rev-parse HEAD)".
ARG REVISION=unknown
# Where the source lives: --build-arg SOURCE=<repository URL> (this repository names none).
ARG SOURCE=
LABEL org.opencontainers.image.title="sdr-agent" \
      org.opencontainers.image.description="Self-deployed runtime that crawls Amazon SageMaker metadata read-only from inside a customer's network, over one outbound WebSocket to its control plane" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"

# The base image ships npm, npx, corepack, yarn and Node's C headers; the agent needs none of them.
# (They stay in the base layer's bytes, but not in the container's file system.)
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
           /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-v* /usr/local/include/node

WORKDIR /app
# Owned by root and not writable by the agent's user: the code cannot be changed at run time.
COPY package.json ./package.json
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY docs ./docs

# NODE_ENV: production behaviour of the dependencies.
# HOME: uid 10001 has no passwd entry, and without HOME Node's os.homedir() throws, which the AWS SDK
#   calls to look for ~/.aws: set it, whatever the runtime does (Docker sets "/", others may not).
#   Nothing is written there; an AWS profile, if you use one, is mounted at /home/sdr-agent/.aws.
# SDR_CONFIG: `run` reads this file unless --config says otherwise; mount your config there.
# SDR_OPS_ENABLED/SDR_OPS_ADDRESS/SDR_OPS_PORT: the ops server is on, whatever the config says
#   (the HEALTHCHECK below needs it), on loopback: only the probe, inside the container, reaches
#   it. The probe reads the same two address variables, so change them here (or with -e), not with
#   ops.address/ops.port in the file, which they override. The Helm chart sets SDR_OPS_ADDRESS to
#   0.0.0.0 instead, for the kubelet's probes (its NetworkPolicy admits no other traffic).
ENV NODE_ENV=production \
    HOME=/home/sdr-agent \
    SDR_CONFIG=/etc/sdr-agent/agent.yaml \
    SDR_OPS_ENABLED=true \
    SDR_OPS_ADDRESS=127.0.0.1 \
    SDR_OPS_PORT=9464

# A numeric, non-root user with no passwd entry, so Kubernetes' runAsNonRoot can verify it (the
# runtime then sets HOME=/, where nothing is written). The agent writes only to /tmp: the root file
# system may be read-only, with a tmpfs or emptyDir on /tmp.
USER 10001:10001

# No EXPOSE: the agent only dials out; the ops server stays on loopback.
# No shell, curl or wget needed: a node probe of /healthz (src/ops/probe.ts), exit 0 healthy, 1 not.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/app/dist/src/ops/probe.js"]

# node is PID 1 (no init): `sdr-agent run` handles SIGTERM and SIGINT itself (the first drains, a
# second forces) and starts no child processes, so there is nothing for an init to forward or reap.
STOPSIGNAL SIGTERM
# --max-semi-space-size=8: a smaller young generation, about 25 MB less peak RSS per crawl at no
# measured speed cost (src/process-settings.ts, NODE_FLAGS; bench/README.md measures with it).
ENTRYPOINT ["node", "--max-semi-space-size=8", "/app/dist/src/cli/main.js"]
CMD ["run"]
