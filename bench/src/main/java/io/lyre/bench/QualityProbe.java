package io.lyre.bench;

/** Prints the packing-quality measurement alone (no JMH): quick to rerun while tuning scorers. */
public final class QualityProbe {

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        PackingQuality.Result q = PackingQuality.measure(SimulatedCluster.engines(), SimulatedCluster.requests(42));
        System.out.println(q);
        System.out.printf("took %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
