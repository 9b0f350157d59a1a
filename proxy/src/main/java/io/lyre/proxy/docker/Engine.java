package io.lyre.proxy.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.transport.DockerHttpClient;

/**
 * One Docker engine the proxy can deploy to: the local one next to the proxy ({@link LocalDockerEngine}) or,
 * later, one reached through an agent's tunnel. The slot is HaRP's engine port (24001-24099).
 */
public interface Engine {

    /** HaRP's engine port, 24001-24099; AppAPI names it in the docker-engine-port header. */
    int slot();

    /** A name for logs and metrics, e.g. "local" or the agent's identity. */
    String name();

    /** False while the engine is draining or its agent is gone; the chooser skips engines that are not ready. */
    boolean ready();

    /**
     * The raw Docker Engine API of this engine. Paths are sent as given (unversioned paths get the engine's
     * default version); response bodies are streamed. Blocking: call it off the event loop.
     */
    DockerHttpClient httpClient();

    /** docker-java's typed client over {@link #httpClient()}. Blocking as well. */
    DockerClient dockerClient();

    /**
     * Whether the proxy itself can open TCP connections to container addresses on this engine's networks
     * (true for the engine on the proxy's own host). When false, ExApp traffic must go through the engine's
     * tunnel.
     */
    boolean reachableDirectly();
}
