package io.lyre.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.StreamObserver;
import io.lyre.tunnel.client.AgentCredentials;
import io.lyre.tunnel.client.JoinClient;
import io.lyre.tunnel.client.TunnelClient;
import io.lyre.tunnel.pki.TlsMaterial;
import io.lyre.tunnel.proto.AgentMessage;
import io.lyre.tunnel.proto.ExchangeFrame;
import io.lyre.tunnel.proto.ProxyMessage;
import io.lyre.tunnel.proto.TunnelGrpc;
import io.lyre.tunnel.server.AgentRecord;
import io.lyre.tunnel.server.EngineState;
import io.lyre.tunnel.server.JoinToken;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Join, refusals and loss against a real TLS server, while a known-good agent keeps serving. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TunnelSecurityTest {

    @TempDir
    static Path tmp;
    TunnelServer server;
    AgentCredentials good;
    TunnelClient goodAgent;
    final List<String> transitions = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() throws Exception {
        server = TunnelFixture.server(TunnelFixture.dir(tmp, "proxy"), 1000);
        server.registry().addListener((a, from, to) -> transitions.add(a.name() + ":" + from + "->" + to));
        good = TunnelFixture.join(server, TunnelFixture.dir(tmp, "good"), "good");
        goodAgent = TunnelFixture.connect(good, new EchoHandler(), TunnelProtocol.PROTOCOL_VERSION);
        assertThat(goodAgent.awaitConnected(Duration.ofSeconds(10))).isTrue();
    }

    @AfterAll
    void stop() {
        goodAgent.close();
        server.close();
    }

    void goodAgentStillServes() throws Exception {
        AgentConnection c = server.connection(good.identity().agentId()).orElseThrow();
        assertThat(TunnelExchangeTest.echo(c, "ok".getBytes())).isEqualTo("ok".getBytes());
    }

    String address() {
        return "127.0.0.1:" + server.port();
    }

    @Test
    void aTokenWorksOnceOnly() throws Exception {
        String token = server.createJoinToken(Duration.ofMinutes(5)).toString();
        JoinClient.join(address(), token, "once", Map.of(), 0, TunnelFixture.dir(tmp, "once"));
        try (LogCapture log = new LogCapture()) {
            assertThatThrownBy(() -> JoinClient.join(address(), token, "twice", Map.of(), 0, TunnelFixture.dir(tmp, "twice")))
                    .isInstanceOf(JoinClient.JoinException.class).hasMessageContaining("join refused");
            assertThat(log.text()).contains(": used");
        }
        goodAgentStillServes();
    }

    @Test
    void aWrongSecretIsRefused() throws Exception {
        JoinToken real = server.createJoinToken(Duration.ofMinutes(5));
        String forged = new JoinToken(real.caFingerprint(), real.id(), "x".repeat(32)).toString();
        assertThatThrownBy(() -> JoinClient.join(address(), forged, "forged", Map.of(), 0, TunnelFixture.dir(tmp, "forged")))
                .isInstanceOf(JoinClient.JoinException.class).hasMessageContaining("join refused");
        goodAgentStillServes();
    }

    @Test
    void theAgentRefusesAProxyWhoseCaIsNotThePinnedOne() throws Exception {
        JoinToken real = server.createJoinToken(Duration.ofMinutes(5));
        String otherCa = new JoinToken("ab".repeat(32), real.id(), real.secret()).toString();
        assertThatThrownBy(() -> JoinClient.join(address(), otherCa, "mitm", Map.of(), 0, TunnelFixture.dir(tmp, "mitm")))
                .isInstanceOf(JoinClient.JoinException.class).hasMessageContaining("fingerprint");
        // The token was not spent on the wrong proxy: it still works with the right pin.
        JoinClient.join(address(), real.toString(), "pinned", Map.of(), 0, TunnelFixture.dir(tmp, "pinned"));
    }

    @Test
    void aTlsClientWithoutCertificateCannotOpenControl() throws Exception {
        ManagedChannel ch = io.grpc.Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
                TlsChannelCredentials.newBuilder().trustManager(TlsMaterial.trustCa(server.ca().certificate())).build()).build();
        try (LogCapture log = new LogCapture()) {
            assertThat(controlStatus(ch).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(log.text()).contains("no client certificate");
        } finally {
            ch.shutdownNow();
        }
        goodAgentStillServes();
    }

    @Test
    void garbageBytesOnTheTunnelPortAreDroppedAndLogged() throws Exception {
        try (LogCapture log = new LogCapture(); Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5000);
            byte[] junk = new byte[4096];
            new Random(7).nextBytes(junk);
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            out.write(junk);
            out.flush();
            InputStream in = s.getInputStream();
            try {
                while (in.read(junk) >= 0) {
                    // drain until the server hangs up
                }
            } catch (java.net.SocketException reset) {
                // a reset is a hang-up too
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> log.text().contains("before completing the TLS"));
        }
        goodAgentStillServes();
    }

    @Test
    void anAgentSendingPastItsWindowLosesThatExchangeOnly() throws Exception {
        AgentCredentials c = TunnelFixture.join(server, TunnelFixture.dir(tmp, "greedy"), "greedy");
        ManagedChannel ch = io.grpc.Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
                TlsChannelCredentials.newBuilder().keyManager(TlsMaterial.keyManagers(c.keyAndCertificate()))
                        .trustManager(TlsMaterial.trustCa(c.ca())).build()).build();
        // A hand-made agent that ignores flow control: it answers every Open with 3 MiB at once, never waiting
        // for a Window grant (the real Exchange queues instead).
        CompletableFuture<ProxyMessage> welcome = new CompletableFuture<>();
        CompletableFuture<ExchangeFrame> reset = new CompletableFuture<>();
        try (LogCapture log = new LogCapture()) {
            StreamObserver<AgentMessage> control = TunnelGrpc.newStub(ch).control(new StreamObserver<>() {
                @Override
                public void onNext(ProxyMessage m) {
                    welcome.complete(m);
                }

                @Override
                public void onError(Throwable t) {
                    welcome.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                }
            });
            control.onNext(AgentMessage.newBuilder().setHello(TunnelFixture.hello("greedy", TunnelProtocol.PROTOCOL_VERSION)).build());
            assertThat(welcome.get(10, TimeUnit.SECONDS).hasWelcome()).isTrue();
            StreamObserver<ExchangeFrame>[] up = new StreamObserver[1];
            up[0] = TunnelGrpc.newStub(ch).exchanges(new StreamObserver<>() {
                @Override
                public void onNext(ExchangeFrame f) {
                    if (f.hasOpen()) {
                        synchronized (up) {
                            up[0].onNext(Frames.head(200, List.of()).toBuilder().setId(f.getId()).build());
                            for (int i = 0; i < 48; i++) {
                                up[0].onNext(Frames.data(com.google.protobuf.ByteString.copyFrom(new byte[64 * 1024]), false)
                                        .toBuilder().setId(f.getId()).build());
                            }
                        }
                    } else if (f.hasReset()) {
                        reset.complete(f);
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            });
            String id = c.identity().agentId();
            await().atMost(Duration.ofSeconds(5)).until(() -> server.connection(id).map(AgentConnection::exchangesReady).orElse(false));
            ExchangeReader r = new ExchangeReader();
            server.connection(id).orElseThrow().openHttp("127.0.0.1", 1, "GET", "/", List.of(), false, r).get(5, TimeUnit.SECONDS);
            assertThat(reset.get(5, TimeUnit.SECONDS).getReset().getMessage()).contains("flow-control window");
            await().atMost(Duration.ofSeconds(3)).until(() -> log.text().contains("sent past its flow-control window"));
            assertThat(server.connection(id)).as("only the exchange is dropped, not the agent").isPresent();
            assertThat(server.connection(id).orElseThrow().exchangesOnStream()).isZero();
        } finally {
            ch.shutdownNow();
        }
        goodAgentStillServes();
    }

    @Test
    void anUnknownProtocolVersionIsRefusedWithAReason() throws Exception {
        AgentCredentials c = TunnelFixture.join(server, TunnelFixture.dir(tmp, "future"), "future");
        try (LogCapture log = new LogCapture();
             TunnelClient future = TunnelFixture.connect(c, new EchoHandler(), 99)) {
            assertThat(future.fatal().get(10, TimeUnit.SECONDS)).contains("unsupported tunnel protocol version 99");
            assertThat(log.text()).contains("refused: unsupported tunnel protocol version 99");
        }
        goodAgentStillServes();
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() throws Exception {
        try (TunnelServer other = TunnelFixture.server(TunnelFixture.dir(tmp, "other-proxy"), 1000)) {
            AgentCredentials foreign = TunnelFixture.join(other, TunnelFixture.dir(tmp, "foreign"), "foreign");
            // It trusts our CA (so TLS completes) but its certificate is from the other proxy's CA.
            AgentCredentials mixed = new AgentCredentials(foreign.identity(), foreign.key(), foreign.certificate(),
                    server.ca().certificate());
            TunnelClient c = new TunnelClient(TunnelClient.Config.of(mixed).withProxy(
                    io.lyre.tunnel.client.ProxyAddress.parse(address())),
                    () -> TunnelFixture.hello("foreign", 1), new EchoHandler()).start();
            try {
                assertThat(c.fatal().get(10, TimeUnit.SECONDS)).contains("not issued by this proxy's CA");
            } finally {
                c.close();
            }
        }
        goodAgentStillServes();
    }

    @Test
    void aRevokedAgentIsDroppedAndRefused() throws Exception {
        AgentCredentials c = TunnelFixture.join(server, TunnelFixture.dir(tmp, "revoked"), "doomed");
        try (TunnelClient doomed = TunnelFixture.connect(c, new EchoHandler(), TunnelProtocol.PROTOCOL_VERSION)) {
            assertThat(doomed.awaitConnected(Duration.ofSeconds(10))).isTrue();
            int slot = c.identity().slot();
            assertThat(server.revoke(c.identity().agentId())).isTrue();
            assertThat(doomed.fatal().get(10, TimeUnit.SECONDS)).contains("revoked");
            assertThat(server.connection(c.identity().agentId())).isEmpty();
            assertThat(server.registry().chooseSlot(slot)).isEqualTo(slot); // its slot is free again
        }
        goodAgentStillServes();
    }

    @Test
    void losingTheAgentFailsItsExchangesAndMarksItLostAfterGrace() throws Exception {
        AgentCredentials c = TunnelFixture.join(server, TunnelFixture.dir(tmp, "mortal"), "mortal");
        TunnelClient mortal = TunnelFixture.connect(c, new EchoHandler(), TunnelProtocol.PROTOCOL_VERSION);
        assertThat(mortal.awaitConnected(Duration.ofSeconds(10))).isTrue();
        AgentConnection conn = server.connection(c.identity().agentId()).orElseThrow();
        ExchangeReader r = new ExchangeReader();
        conn.openHttp("127.0.0.1", 1, "GET", "/generate/" + (1L << 30), List.of(Frames.header("id", "mortal")), false, r)
                .get(5, TimeUnit.SECONDS).complete();
        r.awaitHead(Duration.ofSeconds(5));
        InputStream body = r.body();
        body.readNBytes(1 << 20);
        long t0 = System.nanoTime();
        CompletableFuture.runAsync(mortal::close);
        assertThatThrownBy(() -> body.transferTo(OutputStream.nullOutputStream()))
                .isInstanceOfSatisfying(ExchangeReader.TunnelIOException.class, e -> assertThat(e.httpStatus()).isIn(502, 503));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        String id = c.identity().agentId();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.registry().state(id) == EngineState.LOST);
        assertThat(transitions).contains("mortal:READY->DISCONNECTED", "mortal:DISCONNECTED->LOST");
        assertThatThrownBy(() -> conn.openRaw("127.0.0.1", 1, new ExchangeReader()).join())
                .hasCauseInstanceOf(TunnelException.class);
        goodAgentStillServes();
    }

    @Test
    void theAgentComesBackAfterTheProxyRestarts() throws Exception {
        Path dir = TunnelFixture.dir(tmp, "restart-proxy");
        TunnelServer first = TunnelFixture.server(dir, 1000);
        int port = first.port();
        AgentCredentials c = TunnelFixture.join(first, TunnelFixture.dir(tmp, "restart-agent"), "phoenix");
        try (TunnelClient agent = TunnelFixture.connect(c, new EchoHandler(), TunnelProtocol.PROTOCOL_VERSION)) {
            assertThat(agent.awaitConnected(Duration.ofSeconds(10))).isTrue();
            first.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> !agent.isConnected());
            TunnelServer second = new TunnelServer(TunnelServerConfig.defaults(dir).withBind("127.0.0.1", port)
                    .withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(3))).start();
            try {
                await().atMost(Duration.ofSeconds(8)).until(() -> second.connection(c.identity().agentId()).isPresent());
                AgentRecord rec = second.registry().get(c.identity().agentId()).orElseThrow();
                assertThat(rec.slot()).isEqualTo(c.identity().slot());
                await().atMost(Duration.ofSeconds(3)).until(() -> second.connection(rec.id()).get().exchangesReady());
                assertThat(TunnelExchangeTest.echo(second.connection(rec.id()).get(), "back".getBytes())).isEqualTo("back".getBytes());
                assertThat(agent.connectCount()).isEqualTo(2);
            } finally {
                second.close();
            }
        }
    }

    static Status controlStatus(ManagedChannel ch) throws Exception {
        CompletableFuture<Status> done = new CompletableFuture<>();
        StreamObserver<AgentMessage> up = TunnelGrpc.newStub(ch).control(new StreamObserver<ProxyMessage>() {
            @Override
            public void onNext(ProxyMessage value) {
            }

            @Override
            public void onError(Throwable t) {
                done.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                done.complete(Status.OK);
            }
        });
        up.onNext(AgentMessage.newBuilder().setHello(TunnelFixture.hello("nocert", 1)).build());
        return done.get(10, TimeUnit.SECONDS);
    }
}
