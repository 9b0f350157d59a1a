package io.lyre.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lyre.tunnel.client.AgentCredentials;
import io.lyre.tunnel.client.TunnelClient;
import io.lyre.tunnel.proto.ExchangeFrame;
import io.lyre.tunnel.proto.ResponseHead;
import io.lyre.tunnel.server.EngineState;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One real TLS server on loopback, two in-process agents, exchanges carried end to end. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TunnelExchangeTest {

    @TempDir
    static Path tmp;
    TunnelServer server;
    EchoHandler handlerA = new EchoHandler();
    AgentCredentials credsA;
    TunnelClient agentA;
    TunnelClient agentB;

    @BeforeAll
    void start() throws Exception {
        server = TunnelFixture.server(TunnelFixture.dir(tmp, "proxy"), 1000);
        credsA = TunnelFixture.join(server, TunnelFixture.dir(tmp, "a"), "alpha");
        agentA = TunnelFixture.connect(credsA, handlerA, TunnelProtocol.PROTOCOL_VERSION);
        AgentCredentials credsB = TunnelFixture.join(server, TunnelFixture.dir(tmp, "b"), "beta");
        agentB = TunnelFixture.connect(credsB, new EchoHandler(), TunnelProtocol.PROTOCOL_VERSION);
        assertThat(agentA.awaitConnected(Duration.ofSeconds(10))).isTrue();
        assertThat(agentB.awaitConnected(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> conn(credsA).exchangesReady());
    }

    @AfterAll
    void stop() {
        agentA.close();
        agentB.close();
        server.close();
    }

    AgentConnection conn(AgentCredentials c) {
        return server.connection(c.identity().agentId()).orElseThrow();
    }

    @Test
    void joinStoresKeyPrivatelyAndAssignsLowestFreeSlots() throws Exception {
        Path key = tmp.resolve("a/agent.key");
        assertThat(Files.getPosixFilePermissions(key))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(credsA.identity().slot()).isBetween(TunnelProtocol.MIN_SLOT, TunnelProtocol.MIN_SLOT + 1);
        assertThat(server.registry().state(credsA.identity().agentId())).isEqualTo(EngineState.READY);
        assertThat(conn(credsA).hello().getName()).isEqualTo("alpha");
        assertThat(server.connectionForSlot(credsA.identity().slot())).isPresent();
    }

    @Test
    void smallRequestIsEchoed() throws Exception {
        assertThat(echo(conn(credsA), "hello tunnel".getBytes())).isEqualTo("hello tunnel".getBytes());
    }

    @Test
    void aHeadWithItsBodyInOneMessageReachesTheListenerAsHeadThenData() throws Exception {
        List<ExchangeFrame> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<TunnelException> closed = new CompletableFuture<>();
        conn(credsA).openHttp("127.0.0.1", 1, "GET", "/small", List.of(), false, new ExchangeListener() {
            @Override
            public void onFrame(ExchangeFrame f) {
                seen.add(f);
            }

            @Override
            public void onClosed(TunnelException error) {
                closed.complete(error);
            }
        }).get(5, TimeUnit.SECONDS).complete();
        assertThat(closed.get(5, TimeUnit.SECONDS)).isNull();
        assertThat(seen).extracting(ExchangeFrame::getFrameCase)
                .containsExactly(ExchangeFrame.FrameCase.RESPONSE_HEAD, ExchangeFrame.FrameCase.DATA);
        assertThat(seen.get(0).getResponseHead().getStatus()).isEqualTo(203);
        assertThat(seen.get(0).getResponseHead().hasBody()).isFalse();
        assertThat(seen.get(1).getData().getPayload().toStringUtf8()).isEqualTo("in one message");
        assertThat(seen.get(1).getData().getEndOfStream()).isTrue();
    }

    @Test
    void aSmallRequestWithoutABodyIsOneMessageEachWay() throws Exception {
        java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
        CompletableFuture<TunnelException> closed = new CompletableFuture<>();
        Exchange ex = conn(credsA).openHttp("127.0.0.1", 1, "GET", "/small", List.of(), false, new ExchangeListener() {
            @Override
            public void attached(Exchange exchange) {
                exchange.countBytes(n -> sent.incrementAndGet(), n -> received.incrementAndGet());
            }

            @Override
            public void onFrame(ExchangeFrame f) {
            }

            @Override
            public void onClosed(TunnelException error) {
                closed.complete(error);
            }
        }).get(5, TimeUnit.SECONDS);
        assertThat(closed.get(5, TimeUnit.SECONDS)).isNull();
        ex.complete(); // already ended with the Open: sends nothing
        // Open carried the proxy's end; head, body and the agent's end came as one message
        assertThat(sent.get()).isEqualTo(1);
        assertThat(received.get()).isEqualTo(1);
        assertThat(ex.isClosed()).isTrue();
    }

    @Test
    void twoHundredConcurrentExchangesShareOneStreamAndLeaveNothingBehind() throws Exception {
        AgentCredentials creds = TunnelFixture.join(server, TunnelFixture.dir(tmp, "burst"), "burst");
        try (TunnelClient burstAgent = TunnelFixture.connect(creds, new EchoHandler(), TunnelProtocol.PROTOCOL_VERSION)) {
            assertThat(burstAgent.awaitConnected(Duration.ofSeconds(10))).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> conn(creds).exchangesReady());
            List<CompletableFuture<byte[]>> burst = new java.util.ArrayList<>();
            java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(200);
            try {
                for (int i = 0; i < 200; i++) {
                    // every tenth carries 300 KiB, past a Window grant, so credit flows while the others run
                    byte[] body = i % 10 == 0 ? new byte[300 * 1024 + i] : ("request " + i).getBytes();
                    burst.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return echo(conn(creds), body);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, clients));
                }
                for (int i = 0; i < burst.size(); i++) {
                    byte[] expected = i % 10 == 0 ? new byte[300 * 1024 + i] : ("request " + i).getBytes();
                    assertThat(burst.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(expected);
                }
            } finally {
                clients.shutdownNow();
            }
            // both ends ended every exchange: the stream's table is empty again, nothing leaks per request
            await().atMost(Duration.ofSeconds(5)).until(() -> conn(creds).exchangesOnStream() == 0);
            assertThat(conn(creds).activeExchanges()).isZero();
        }
    }

    @Test
    void eightMebibytesBothWaysArriveIntact() throws Exception {
        byte[] body = new byte[8 * 1024 * 1024 + 123];
        new Random(42).nextBytes(body);
        byte[] back = echo(conn(credsA), body);
        assertThat(sha256(back)).isEqualTo(sha256(body));
    }

    @Test
    void aSlowReaderStallsOnlyItsOwnExchange() throws Exception {
        AgentConnection c = conn(credsA);
        // Exchange 1: 256 MiB offered, nobody reads: the agent's producer must stop after a bounded amount.
        ExchangeReader stalled = new ExchangeReader();
        c.openHttp("127.0.0.1", 1, "GET", "/generate/" + (256L << 20),
                List.of(Frames.header("id", "stalled")), false, stalled).get(5, TimeUnit.SECONDS).complete();
        stalled.awaitHead(Duration.ofSeconds(5));
        // Exchange 2 on the same agent: 32 MiB read at full speed.
        ExchangeReader fast = new ExchangeReader();
        c.openHttp("127.0.0.1", 1, "GET", "/generate/" + (32L << 20),
                List.of(Frames.header("id", "fast")), false, fast).get(5, TimeUnit.SECONDS).complete();
        fast.awaitHead(Duration.ofSeconds(5));
        long t0 = System.nanoTime();
        long n;
        try (InputStream in = fast.body()) {
            n = in.transferTo(OutputStream.nullOutputStream());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(n).isEqualTo(32L << 20);
        assertThat(seconds).as("fast exchange time").isLessThan(10);
        // The stalled producer is held back by flow control: a few MiB at most, not 256.
        long produced = handlerA.generated.get("stalled").get();
        assertThat(produced).as("bytes produced for the stalled reader").isLessThan(24L << 20);
        Thread.sleep(300);
        assertThat(handlerA.generated.get("stalled").get()).isLessThan(24L << 20);
        stalled.exchange().cancel("test done");
    }

    @Test
    void cancelFromTheProxyReachesTheAgent() throws Exception {
        ExchangeReader r = new ExchangeReader();
        Exchange ex = conn(credsA).openHttp("127.0.0.1", 1, "GET", "/generate/" + (1L << 30),
                List.of(Frames.header("id", "cancel")), false, r).get(5, TimeUnit.SECONDS);
        r.awaitHead(Duration.ofSeconds(5));
        ex.cancel("client went away");
        assertThat(handlerA.cancelled.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void oversizedFrameDropsOnlyItsStream() throws Exception {
        try (LogCapture log = new LogCapture()) {
            ExchangeReader r = new ExchangeReader();
            conn(credsA).openHttp("127.0.0.1", 1, "GET", "/oversized", List.of(), false, r).get(5, TimeUnit.SECONDS);
            r.awaitHead(Duration.ofSeconds(5));
            assertThatThrownBy(() -> r.body().readAllBytes()).isInstanceOf(ExchangeReader.TunnelIOException.class);
            await().atMost(Duration.ofSeconds(3)).until(() -> log.text().contains("refused an oversized frame"));
        }
        assertThat(echo(conn(credsA), "still here".getBytes())).isEqualTo("still here".getBytes());
        assertThat(agentA.isConnected()).isTrue();
    }

    static byte[] echo(AgentConnection c, byte[] body) throws Exception {
        ExchangeReader r = new ExchangeReader();
        Exchange ex = c.openHttp("127.0.0.1", 1, "POST", "/echo", List.of(), true, r).get(5, TimeUnit.SECONDS);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (OutputStream out = new ExchangeOutputStream(ex)) {
                out.write(body);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        ResponseHead head = r.awaitHead(Duration.ofSeconds(5));
        assertThat(head.getStatus()).isEqualTo(200);
        byte[] back;
        try (InputStream in = r.body()) {
            back = in.readAllBytes();
        }
        writer.get(10, TimeUnit.SECONDS);
        return back;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
