package io.lyre.agent;

import java.nio.file.Path;

/** Where the agent keeps its key, certificates and identity: --data-dir, else $LYRE_DATA_DIR, else ~/.lyre/agent. */
final class AgentDataDir {

    private AgentDataDir() {
    }

    static Path resolve(Path option) {
        if (option != null) {
            return option;
        }
        String env = System.getenv("LYRE_DATA_DIR");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".lyre", "agent");
    }
}
