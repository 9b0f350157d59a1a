package io.lyre.scheduler.ledger;

/** One device taken by a reservation; {@code maxApps} 1 = exclusive, N = shareable by at most N apps. */
public record DeviceClaim(String deviceId, int maxApps) {
}
