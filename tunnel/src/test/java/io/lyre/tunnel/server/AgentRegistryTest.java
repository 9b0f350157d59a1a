package io.lyre.tunnel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentRegistryTest {

    @TempDir
    Path tmp;

    @Test
    void slotsAreTheLowestFreeOrTheRequestedOneAndSurviveARestart() {
        AgentRegistry r = new AgentRegistry(tmp.resolve("agents.json"));
        assertThat(r.register("a", "alpha", Map.of("zone", "x"), 0, "01", 1).slot()).isEqualTo(24001);
        assertThat(r.register("b", "beta", Map.of(), 24050, "02", 1).slot()).isEqualTo(24050);
        assertThat(r.register("c", "gamma", Map.of(), 0, "03", 1).slot()).isEqualTo(24002);
        assertThatThrownBy(() -> r.register("d", "delta", Map.of(), 24050, "04", 1))
                .hasMessageContaining("held by agent b");
        assertThatThrownBy(() -> r.chooseSlot(25000)).hasMessageContaining("outside");
        AgentRegistry reloaded = new AgentRegistry(tmp.resolve("agents.json"));
        assertThat(reloaded.findBySerial("02").orElseThrow().name()).isEqualTo("beta");
        assertThat(reloaded.get("a").orElseThrow().labels()).containsEntry("zone", "x");
    }

    @Test
    void revokingFreesTheSlotAndIsSeenByAnotherInstanceOfTheFile() {
        AgentRegistry server = new AgentRegistry(tmp.resolve("agents.json"));
        server.register("a", "alpha", Map.of(), 0, "01", 1);
        assertThat(new AgentRegistry(tmp.resolve("agents.json")).revoke("a")).isTrue(); // the CLI, another process
        assertThat(server.findBySerial("01").orElseThrow().revoked()).isTrue();
        assertThat(server.chooseSlot(0)).isEqualTo(24001);
        assertThat(server.revoke("nope")).isFalse();
    }

    @Test
    void theLookupPerCallSeesAnotherProcessRevokingWithinASecond() {
        AgentRegistry server = new AgentRegistry(tmp.resolve("agents.json"));
        server.register("a", "alpha", Map.of(), 0, "01", 1);
        assertThat(server.findBySerialForCall("01").orElseThrow().revoked()).isFalse();
        assertThat(new AgentRegistry(tmp.resolve("agents.json")).revoke("a")).isTrue(); // the CLI, another process
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(3))
                .until(() -> server.findBySerialForCall("01").orElseThrow().revoked());
        assertThat(server.findBySerialForCall("02")).isEmpty();
    }

    @Test
    void stateListenersHearRealChangesOnly() {
        AgentRegistry r = new AgentRegistry(tmp.resolve("agents.json"));
        r.register("a", "alpha", Map.of(), 0, "01", 1);
        List<String> heard = new ArrayList<>();
        r.addListener((agent, from, to) -> heard.add(from + "->" + to));
        r.setState("a", EngineState.READY);
        r.setState("a", EngineState.READY);
        r.setState("a", EngineState.DISCONNECTED);
        r.setState("a", EngineState.LOST);
        assertThat(heard).containsExactly("DISCONNECTED->READY", "READY->DISCONNECTED", "DISCONNECTED->LOST");
    }
}
