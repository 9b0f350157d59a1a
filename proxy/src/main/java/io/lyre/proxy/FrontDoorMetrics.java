package io.lyre.proxy;

/** What the front door reports for metrics; the Micrometer implementation lives in the Quarkus app. */
public interface FrontDoorMetrics {
    FrontDoorMetrics NONE = new FrontDoorMetrics() {
    };
}
