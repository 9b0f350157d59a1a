package io.lyre.agent;

import io.lyre.devices.Device;
import io.lyre.devices.HostFacts;
import io.lyre.devices.HostInventory;
import io.lyre.devices.ProbeStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The inventory as a table for people: host line, one row per device, one line per probe. */
public final class InventoryTable {

    private static final String[] HEADER = {"KIND", "VENDOR", "MODEL", "MEMORY", "UNITS", "HEALTH", "ID", "SOURCE"};

    private InventoryTable() {
    }

    public static String render(HostInventory inventory) {
        StringBuilder out = new StringBuilder();
        out.append(hostLine(inventory.host())).append('\n').append('\n');
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (Device d : inventory.devices()) {
            rows.add(new String[] {
                d.kind().name(),
                orDash(d.vendor()),
                orDash(d.model()),
                d.memoryBytes() > 0 ? gib(d.memoryBytes()) : "-",
                d.computeUnits() > 0 ? Integer.toString(d.computeUnits()) : "-",
                health(d),
                d.id(),
                String.join(",", d.sortedSources())});
        }
        if (inventory.devices().isEmpty()) {
            out.append("No devices found.\n");
        } else {
            appendAligned(out, rows);
        }
        out.append('\n').append("PROBES\n");
        int width = inventory.probes().stream().mapToInt(p -> p.probe().length()).max().orElse(0);
        for (ProbeStatus p : inventory.probes()) {
            out.append("  ").append(pad(p.probe(), width)).append("  ")
                    .append(pad(p.state().name().toLowerCase(Locale.ROOT), 6)).append("  ")
                    .append(p.detail()).append('\n');
        }
        return out.toString();
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    private static String hostLine(HostFacts h) {
        StringBuilder s = new StringBuilder("HOST ").append(orDash(h.hostname()));
        if (!h.os().isEmpty()) {
            s.append("  ").append(h.os());
        }
        if (!h.arch().isEmpty()) {
            s.append("  ").append(h.arch());
        }
        if (h.threads() > 0) {
            s.append(String.format(Locale.ROOT, "%n     %s: %d socket(s), %d cores, %d threads, %d NUMA node(s)",
                    orDash(h.cpuModel()), h.sockets(), h.cores(), h.threads(), h.numaNodes()));
        }
        if (h.memoryBytes() > 0) {
            s.append(", ").append(gib(h.memoryBytes())).append(" memory");
        }
        if (!h.cpuFlags().isEmpty()) {
            s.append(String.format(Locale.ROOT, "%n     flags: %s", String.join(" ", h.cpuFlags())));
        }
        return s.toString();
    }

    private static String health(Device d) {
        String h = d.health().name().toLowerCase(Locale.ROOT);
        return d.healthReason().isEmpty() ? h : h + " (" + d.healthReason() + ")";
    }

    private static void appendAligned(StringBuilder out, List<String[]> rows) {
        int[] widths = new int[HEADER.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(i == r.length - 1 ? r[i] : pad(r[i], widths[i]) + "  ");
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
