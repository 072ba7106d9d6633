# syntax=docker/dockerfile:1
# informant: build with `docker build -t informant:0.1.0 .`
# With HAProxy in the image, for HAProxy under informant (exec mode, deploy/components/haproxy-exec):
#   docker build --target haproxy -t informant:0.1.0-haproxy .
# Stages: compile the TypeScript, install production dependencies only, a small runtime
# image that runs as an unprivileged user, and that image with Debian's haproxy added.

# 1. Compile src/ to dist/ (tsc needs the dev dependencies).
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# 2. Production dependencies only.
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. The runtime: node, dependencies, compiled code. No compilers, no npm cache.
FROM node:24-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# The image's `node` user (uid/gid 1000), by number so Kubernetes can check runAsNonRoot.
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["node", "bin/informant.js"]
CMD ["run", "--config", "/etc/informant/config.yaml"]

# 4. The runtime with HAProxy (Debian's package), which informant runs as its child and
#    `validate` uses (`haproxy -c`). Still uid 1000: HAProxy binds ports above 1024.
FROM runtime AS haproxy
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends haproxy \
 && rm -rf /var/lib/apt/lists/*
USER 1000:1000

# The default target: informant alone (stage 3).
FROM runtime
