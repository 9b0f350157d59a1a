package io.lyre.proxy.upstream;

import io.lyre.proxy.docker.ExAppPlacement;

import java.util.Optional;

/**
 * Where to send an ExApp's traffic: the placement (engine and container) when Lyre created the container, and
 * the host/port to connect to (the container's address on its network, or AppAPI's metadata host).
 */
public record UpstreamTarget(String appId, Optional<ExAppPlacement> placement, String host, int port) {
}
