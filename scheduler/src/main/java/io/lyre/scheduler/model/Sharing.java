package io.lyre.scheduler.model;

/**
 * How a device ask shares a device: {@code maxAppsPerDevice} 1 is exclusive (the default, as Kubernetes
 * extended resources); N > 1 lets at most N apps time-share one device (no memory isolation, as with
 * NVIDIA time-slicing). Exclusive and shared apps never mix on one device.
 */
public record Sharing(int maxAppsPerDevice) {

    public static final Sharing EXCLUSIVE = new Sharing(1);

    public static Sharing shared(int maxApps) {
        return new Sharing(maxApps);
    }

    public boolean exclusive() {
        return maxAppsPerDevice <= 1;
    }

    @Override
    public String toString() {
        return exclusive() ? "exclusive" : "shared(" + maxAppsPerDevice + ")";
    }
}
