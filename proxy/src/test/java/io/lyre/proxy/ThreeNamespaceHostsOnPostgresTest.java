package io.lyre.proxy;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/**
 * {@link ThreeNamespaceHostsWithSimulatedInventoriesTest} with the proxy's store on PostgreSQL
 * ({@code LYRE_TEST_PG_URL}, which .ci/run sets). Each run gets its own schema in that database (created here,
 * dropped after), so it never meets the scheduler's PostgresPlacementStoreTest, which uses the default schema.
 * Skipped without LYRE_TEST_PG_URL unless CI=true.
 */
class ThreeNamespaceHostsOnPostgresTest extends ThreeNamespaceHostsWithSimulatedInventoriesTest {
    private static final String URL = System.getenv("LYRE_TEST_PG_URL");

    private final String schema = "lyre_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @BeforeEach
    void freshSchema() throws SQLException {
        boolean configured = URL != null && !URL.isBlank();
        if (!configured && "true".equals(System.getenv("CI"))) {
            Assertions.fail("CI must run the three-host test on PostgreSQL: LYRE_TEST_PG_URL is not set (.ci/run sets it)");
        }
        Assumptions.assumeTrue(configured, "set LYRE_TEST_PG_URL=jdbc:postgresql://host:5432/db?user=..&password=.. "
                + "to run the three-host test on PostgreSQL - skipping");
        try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
    }

    @Override
    Map<String, String> storeEnv() {
        return Map.of("LYRE_STORE_URL", URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema);
    }

    @Override
    String storeName() {
        return "postgresql";
    }

    @Override
    void dropStore() {
        if (URL == null || URL.isBlank()) {
            return;
        }
        try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            System.err.println("could not drop schema " + schema + ": " + e.getMessage());
        }
    }
}
