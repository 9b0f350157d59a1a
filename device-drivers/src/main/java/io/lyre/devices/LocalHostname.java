package io.lyre.devices;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The host's name without a DNS lookup (InetAddress.getLocalHost can stall for seconds on a badly set up host). */
final class LocalHostname {

    private LocalHostname() {
    }

    static String get() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: fall through
        }
        String env = System.getenv("HOSTNAME");
        if (env == null || env.isBlank()) {
            env = System.getenv("COMPUTERNAME");
        }
        return env == null || env.isBlank() ? "localhost" : env.trim();
    }
}
