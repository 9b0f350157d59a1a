package io.lyre.proxy.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.transport.DockerHttpClient;
import io.lyre.devices.HostFacts;
import io.lyre.devices.HostInventory;

import java.util.List;
import java.util.Map;

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

    /** A stable id for the scheduler, the store and container labels (the agent id for tunnel engines). */
    default String id() {
        return name();
    }

    /** Labels from the agent's config (zone=basement), for placement constraints. */
    default Map<String, String> labels() {
        return Map.of();
    }

    /** "ready", "draining", "disconnected" or "lost", as the scheduler and the admin API show it. */
    default String state() {
        return ready() ? "ready" : "lost";
    }

    /**
     * What the scheduler knows of this engine's host: CPUs, memory and devices. The default is the proxy's own
     * JVM view without devices (an engine that reports nothing takes CPU-only apps).
     */
    default HostInventory inventory() {
        Runtime rt = Runtime.getRuntime();
        long mem = rt.maxMemory() == Long.MAX_VALUE ? 0 : rt.maxMemory();
        try {
            var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
                mem = sun.getTotalMemorySize();
            }
        } catch (RuntimeException | LinkageError ignored) {
            // keep the JVM's view
        }
        int threads = rt.availableProcessors();
        return new HostInventory(new HostFacts(name(), System.getProperty("os.name", ""), System.getProperty("os.arch", ""),
                "", 1, threads, threads, 1, mem, List.of()), List.of(), List.of());
    }
}
