# syntax=docker/dockerfile:1
# matrix-doctor: built with the dev toolchain, run on a slim Node LTS image as the unprivileged
# `node` user. The default command is the Prometheus exporter; `docker run IMAGE example.org`
# runs a one-off diagnosis instead.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY checks ./checks
RUN npm run build

FROM node:24-bookworm-slim
ARG REVISION=unknown
ENV NODE_ENV=production \
    MATRIX_DOCTOR_REVISION=$REVISION
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY schema ./schema
COPY examples ./examples
USER node
EXPOSE 9655
# Liveness only: never depends on a target (an orchestrator must not restart us because a homeserver is down).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9655/-/healthy').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]
CMD ["serve", "--config", "/etc/matrix-doctor/matrix-doctor.yaml", "--listen", "0.0.0.0:9655"]
