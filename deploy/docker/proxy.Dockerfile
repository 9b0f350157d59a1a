# Lyre proxy: the HaRP-compatible gateway with its scheduler and tunnel listener.
#
#   ./mvnw -B -q -pl proxy -am package -DskipTests
#   docker build -f deploy/docker/proxy.Dockerfile -t lyre/proxy:dev .
#
# Runs with HaRP's environment (HP_SHARED_KEY or HP_SHARED_KEY_FILE, NC_INSTANCE_URL, HP_EXAPPS_ADDRESS,
# HP_TRUSTED_PROXY_IPS, HP_TIMEOUT_*, HP_BLACKLIST_*, HP_SESSION_LIFETIME, HP_LOG_LEVEL; /certs/cert.pem
# enables HTTPS on 8781 as in HaRP) plus LYRE_* (docs/migrating-from-harp.md). State (CA, agents, the H2
# store) lives in the volume /var/lib/lyre/proxy. The admin API and /q/* stay on 127.0.0.1:8783 inside the
# container: `docker exec <container> lyre-admin GET /api/v1/agents`.
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}

ARG LYRE_VERSION=dev
LABEL org.opencontainers.image.title="Lyre proxy" \
      org.opencontainers.image.description="HaRP-compatible gateway and device-aware scheduler for Nextcloud ExApps" \
      org.opencontainers.image.version="${LYRE_VERSION}"

RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/lyre --no-create-home --shell /usr/sbin/nologin lyre \
 && mkdir -p /opt/lyre/proxy /var/lib/lyre/proxy /certs \
 && chown -R lyre:lyre /var/lib/lyre

# Quarkus fast-jar layout; lib/ first: it changes least often.
COPY proxy/target/quarkus-app/lib/ /opt/lyre/proxy/lib/
COPY proxy/target/quarkus-app/quarkus/ /opt/lyre/proxy/quarkus/
COPY proxy/target/quarkus-app/app/ /opt/lyre/proxy/app/
COPY proxy/target/quarkus-app/quarkus-run.jar /opt/lyre/proxy/
COPY deploy/docker/entrypoint.sh /usr/local/bin/lyre-entrypoint
COPY deploy/docker/healthcheck.sh /usr/local/bin/lyre-healthcheck
COPY deploy/docker/lyre-admin.sh /usr/local/bin/lyre-admin

ENV LYRE_DATA_DIR=/var/lib/lyre/proxy \
    JAVA_OPTS="-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError"

VOLUME ["/var/lib/lyre/proxy"]
# 8780 HTTP (AppAPI and ExApps), 8781 HTTPS when /certs/cert.pem or LYRE_TLS_CERT is given, 8782 agent tunnel
EXPOSE 8780 8781 8782
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["lyre-healthcheck"]
ENTRYPOINT ["lyre-entrypoint", "proxy"]
