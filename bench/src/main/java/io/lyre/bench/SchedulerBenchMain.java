package io.lyre.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.annotations.Mode;

import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs the scheduler benchmark (throughput, then sampled latency, one thread, one fork each) and the packing-quality
 * measurement, and prints a summary. {@code bench/scheduler-bench.sh} runs it.
 */
public final class SchedulerBenchMain {

    public static void main(String[] args) throws Exception {
        int warmups = Integer.getInteger("warmups", 3);
        int iterations = Integer.getInteger("iterations", 5);
        Options throughput = new OptionsBuilder().include(SchedulerBenchmark.class.getSimpleName())
                .mode(Mode.Throughput).timeUnit(TimeUnit.SECONDS).forks(1).threads(1)
                .warmupIterations(warmups).warmupTime(TimeValue.seconds(2))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(2)).build();
        Options latency = new OptionsBuilder().include(SchedulerBenchmark.class.getSimpleName())
                .mode(Mode.SampleTime).timeUnit(TimeUnit.MICROSECONDS).forks(1).threads(1)
                .warmupIterations(warmups).warmupTime(TimeValue.seconds(2))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(2)).build();
        Collection<RunResult> t = new Runner(throughput).run();
        Collection<RunResult> l = new Runner(latency).run();
        double opsPerSecond = t.iterator().next().getPrimaryResult().getScore();
        var stats = l.iterator().next().getPrimaryResult().getStatistics();
        PackingQuality.Result q = PackingQuality.measure(SimulatedCluster.engines(), SimulatedCluster.requests(42));
        System.out.println();
        System.out.println("== Lyre scheduler benchmark (simulated cluster: 99 engines x 8 GPUs + 34 FPGAs; 10,000 mixed requests) ==");
        System.out.printf(Locale.ROOT, "decisions per second, 1 thread : %,.0f%n", opsPerSecond);
        System.out.printf(Locale.ROOT, "decision latency p50 / p99 / p99.9 / max (us) : %.1f / %.1f / %.1f / %.1f%n",
                stats.getPercentile(50), stats.getPercentile(99), stats.getPercentile(99.9), stats.getMax());
        System.out.printf(Locale.ROOT, "placed before first refusal : %d of %d (placed in all: %d)%n",
                q.placedBeforeFirstRefusal(), SimulatedCluster.REQUESTS, q.placedTotal());
        System.out.printf(Locale.ROOT, "first refused               : %s%n", q.firstRefused());
        System.out.printf(Locale.ROOT, "first-fit-decreasing bound  : %d%n", q.ffdBound());
        System.out.printf(Locale.ROOT, "packing quality             : %.1f %%%n", 100 * q.quality());
    }
}
