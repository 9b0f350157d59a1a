package io.lyre.proxy;

import java.time.Duration;

/**
 * What the front door reports for metrics (docs/metrics.md); the Micrometer implementation is
 * {@link io.lyre.proxy.metrics.ProxyMetrics}. Called on event-loop threads: implementations must be cheap.
 */
public interface FrontDoorMetrics {
    FrontDoorMetrics NONE = new FrontDoorMetrics() {
    };

    /** Label of requests for an app id the proxy does not know (keeps lyre_exapp_requests_seconds bounded). */
    String UNKNOWN_APP = "unknown";

    /** One request to /exapps/{app}/ answered with {@code status} (101 for an accepted upgrade). */
    default void exappRequest(String app, int status, Duration took) {
    }

    /** One AppAPI request under /exapps/app_api/; {@code endpoint} from a fixed set (ControlApi#endpoint). */
    default void controlRequest(String endpoint, int status, Duration took) {
    }

    default void webSocketOpened(String app) {
    }

    default void webSocketClosed(String app) {
    }

    /** A source address was banned; {@code entry} "http" (front door) or "tunnel" (tunnel port). */
    default void banned(String entry) {
    }

    /** A request needed the Nextcloud user: {@code cacheHit} false when it cost a user-info call-back. */
    default void userInfo(boolean cacheHit) {
    }

    /** "2xx" for 200..299, and so on. */
    static String statusClass(int status) {
        return status < 100 || status > 599 ? "other" : (status / 100) + "xx";
    }
}
