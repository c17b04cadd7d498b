# sdr-agent container image. Build: docker build -t sdr-agent .
# The build stage compiles TypeScript (npm ci runs `prepare`), then drops dev dependencies.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
RUN npm ci && npm prune --omit=dev

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY docs ./docs
# Runs as the image's unprivileged `node` user; the agent needs no root and no inbound port.
USER node
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]
CMD ["--help"]
