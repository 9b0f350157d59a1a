package io.lyre.scheduler.store;

import io.lyre.scheduler.policy.PolicyService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

class H2PlacementStoreTest extends PlacementStoreContract {

    @TempDir
    Path dataDir;

    @Override
    PlacementStore open() {
        return JdbcPlacementStore.h2(dataDir);
    }

    @Override
    void wipe() {
        // a fresh temporary directory per test: nothing to wipe
    }

    @Test
    void survivesARestartAndFeedsThePolicyService() throws Exception {
        store.save(placement("p1", "llm2", "e1", "GPU-a"));
        new PolicyService(store).put("{\"app\":\"llm2\",\"devices\":[{\"kind\":\"GPU\",\"vendor\":\"NVIDIA\"}]}");
        store.close();
        assertThat(Files.exists(dataDir.resolve("lyre.mv.db"))).isTrue();

        store = JdbcPlacementStore.h2(dataDir);
        assertThat(store.byApp("llm2")).isPresent();
        assertThat(new PolicyService(store).get("llm2")).hasValueSatisfying(p -> assertThat(p.devices().orElseThrow()).hasSize(1));
        try (var c = DriverManager.getConnection(JdbcPlacementStore.h2Url(dataDir), "sa", "");
             Statement s = c.createStatement(); var r = s.executeQuery(
                     "SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"version\" = '1' AND \"success\"")) {
            r.next();
            assertThat(r.getInt(1)).isEqualTo(1);
        }
    }
}
