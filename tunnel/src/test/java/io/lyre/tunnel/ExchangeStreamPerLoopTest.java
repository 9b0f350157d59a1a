package io.lyre.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lyre.tunnel.client.AgentCredentials;
import io.lyre.tunnel.client.TunnelClient;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A proxy serving on two event loops asks each agent for two exchange connections, and an exchange started on a loop
 * runs on that loop's stream: no hand-off to another loop and back per request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExchangeStreamPerLoopTest {

    @TempDir
    static Path tmp;
    NioEventLoopGroup loops = new NioEventLoopGroup(2);
    TunnelServer server;
    TunnelClient agent;
    AgentConnection conn;
    AgentCredentials creds;

    @BeforeAll
    void start() throws Exception {
        server = new TunnelServer(TunnelServerConfig.defaults(TunnelFixture.dir(tmp, "proxy")).withBind("127.0.0.1", 0)
                .withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(3)))
                .eventLoops(TransportLoops.of(loops)).start();
        creds = TunnelFixture.join(server, TunnelFixture.dir(tmp, "agent"), "looped");
        agent = TunnelFixture.connect(creds, new EchoHandler(), TunnelProtocol.PROTOCOL_VERSION);
        assertThat(agent.awaitConnected(Duration.ofSeconds(10))).isTrue();
        String id = creds.identity().agentId();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connection(id).map(c -> c.exchangeStreams() == 2).orElse(false));
        conn = server.connection(id).orElseThrow();
    }

    @AfterAll
    void stop() {
        agent.close();
        server.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void anExchangeStartedOnALoopRunsOnThatLoopsStream() throws Exception {
        Set<Thread> streamLoops = new HashSet<>();
        for (EventExecutor e : loops) {
            EventLoop loop = (EventLoop) e;
            CompletableFuture<Exchange> opened = new CompletableFuture<>();
            Thread[] thread = new Thread[1];
            loop.execute(() -> {
                thread[0] = Thread.currentThread();
                conn.openHttp("127.0.0.1", 1, "POST", "/echo", List.of(), true, new ExchangeReader())
                        .whenComplete((ex, err) -> {
                            if (err != null) {
                                opened.completeExceptionally(err);
                            } else {
                                opened.complete(ex);
                            }
                        });
            });
            Exchange ex = opened.get(5, TimeUnit.SECONDS);
            assertThat(ex.mux().loop()).as("the stream of the loop the exchange started on").isSameAs(thread[0]);
            streamLoops.add(ex.mux().loop());
            ex.cancel("test done");
        }
        assertThat(streamLoops).as("one stream per loop").hasSize(2);
    }

    @Test
    void exchangesFromOtherThreadsUseEveryStreamAndComeBackWhole() throws Exception {
        Set<ExchangeMux> used = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            byte[] body = ("from the main thread " + i).getBytes();
            assertThat(TunnelExchangeTest.echo(conn, body)).isEqualTo(body);
        }
        for (int i = 0; i < 4; i++) {
            Exchange ex = conn.openHttp("127.0.0.1", 1, "GET", "/small", List.of(), false, new ExchangeReader())
                    .get(5, TimeUnit.SECONDS);
            used.add(ex.mux());
            ex.complete();
        }
        assertThat(used).as("taken in turn").hasSize(2);
    }

    @Test
    void anExchangeStreamPastTheOnesAskedForIsRefused() throws Exception {
        io.grpc.ManagedChannel ch = io.grpc.Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
                io.grpc.TlsChannelCredentials.newBuilder().keyManager(io.lyre.tunnel.pki.TlsMaterial.keyManagers(creds.keyAndCertificate()))
                        .trustManager(io.lyre.tunnel.pki.TlsMaterial.trustCa(creds.ca())).build()).build();
        try {
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            io.lyre.tunnel.proto.TunnelGrpc.newStub(ch).exchanges(new io.grpc.stub.StreamObserver<>() {
                @Override
                public void onNext(io.lyre.tunnel.proto.ExchangeFrame f) {
                }

                @Override
                public void onError(Throwable t) {
                    ended.complete(t);
                }

                @Override
                public void onCompleted() {
                    ended.complete(null);
                }
            });
            assertThat(ended.get(5, TimeUnit.SECONDS)).hasMessageContaining("exchange streams already");
            assertThat(conn.exchangeStreams()).isEqualTo(2);
            assertThat(TunnelExchangeTest.echo(conn, "still two".getBytes())).isEqualTo("still two".getBytes());
        } finally {
            ch.shutdownNow();
        }
    }
}
