package io.lyre.scheduler.store;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

import java.sql.DriverManager;
import java.sql.Statement;

/**
 * The store suite against a real PostgreSQL, when {@code LYRE_TEST_PG_URL} names one
 * (jdbc:postgresql://127.0.0.1:5432/lyre_test?user=lyre&password=lyre). {@code .ci/run} starts Debian's
 * PostgreSQL and sets it; in CI a missing URL fails the class, elsewhere it is skipped with a message.
 */
class PostgresPlacementStoreTest extends PlacementStoreContract {

    private static final String URL = System.getenv("LYRE_TEST_PG_URL");

    @BeforeAll
    static void needsPostgres() {
        boolean configured = URL != null && !URL.isBlank();
        if (!configured && "true".equals(System.getenv("CI"))) {
            fail("CI must test the store on PostgreSQL: LYRE_TEST_PG_URL is not set (.ci/run sets it)");
        }
        Assumptions.assumeTrue(configured,
                "skipped: set LYRE_TEST_PG_URL=jdbc:postgresql://host:5432/db?user=..&password=.. to run the store suite on PostgreSQL");
    }

    @Override
    PlacementStore open() {
        return JdbcPlacementStore.open(URL, null, null);
    }

    @Override
    void wipe() throws Exception {
        try (var c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
            s.execute("DELETE FROM events");
            s.execute("DELETE FROM placements");
            s.execute("DELETE FROM policies");
            s.execute("DELETE FROM create_requests");
        }
    }
}
