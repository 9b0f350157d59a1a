# Lyre agent: enumerates this host's devices, dials the proxy's tunnel and serves the host's Docker engine.
#
#   ./mvnw -B -q -pl agent -am package -DskipTests
#   docker build -f deploy/docker/agent.Dockerfile -t lyre/agent:dev .
#
# Join once, then run (the credentials live in the volume):
#   docker run --rm -v lyre-agent:/var/lib/lyre/agent lyre/agent:dev join PROXY_HOST:8782 TOKEN
#   docker run -d --name lyre-agent --restart unless-stopped --network host \
#     -v lyre-agent:/var/lib/lyre/agent -v /var/run/docker.sock:/var/run/docker.sock lyre/agent:dev run
# or in one step: LYRE_PROXY=PROXY_HOST:8782 LYRE_JOIN_TOKEN=TOKEN with `run` joins on the first start.
#
# The Docker socket mount is required (the agent creates and reaches ExApp containers through it; it is
# root-equivalent access to the host). --network host lets the agent reach containers on every Docker network
# of the host; --gpus all (NVIDIA Container Toolkit) or --device /dev/kfd --device /dev/dri (AMD) let its
# probes see the GPUs. LYRE_AGENT_METRICS_ADDRESS=127.0.0.1:8784 serves /metrics.
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}

ARG LYRE_VERSION=dev
LABEL org.opencontainers.image.title="Lyre agent" \
      org.opencontainers.image.description="Lyre per-host agent: device inventory, tunnel client, Docker engine access" \
      org.opencontainers.image.version="${LYRE_VERSION}"

RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/lyre --no-create-home --shell /usr/sbin/nologin lyre \
 && mkdir -p /opt/lyre/agent /var/lib/lyre/agent \
 && chown -R lyre:lyre /var/lib/lyre

COPY agent/target/lib/ /opt/lyre/agent/lib/
COPY agent/target/lyre-agent.jar /opt/lyre/agent/
COPY deploy/docker/entrypoint.sh /usr/local/bin/lyre-entrypoint
RUN printf '#!/bin/sh\nexec java ${JAVA_OPTS:-} -jar /opt/lyre/agent/lyre-agent.jar "$@"\n' > /usr/local/bin/lyre-agent \
 && chmod 755 /usr/local/bin/lyre-agent

ENV LYRE_DATA_DIR=/var/lib/lyre/agent \
    JAVA_OPTS="-XX:MaxRAMPercentage=25 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError"

VOLUME ["/var/lib/lyre/agent"]
ENTRYPOINT ["lyre-entrypoint", "agent"]
CMD ["run"]
