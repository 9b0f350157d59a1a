package io.lyre.devices;

import java.util.Objects;

/**
 * One line per probe in an inventory: did it run, find nothing to ask, or fail, and why.
 *
 * @param probe  the probe's name
 * @param state  OK, ABSENT (no driver or no hardware: not an error) or FAILED
 * @param detail what it found, or the reason it is absent or failed
 */
public record ProbeStatus(String probe, State state, String detail) {

    public enum State { OK, ABSENT, FAILED }

    public ProbeStatus {
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(state, "state");
        detail = detail == null ? "" : detail;
    }

    public static ProbeStatus ok(String probe, String detail) {
        return new ProbeStatus(probe, State.OK, detail);
    }

    public static ProbeStatus absent(String probe, String reason) {
        return new ProbeStatus(probe, State.ABSENT, reason);
    }

    public static ProbeStatus failed(String probe, String reason) {
        return new ProbeStatus(probe, State.FAILED, reason);
    }
}
