# OneMatter app image: the express server, job workers and (unless ZEEBE_GRPC_ADDRESS is set) the
# embedded engine, run with tsx exactly as `npm start` does on a developer machine.
# The web UI is built with Vite (a dev dependency) in its own stage; only ui/dist goes on.
FROM node:20-bookworm-slim AS ui
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/var/lib/onematter

WORKDIR /app
# Dependencies first so that code changes reuse this layer. tsx and typescript types are runtime
# dependencies (the app runs from source), so the production install is enough.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .
COPY --from=ui /app/ui/dist ./ui/dist
RUN mkdir -p "$DATA_DIR" && chown -R node:node "$DATA_DIR"

USER node
EXPOSE 3000
VOLUME ["/var/lib/onematter"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"

# npm would not forward SIGTERM reliably; run tsx directly so `docker stop` drains gracefully.
CMD ["node_modules/.bin/tsx", "platform/main.ts"]
