package io.lyre.bench;

import io.lyre.scheduler.Binder;
import io.lyre.scheduler.PlacementOutcome;
import io.lyre.scheduler.Scheduler;
import io.lyre.scheduler.ledger.AllocationLedger;
import io.lyre.scheduler.model.Engine;
import io.lyre.scheduler.model.Requirement;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;

/**
 * One scheduling decision per operation, single thread: the next request of the simulated 10,000-request stream
 * against the simulated 99-engine cluster, filling it up; when the stream ends the ledger is emptied and the stream
 * starts over, so every measured decision sees a cluster between empty and full (placed or refused).
 */
@State(Scope.Thread)
public class SchedulerBenchmark {

    public List<Engine> engines;
    public List<Requirement> requests;
    public Scheduler scheduler;
    public AllocationLedger ledger;
    private int next;
    private long ids;

    @Setup(Level.Trial)
    public void setUp() {
        engines = SimulatedCluster.engines();
        requests = SimulatedCluster.requests(42);
        ledger = new AllocationLedger();
        scheduler = new Scheduler(Scheduler.defaultFilters(), Scheduler.defaultScorers(), ledger, Binder.NONE,
                () -> Long.toString(ids++));
    }

    @Benchmark
    public PlacementOutcome decide() {
        if (next == requests.size()) {
            next = 0;
            ledger.clear();
        }
        return scheduler.schedule(requests.get(next++), "bench", engines);
    }
}
