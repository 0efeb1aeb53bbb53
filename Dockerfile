# syntax=docker/dockerfile:1
# hotline12345: the service on a current Node LTS, run from TypeScript sources with tsx (no build step).

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
# better-sqlite3 compiles its native addon on install.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Runtime dependencies only (tsx is one of them); the install scripts of better-sqlite3 and esbuild run here.
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOTLINE_HOST=0.0.0.0 \
    HOTLINE_PORT=8080 \
    HOTLINE_DB=/var/lib/hotline/hotline.sqlite \
    HOTLINE_RECORDINGS_DIR=/var/lib/hotline/recordings
WORKDIR /app
RUN groupadd --system --gid 10001 hotline \
 && useradd --system --uid 10001 --gid hotline --home-dir /app --shell /usr/sbin/nologin hotline \
 && mkdir -p /var/lib/hotline/recordings \
 && chown -R hotline:hotline /var/lib/hotline \
 && chmod 0700 /var/lib/hotline /var/lib/hotline/recordings
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json package-lock.json tsconfig.json ./
COPY --chown=root:root src ./src
COPY --chown=root:root config ./config
COPY --chown=root:root dialplan ./dialplan
USER hotline
VOLUME ["/var/lib/hotline"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HOTLINE_PORT||8080)+'/health').then(r=>r.json()).then(b=>process.exit(b.status==='ok'?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "src/main.ts"]
