# roadrig: the agent and the replayer in one image.
#   docker build -t roadrig .
#   docker run --rm roadrig agent            (embedded default; see deploy/README.md)
# The build steps live in deploy/docker/build-steps.sh, which CI runs without Docker.

# --- build: the toolchain compiles the native addons (socketcan, node-rdkafka, unix-dgram) ---
FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY deploy/docker/build-steps.sh deploy/docker/build-steps.sh
COPY tsconfig.json tsconfig.build.json ./
COPY agent agent
COPY replay replay
COPY drivers drivers
COPY config config
COPY cli cli
COPY bench bench
COPY bin bin
RUN sh deploy/docker/build-steps.sh build \
 && sh deploy/docker/build-steps.sh runtime /opt/roadrig

# --- runtime: Node, the built tree and production modules only; no compiler, no npm cache ---
FROM node:20-bookworm-slim AS runtime
# librdkafka links libssl and zlib; the slim image's Node carries its own OpenSSL.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 zlib1g ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system roadrig \
 && useradd --system --gid roadrig --home-dir /var/lib/roadrig --create-home \
      --shell /usr/sbin/nologin roadrig \
 && install -d -o roadrig -g roadrig /var/cache/roadrig
COPY --from=build /opt/roadrig /opt/roadrig
ENV NODE_ENV=production \
    ROADRIG_LOG_LEVEL=info
USER roadrig
WORKDIR /var/lib/roadrig
VOLUME ["/var/lib/roadrig", "/var/cache/roadrig"]
# 9464: the health listener of config/examples/rig.yaml; 18832: the embedded default's.
EXPOSE 9464
# /healthz with Node itself: the slim image has no curl, and needs none.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.ROADRIG_HEALTH_PORT||'18832')+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The agent with its V8 flags (agent/telemetry/agentV8Flags.ts), other commands without them.
ENTRYPOINT ["sh", "/opt/roadrig/bin/docker-entrypoint.sh"]
CMD ["agent"]
