package io.lyre.scheduler.pipeline;

import io.lyre.scheduler.model.DeviceAsk;
import io.lyre.scheduler.model.Engine;
import io.lyre.scheduler.model.Requirement;
import io.lyre.scheduler.model.SchedulableDevice;

import java.util.List;

/**
 * Keeps scarce devices (GPUs, FPGAs, accelerators) in large free blocks, so a later 4-GPU ask still finds an
 * engine with 4 free GPUs and a later 80 GiB ask still finds the big card:
 * <ul>
 *   <li>an app with device asks scores higher on engines whose devices of that kind are already more used
 *       (40 %) and when the chosen devices are small next to the biggest of their kind in the cluster (60 %);</li>
 *   <li>an app without devices scores 100 on engines without free scarce devices (CPU hosts, or GPU hosts whose
 *       devices are all taken), and at most 50 elsewhere (more where more devices are taken), so CPU work does not
 *       eat the cores and memory that a free GPU or FPGA will need.</li>
 * </ul>
 */
public final class BinPackScorer implements EngineScorer {

    // Size outweighs packing: a small ask that lands on a big card because its host was "nicely packed" is what
    // strands the next big ask (measured on the simulated 99-engine cluster in bench/: 0.7/0.3 gave 79 % packing
    // quality, SMALL-heavy weights gave more; see bench/RESULTS.md).
    static final double PACKED = 0.4;
    static final double SMALL = 0.6;

    private static boolean isChosen(List<List<SchedulableDevice>> chosen, SchedulableDevice d) {
        for (List<SchedulableDevice> group : chosen) {
            for (SchedulableDevice c : group) {
                if (c == d) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public String name() {
        return "bin-pack";
    }

    @Override
    public int score(Requirement requirement, Candidate candidate) {
        Engine engine = candidate.engine();
        if (requirement.devices().isEmpty()) {
            int total = engine.scarceDevices();
            if (total == 0) {
                return MAX;
            }
            int used = 0;
            for (SchedulableDevice d : engine.devices()) {
                if (d.scarce() && d.schedulable() && candidate.usage().device(d.id()).apps() > 0) {
                    used++;
                }
            }
            // A host whose scarce devices are all taken is as good as a CPU host; one with a free device is kept
            // for the app that needs that device (its cores and memory too), busier ones first.
            return used == total ? MAX : EngineScorer.clamp(50.0 * used / total * headroom(requirement, candidate, total - used, total));
        }
        int kinds = 0; // bit per DeviceKind ordinal: no set allocated on the hot path
        for (DeviceAsk ask : requirement.devices()) {
            kinds |= 1 << ask.kind().ordinal();
        }
        int total = 0;
        int usedAfter = 0;
        double sizeSum = 0;
        int chosenCount = 0;
        List<List<SchedulableDevice>> chosen = candidate.chosen();
        for (List<SchedulableDevice> group : chosen) {
            for (SchedulableDevice d : group) {
                long max = candidate.cluster().maxMemory(d.kind());
                sizeSum += max <= 0 ? 0 : (double) d.memoryBytes() / max;
                chosenCount++;
            }
        }
        for (SchedulableDevice d : engine.devices()) {
            if ((kinds & (1 << d.kind().ordinal())) != 0 && d.schedulable()) {
                total++;
                if (candidate.usage().device(d.id()).apps() > 0 || isChosen(chosen, d)) {
                    usedAfter++;
                }
            }
        }
        double packed = total == 0 ? 0 : (double) usedAfter / total;
        double small = chosenCount == 0 ? 1 : 1 - sizeSum / chosenCount;
        int scarceTotal = engine.scarceDevices();
        int scarceFreeAfter = 0;
        for (SchedulableDevice d : engine.devices()) {
            if (d.scarce() && d.schedulable() && candidate.usage().device(d.id()).apps() == 0 && !isChosen(chosen, d)) {
                scarceFreeAfter++;
            }
        }
        return EngineScorer.clamp(100 * (PACKED * packed + SMALL * small) * headroom(requirement, candidate, scarceFreeAfter, scarceTotal));
    }

    /**
     * 1 when the engine keeps, after this placement, at least its fair share of cores and memory (allocatable divided
     * by its scarce devices) for each scarce device still free; less, down to 0, as it eats into that. Without this,
     * CPU work fills the cores of a host whose FPGA is still free, and the FPGA app that comes later finds no cores.
     */
    static double headroom(Requirement r, Candidate c, int freeScarceAfter, int scarceTotal) {
        if (freeScarceAfter == 0 || scarceTotal == 0) {
            return 1;
        }
        Engine e = c.engine();
        double coresNeeded = (double) e.allocatableMilliCores() / scarceTotal * freeScarceAfter;
        double memoryNeeded = (double) e.allocatableMemoryBytes() / scarceTotal * freeScarceAfter;
        double coresLeft = e.allocatableMilliCores() - c.usage().milliCores() - r.milliCores();
        double memoryLeft = e.allocatableMemoryBytes() - c.usage().memoryBytes() - r.memoryBytes();
        double h = Math.min(coresNeeded <= 0 ? 1 : coresLeft / coresNeeded, memoryNeeded <= 0 ? 1 : memoryLeft / memoryNeeded);
        return Math.max(0, Math.min(1, h));
    }
}
