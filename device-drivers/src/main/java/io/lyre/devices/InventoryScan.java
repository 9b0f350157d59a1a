package io.lyre.devices;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs every probe and merges what they saw into one {@link HostInventory}. Probes run in parallel, one
 * daemon thread each, so the slowest (usually OpenCL's platform start-up) sets the time, and a probe that
 * hangs (a wedged GPU can stall cuInit) is cut off after the timeout instead of holding up the agent.
 * A probe that throws anything, LinkageError included, becomes one FAILED status line; the others' devices stay.
 */
public final class InventoryScan {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final List<DeviceProbe> probes;
    private final List<ProbeStatus> loadFailures;
    private final Duration timeout;

    /** The probes registered as {@link DeviceProbe} services. */
    public InventoryScan() {
        this(DEFAULT_TIMEOUT);
    }

    public InventoryScan(Duration timeout) {
        List<DeviceProbe> found = new ArrayList<>();
        List<ProbeStatus> failures = new ArrayList<>();
        for (ServiceLoader.Provider<DeviceProbe> provider
                : ServiceLoader.load(DeviceProbe.class, DeviceProbe.class.getClassLoader()).stream().toList()) {
            try {
                found.add(provider.get());
            } catch (Throwable e) {
                failures.add(ProbeStatus.failed(provider.type().getSimpleName(), OneLineReason.of(e)));
            }
        }
        this.probes = List.copyOf(found);
        this.loadFailures = List.copyOf(failures);
        this.timeout = Objects.requireNonNull(timeout);
    }

    /** These probes only, in this order (tests, or a caller that wants a subset). */
    public InventoryScan(List<DeviceProbe> probes) {
        this(probes, DEFAULT_TIMEOUT);
    }

    public InventoryScan(List<DeviceProbe> probes, Duration timeout) {
        this.probes = List.copyOf(probes);
        this.loadFailures = List.of();
        this.timeout = Objects.requireNonNull(timeout);
    }

    public List<DeviceProbe> probes() {
        return probes;
    }

    /** Looks at this host ({@code /sys}, {@code /dev}). */
    public HostInventory scan() {
        return scan(ProbeContext.host());
    }

    public HostInventory scan(ProbeContext context) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<CompletableFuture<ProbeResult>> running = new ArrayList<>();
        for (DeviceProbe probe : probes) {
            CompletableFuture<ProbeResult> result = new CompletableFuture<>();
            Thread thread = new Thread(() -> result.complete(guarded(probe, context)), "lyre-probe-" + nameOf(probe));
            thread.setDaemon(true);
            thread.start();
            running.add(result);
        }

        List<ProbeStatus> statuses = new ArrayList<>(loadFailures);
        List<Device> devices = new ArrayList<>();
        Optional<HostFacts> host = Optional.empty();
        for (int i = 0; i < probes.size(); i++) {
            ProbeResult result = await(probes.get(i), running.get(i), deadline);
            statuses.add(result.status());
            devices.addAll(result.devices());
            if (host.isEmpty()) {
                host = result.host();
            }
        }
        return new HostInventory(host.orElseGet(() -> HostFacts.unknown(LocalHostname.get())),
                DeviceMerger.merge(devices), statuses);
    }

    private ProbeResult await(DeviceProbe probe, CompletableFuture<ProbeResult> result, long deadline) {
        try {
            return result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return ProbeResult.failed(nameOf(probe), "timed out after " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProbeResult.failed(nameOf(probe), "interrupted");
        } catch (ExecutionException e) {
            return ProbeResult.failed(nameOf(probe), OneLineReason.of(e.getCause()));
        }
    }

    /** Runs one probe; whatever it throws becomes its FAILED line, and its devices are marked with its name. */
    static ProbeResult guarded(DeviceProbe probe, ProbeContext context) {
        String name = nameOf(probe);
        try {
            ProbeResult result = probe.probe(context);
            if (result == null) {
                return ProbeResult.failed(name, "returned no result");
            }
            return new ProbeResult(result.status(), result.devices().stream().map(d -> withSource(d, name)).toList(),
                    result.host());
        } catch (Throwable e) {
            return ProbeResult.failed(name, OneLineReason.of(e));
        }
    }

    private static Device withSource(Device d, String source) {
        if (d.sources().contains(source)) {
            return d;
        }
        var sources = new HashSet<>(d.sources());
        sources.add(source);
        return new Device(d.id(), d.kind(), d.vendor(), d.model(), d.memoryBytes(), d.computeUnits(), d.attributes(),
                d.health(), d.healthReason(), sources);
    }

    private static String nameOf(DeviceProbe probe) {
        try {
            String name = probe.name();
            return name == null || name.isBlank() ? probe.getClass().getSimpleName() : name;
        } catch (Throwable e) {
            return probe.getClass().getSimpleName();
        }
    }
}
