package io.lyre.scheduler.pipeline;

import io.lyre.scheduler.constraint.Constraint;
import io.lyre.scheduler.ledger.EngineUsage;
import io.lyre.scheduler.model.Affinity;
import io.lyre.scheduler.model.DeviceAsk;
import io.lyre.scheduler.model.Engine;
import io.lyre.scheduler.model.SchedulableDevice;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Chooses concrete devices for one ask on one engine. Among the devices that match (kind, vendor, health,
 * constraints) and can still be taken (sharing), it prefers, in order: more satisfied affinity weight; for shared
 * asks, devices already time-shared (so whole devices stay whole); the smallest memory that satisfies (best fit:
 * a 24 GiB ask should not take the 80 GiB card); the probe's order. For several devices it then prefers
 * one NUMA node holding enough of them, as Nomad does, and crosses nodes only when no node can.
 */
public final class DeviceSelector {

    private DeviceSelector() {
    }

    /** Whether the device could serve the ask if it were free: kind, vendor, health and every constraint. */
    public static boolean matches(DeviceAsk ask, String vendorKey, SchedulableDevice d) {
        if (d.kind() != ask.kind() || !d.schedulable()) {
            return false;
        }
        if (!vendorKey.isEmpty() && !vendorKey.equals(d.vendorKey())) {
            return false;
        }
        List<Constraint> constraints = ask.constraints();
        for (int i = 0; i < constraints.size(); i++) {
            Constraint c = constraints.get(i);
            if (!c.test(d.fact(c.field()))) {
                return false;
            }
        }
        return true;
    }

    /** The chosen devices, or null when the engine cannot serve the ask. {@code taken} holds ids other asks took. */
    public static List<SchedulableDevice> select(DeviceAsk ask, Engine engine, EngineUsage usage, Set<String> taken) {
        String vendorKey = ask.vendorKey();
        int maxApps = ask.sharing().maxAppsPerDevice();
        List<SchedulableDevice> eligible = null;
        for (SchedulableDevice d : engine.devices()) {
            if (matches(ask, vendorKey, d) && usage.device(d.id()).admits(maxApps) && !taken.contains(d.id())) {
                if (eligible == null) {
                    eligible = new ArrayList<>(4);
                }
                eligible.add(d);
            }
        }
        if (eligible == null || eligible.size() < ask.count()) {
            return null;
        }
        if (eligible.size() > 1) {
            eligible = ranked(eligible, ask, usage);
        }
        if (ask.count() == 1) {
            return List.of(eligible.get(0));
        }
        return sameNumaFirst(eligible, ask.count());
    }

    /** Why the ask does not fit this engine: how many devices matched, how many of those are taken. */
    public static String whyNot(DeviceAsk ask, Engine engine, EngineUsage usage, Set<String> taken) {
        String vendorKey = ask.vendorKey();
        int ofKind = 0;
        int matching = 0;
        int free = 0;
        String firstFailed = null;
        for (SchedulableDevice d : engine.devices()) {
            if (d.kind() != ask.kind() || (!vendorKey.isEmpty() && !vendorKey.equals(d.vendorKey()))) {
                continue;
            }
            ofKind++;
            if (!d.schedulable()) {
                continue;
            }
            if (!matches(ask, vendorKey, d)) {
                if (firstFailed == null) {
                    for (Constraint c : ask.constraints()) {
                        if (!c.test(d.fact(c.field()))) {
                            firstFailed = d.id() + " fails '" + c.source() + "' (" + c.field() + "=" + d.fact(c.field()) + ")";
                            break;
                        }
                    }
                }
                continue;
            }
            matching++;
            if (usage.device(d.id()).admits(ask.sharing().maxAppsPerDevice()) && !taken.contains(d.id())) {
                free++;
            }
        }
        String what = (ask.vendor().isEmpty() ? "" : ask.vendor() + " ") + ask.kind();
        if (ofKind == 0) {
            return "needs " + ask.describe() + "; engine has no " + what;
        }
        StringBuilder s = new StringBuilder("needs ").append(ask.describe()).append("; ")
                .append(ofKind).append(' ').append(what).append(ofKind == 1 ? "" : "s")
                .append(", ").append(matching).append(" match, ").append(free).append(" of them free");
        if (firstFailed != null) {
            s.append("; e.g. ").append(firstFailed);
        }
        return s.toString();
    }

    /** Sum of the weights of the ask's affinities that the device satisfies. */
    public static int affinityWeight(DeviceAsk ask, SchedulableDevice d) {
        int w = 0;
        for (Affinity a : ask.affinities()) {
            if (a.when().test(d.fact(a.when().field()))) {
                w += a.weight();
            }
        }
        return w;
    }

    /**
     * Sorts by preference with keys computed once per device (affinities may run regexes): more affinity weight,
     * then (shared asks) more sharers, then less memory, then fewer compute units, then probe order.
     */
    private static List<SchedulableDevice> ranked(List<SchedulableDevice> eligible, DeviceAsk ask, EngineUsage usage) {
        int n = eligible.size();
        int[] affinity = new int[n];
        int[] sharers = new int[n];
        boolean useAffinity = !ask.affinities().isEmpty();
        boolean shared = !ask.sharing().exclusive();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            if (useAffinity) {
                affinity[i] = affinityWeight(ask, eligible.get(i));
            }
            if (shared) {
                sharers[i] = usage.device(eligible.get(i).id()).apps();
            }
        }
        java.util.Arrays.sort(order, (a, b) -> {
            if (affinity[a] != affinity[b]) {
                return Integer.compare(affinity[b], affinity[a]);
            }
            if (sharers[a] != sharers[b]) {
                return Integer.compare(sharers[b], sharers[a]);
            }
            SchedulableDevice x = eligible.get(a);
            SchedulableDevice y = eligible.get(b);
            int c = Long.compare(x.memoryBytes(), y.memoryBytes());
            if (c != 0) {
                return c;
            }
            c = Integer.compare(x.device().computeUnits(), y.device().computeUnits());
            return c != 0 ? c : Integer.compare(a, b);
        });
        List<SchedulableDevice> out = new ArrayList<>(n);
        for (Integer i : order) {
            out.add(eligible.get(i));
        }
        return out;
    }

    private static List<SchedulableDevice> sameNumaFirst(List<SchedulableDevice> sorted, int count) {
        // Nodes in the order their best device appears, so the first node with enough devices is also the best-ranked.
        List<Integer> seen = new ArrayList<>(2);
        for (SchedulableDevice d : sorted) {
            if (!seen.contains(d.numa())) {
                seen.add(d.numa());
            }
        }
        for (int node : seen) {
            if (node < 0) {
                continue;
            }
            List<SchedulableDevice> group = new ArrayList<>(count);
            for (SchedulableDevice d : sorted) {
                if (d.numa() == node) {
                    group.add(d);
                    if (group.size() == count) {
                        return List.copyOf(group);
                    }
                }
            }
        }
        return List.copyOf(sorted.subList(0, count));
    }
}
