package io.lyre.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lyre.tunnel.client.AgentCredentials;
import io.lyre.tunnel.client.TunnelClient;
import io.lyre.tunnel.proto.ExchangeFrame;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real TLS server whose receive budget is 3 MiB, and an in-process agent producing downloads nobody reads. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReceiveBudgetTest {

    static final long BUDGET = 3L << 20;
    static final int STALLED = 8;

    @TempDir
    static Path tmp;
    TunnelServer server;
    TunnelClient agent;
    AgentConnection conn;

    @BeforeAll
    void start() throws Exception {
        server = TunnelFixture.server(TunnelFixture.dir(tmp, "proxy"), 1000, cfg -> cfg.withReceiveBudget(BUDGET));
        AgentCredentials creds = TunnelFixture.join(server, TunnelFixture.dir(tmp, "a"), "alpha");
        agent = TunnelFixture.connect(creds, new EchoHandler(), TunnelProtocol.PROTOCOL_VERSION);
        assertThat(agent.awaitConnected(Duration.ofSeconds(10))).isTrue();
        conn = server.connection(creds.identity().agentId()).orElseThrow();
        await().atMost(Duration.ofSeconds(5)).until(() -> conn.exchangesReady());
    }

    @AfterAll
    void stop() {
        agent.close();
        server.close();
    }

    @Test
    void stalledDownloadsTogetherStayWithinTheBudgetAndTheOverflowIsDropped() throws Exception {
        ReceiveBudget budget = server.receiveBudget();
        List<Stalled> stalled = new ArrayList<>();
        for (int i = 0; i < STALLED; i++) {
            Stalled s = new Stalled();
            conn.openHttp("127.0.0.1", 1, "GET", "/generate/" + (64L << 20), List.of(Frames.header("id", "stalled-" + i)),
                    false, s).get(5, TimeUnit.SECONDS).complete();
            stalled.add(s);
        }
        // Each stalled exchange would hold its whole 1 MiB window; together they may hold the budget plus a quarter
        // window each, and the ones past that are dropped with a 503.
        long bound = BUDGET + (long) STALLED * Exchange.FREE_HOLD_BYTES;
        long most = 0;
        long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < until) {
            most = Math.max(most, budget.held());
            Thread.sleep(5);
        }
        assertThat(most).as("bytes held for stalled readers").isLessThanOrEqualTo(bound);
        List<Stalled> dropped = stalled.stream().filter(s -> s.closed.isDone()).toList();
        assertThat(dropped).as("exchanges dropped for the budget").hasSizeGreaterThanOrEqualTo(3);
        assertThat(dropped.size()).as("exchanges kept").isLessThan(STALLED);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(budget.droppedExchanges()).as("drops counted")
                .isEqualTo(stalled.stream().filter(s -> s.closed.isDone()).count()));
        for (Stalled s : dropped) {
            TunnelException e = s.closed.getNow(null);
            assertThat(e).isNotNull();
            assertThat(e.httpStatus()).isEqualTo(503);
            assertThat(e.getMessage()).contains("receive budget");
        }

        // A reader that keeps up is not refused while stalled ones hold the budget.
        ExchangeReader fast = new ExchangeReader();
        conn.openHttp("127.0.0.1", 1, "GET", "/generate/" + (8L << 20), List.of(Frames.header("id", "fast")), false, fast)
                .get(5, TimeUnit.SECONDS).complete();
        fast.awaitHead(Duration.ofSeconds(5));
        try (InputStream in = fast.body()) {
            assertThat(in.transferTo(OutputStream.nullOutputStream())).isEqualTo(8L << 20);
        }

        for (Stalled s : stalled) {
            s.exchange.cancel("test done");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> budget.held() == 0);
    }

    /** A listener that never reads: its exchange keeps whatever arrives. */
    static final class Stalled implements ExchangeListener {
        final CompletableFuture<TunnelException> closed = new CompletableFuture<>();
        volatile Exchange exchange;

        @Override
        public void attached(Exchange ex) {
            exchange = ex;
            ex.pause();
        }

        @Override
        public void onFrame(ExchangeFrame f) {
        }

        @Override
        public void onClosed(TunnelException error) {
            closed.complete(error);
        }
    }
}
