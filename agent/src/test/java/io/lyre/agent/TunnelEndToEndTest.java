package io.lyre.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Image;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.google.protobuf.ByteString;
import io.lyre.tunnel.AgentConnection;
import io.lyre.tunnel.Exchange;
import io.lyre.tunnel.ExchangeOutputStream;
import io.lyre.tunnel.ExchangeReader;
import io.lyre.tunnel.Frames;
import io.lyre.tunnel.TunnelException;
import io.lyre.tunnel.TunnelServer;
import io.lyre.tunnel.TunnelServerConfig;
import io.lyre.tunnel.client.AgentCredentials;
import io.lyre.tunnel.docker.TunnelDockerHttpClient;
import io.lyre.tunnel.proto.ResponseHead;
import io.lyre.tunnel.proto.WsFrame;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

/**
 * The tunnel with real processes: a server in this JVM, agents as child JVMs ({@code agent join}, {@code agent run})
 * with their own data dirs, and real HTTP / WebSocket servers behind them on loopback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TunnelEndToEndTest {

    /** Child JVM output, kept after the run for a post-mortem. */
    static final Path LOGS = Path.of("target", "e2e-logs");

    @TempDir
    static Path tmp;
    TunnelServer server;
    EchoServers apps;
    Path alphaDir;
    Path bravoDir;
    AgentProcess alpha;
    AgentProcess bravo;
    String alphaId;
    String bravoId;

    @BeforeAll
    void start() throws Exception {
        server = new TunnelServer(TunnelServerConfig.defaults(tmp.resolve("proxy")).withBind("127.0.0.1", 0)
                .withBlacklist(1000, Duration.ofSeconds(60))
                .withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(3))
                .withLostGrace(Duration.ofSeconds(2))).start();
        apps = new EchoServers();
        alphaDir = tmp.resolve("alpha");
        bravoDir = tmp.resolve("bravo");
        AgentProcess joinA = join("alpha", alphaDir, server.createJoinToken(Duration.ofMinutes(5)).toString());
        AgentProcess joinB = join("bravo", bravoDir, server.createJoinToken(Duration.ofMinutes(5)).toString());
        assertThat(joinA.await(60)).as(joinA.output()).isZero();
        assertThat(joinB.await(60)).as(joinB.output()).isZero();
        alphaId = AgentCredentials.load(alphaDir).identity().agentId();
        bravoId = AgentCredentials.load(bravoDir).identity().agentId();
        alpha = run(alphaDir, "alpha-run");
        bravo = run(bravoDir, "bravo-run");
        awaitReady(alphaId, alpha, Duration.ofSeconds(40));
        awaitReady(bravoId, bravo, Duration.ofSeconds(40));
    }

    @AfterAll
    void stop() throws Exception {
        for (AgentProcess p : new AgentProcess[] {alpha, bravo}) {
            if (p != null) {
                p.close();
            }
        }
        if (apps != null) {
            apps.close();
        }
        if (server != null) {
            server.close();
        }
    }

    AgentProcess join(String name, Path dir, String token) throws Exception {
        return AgentProcess.start(LOGS.resolve(name + "-join.log"), "join", "127.0.0.1:" + server.port(), token,
                "--data-dir", dir.toString(), "--name", name, "--label", "zone=test");
    }

    AgentProcess run(Path dir, String logName) throws Exception {
        return AgentProcess.start(LOGS.resolve(logName + ".log"), "run", "--data-dir", dir.toString());
    }

    void awaitReady(String id, AgentProcess p, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(50))
                .failFast("agent exited:\n" + p.log, () -> !p.process.isAlive())
                .until(() -> server.connection(id).map(c -> c.exchangesReady()).orElse(false));
    }

    AgentConnection alpha() {
        return server.connection(alphaId).orElseThrow();
    }

    ExchangeReader get(AgentConnection c, String path) throws Exception {
        ExchangeReader r = new ExchangeReader();
        c.openHttp("127.0.0.1", apps.httpPort(), "GET", path, List.of(Frames.header("host", "app")), false, r)
                .get(5, TimeUnit.SECONDS).complete();
        return r;
    }

    @Test
    void agentsJoinedWithTheirOwnSlotsAndLabels() {
        assertThat(server.registry().get(alphaId).orElseThrow().labels()).containsEntry("zone", "test");
        assertThat(server.registry().get(alphaId).orElseThrow().slot())
                .isNotEqualTo(server.registry().get(bravoId).orElseThrow().slot());
        assertThat(alpha().hello().getInventoryJson().toStringUtf8()).startsWith("{");
    }

    @Test
    void smallRequestsReachTheAppBehindTheAgent() throws Exception {
        ExchangeReader r = get(alpha(), "/hello");
        ResponseHead head = r.awaitHead(Duration.ofSeconds(10));
        assertThat(head.getStatus()).isEqualTo(200);
        assertThat(head.getHeadersList()).anyMatch(h -> h.getName().equalsIgnoreCase("content-type")
                && h.getValue().equals("text/plain"));
        assertThat(new String(r.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello GET");
    }

    @Test
    void hundredMebibytesBothWaysArriveWithTheSameChecksum() throws Exception {
        long size = 100L << 20;
        ExchangeReader r = new ExchangeReader();
        Exchange ex = alpha().openHttp("127.0.0.1", apps.httpPort(), "POST", "/echo", List.of(), true, r)
                .get(5, TimeUnit.SECONDS);
        CompletableFuture<String> sent = CompletableFuture.supplyAsync(() -> {
            try (OutputStream out = new ExchangeOutputStream(ex)) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                Random rnd = new Random(1);
                byte[] chunk = new byte[64 * 1024];
                for (long left = size; left > 0; left -= chunk.length) {
                    rnd.nextBytes(chunk);
                    md.update(chunk);
                    out.write(chunk);
                }
                return HexFormat.of().formatHex(md.digest());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(r.awaitHead(Duration.ofSeconds(10)).getStatus()).isEqualTo(200);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        long received = 0;
        try (InputStream in = r.body()) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                md.update(buf, 0, n);
                received += n;
            }
        }
        assertThat(received).isEqualTo(size);
        assertThat(HexFormat.of().formatHex(md.digest())).isEqualTo(sent.get(30, TimeUnit.SECONDS));
    }

    @Test
    void aStreamingResponseArrivesAsItIsProduced() throws Exception {
        ExchangeReader r = get(alpha(), "/sse");
        assertThat(r.awaitHead(Duration.ofSeconds(10)).getStatus()).isEqualTo(200);
        long t0 = System.nanoTime();
        InputStream in = r.body();
        byte[] first = new byte[64];
        int n = in.read(first);
        long firstAt = System.nanoTime();
        String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        long endAt = System.nanoTime();
        assertThat(new String(first, 0, n, StandardCharsets.UTF_8)).startsWith("data: event 0");
        assertThat(rest).contains("data: event 4");
        // The first event came well before the last was written (events are 200 ms apart).
        assertThat(Duration.ofNanos(endAt - firstAt)).isGreaterThan(Duration.ofMillis(500));
        assertThat(Duration.ofNanos(firstAt - t0)).isLessThan(Duration.ofNanos(endAt - firstAt));
    }

    @Test
    void webSocketTextBinaryPingAndCloseGoBothWays() throws Exception {
        ExchangeReader r = new ExchangeReader();
        Exchange ex = alpha().openWebSocket("127.0.0.1", apps.wsPort, "/ws", List.of(), r).get(5, TimeUnit.SECONDS);
        assertThat(r.awaitHead(Duration.ofSeconds(10)).getStatus()).isEqualTo(101);
        ex.send(Frames.ws(WsFrame.Type.TEXT, ByteString.copyFromUtf8("héllo"), true));
        WsFrame text = r.nextWsFrame(Duration.ofSeconds(5));
        assertThat(text.getType()).isEqualTo(WsFrame.Type.TEXT);
        assertThat(text.getPayload().toStringUtf8()).isEqualTo("héllo");
        ex.send(Frames.ws(WsFrame.Type.BINARY, ByteString.copyFrom(new byte[] {0, 1, 2, (byte) 255}), true));
        WsFrame bin = r.nextWsFrame(Duration.ofSeconds(5));
        assertThat(bin.getType()).isEqualTo(WsFrame.Type.BINARY);
        assertThat(bin.getPayload().toByteArray()).containsExactly(0, 1, 2, 255);
        ex.send(Frames.ws(WsFrame.Type.PING, ByteString.copyFromUtf8("are you there"), true));
        WsFrame pong = r.nextWsFrame(Duration.ofSeconds(5));
        assertThat(pong.getType()).isEqualTo(WsFrame.Type.PONG);
        assertThat(pong.getPayload().toStringUtf8()).isEqualTo("are you there");
        ex.send(Frames.wsClose(1000, "bye"));
        WsFrame close = r.nextWsFrame(Duration.ofSeconds(5));
        assertThat(close.getType()).isEqualTo(WsFrame.Type.CLOSE);
        assertThat(close.getCloseCode()).isEqualTo(1000);
        ex.complete();
        await().atMost(Duration.ofSeconds(5)).until(ex::isClosed);
    }

    @Test
    void aSlowReaderDoesNotSlowAnotherExchangeOnTheSameAgent() throws Exception {
        ExchangeReader slow = get(alpha(), "/generate/" + (1L << 30));
        slow.awaitHead(Duration.ofSeconds(10));
        InputStream slowBody = slow.body();
        long[] slowBytes = {0};
        CompletableFuture<Void> fastDone = new CompletableFuture<>();
        long t0 = System.nanoTime();
        long[] fastBytes = {0};
        CompletableFuture.runAsync(() -> {
            try {
                ExchangeReader fast = get(alpha(), "/generate/" + (64L << 20));
                fast.awaitHead(Duration.ofSeconds(10));
                fastBytes[0] = fast.body().transferTo(OutputStream.nullOutputStream());
                fastDone.complete(null);
            } catch (Exception e) {
                fastDone.completeExceptionally(e);
            }
        });
        byte[] sip = new byte[16 * 1024];
        while (!fastDone.isDone()) {
            slowBytes[0] += Math.max(0, slowBody.read(sip));
            Thread.sleep(50);
        }
        fastDone.get();
        double seconds = (System.nanoTime() - t0) / 1e9;
        slowBody.close();
        assertThat(fastBytes[0]).isEqualTo(64L << 20);
        assertThat(seconds).as("fast exchange seconds").isLessThan(30);
        // Loosely: the fast one moved many times more than the sipping one in the same time.
        assertThat(fastBytes[0]).isGreaterThan(10 * Math.max(slowBytes[0], 1));
    }

    @Test
    void targetsOutsideLoopbackAndDockerNetworksAreRefused() throws Exception {
        ExchangeReader r = new ExchangeReader();
        alpha().openHttp("192.0.2.10", 80, "GET", "/", List.of(), false, r).get(5, TimeUnit.SECONDS).complete();
        assertThatThrownBy(() -> r.awaitHead(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(TunnelException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("relay policy");
                });
    }

    @Test
    void aKilledAgentFailsItsCallerQuicklyAndComesBackWithoutANewToken() throws Exception {
        AgentConnection c = server.connection(bravoId).orElseThrow();
        ExchangeReader r = get(c, "/generate/" + (1L << 30));
        r.awaitHead(Duration.ofSeconds(10));
        InputStream body = r.body();
        body.readNBytes(1 << 20);
        long t0 = System.nanoTime();
        bravo.process.destroyForcibly();
        assertThatThrownBy(() -> body.transferTo(OutputStream.nullOutputStream()))
                .isInstanceOfSatisfying(ExchangeReader.TunnelIOException.class,
                        e -> assertThat(e.httpStatus()).isIn(502, 503));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        bravo.kill();
        long restart = System.nanoTime();
        bravo = run(bravoDir, "bravo-rerun");
        awaitReady(bravoId, bravo, Duration.ofSeconds(20));
        System.out.printf("restarted agent back in %d ms%n", (System.nanoTime() - restart) / 1_000_000);
        assertThat(Duration.ofNanos(System.nanoTime() - restart)).isLessThan(Duration.ofSeconds(5));
        ExchangeReader again = get(server.connection(bravoId).orElseThrow(), "/hello");
        assertThat(again.awaitHead(Duration.ofSeconds(5)).getStatus()).isEqualTo(200);
    }

    @Test
    void aBadTokenIsRefused() throws Exception {
        String fingerprint = server.ca().fingerprint();
        AgentProcess p = join("mallory", tmp.resolve("mallory"),
                "LYRE1::sha256:" + fingerprint + "::abcdefgh." + "z".repeat(32));
        assertThat(p.await(60)).isEqualTo(1);
        assertThat(p.output()).contains("join refused");
    }

    @Test
    void aRevokedAgentIsDroppedAndStaysOut() throws Exception {
        Path dir = tmp.resolve("charlie");
        assertThat(join("charlie", dir, server.createJoinToken(Duration.ofMinutes(5)).toString()).await(60)).isZero();
        String id = AgentCredentials.load(dir).identity().agentId();
        try (AgentProcess charlie = run(dir, "charlie-run")) {
            awaitReady(id, charlie, Duration.ofSeconds(40));
            server.revoke(id);
            assertThat(charlie.await(20)).isEqualTo(3);
            assertThat(charlie.output()).contains("revoked");
        }
        try (AgentProcess again = run(dir, "charlie-rerun")) {
            assertThat(again.await(40)).isEqualTo(3);
            assertThat(again.output()).contains("revoked");
        }
    }

    @Test
    void dockerJavaWorksThroughTheTunnelAgainstTheRealEngine() throws Exception {
        DockerEngine.connectOrSkip(); // skips (or fails in CI) without a local engine
        assumeTrue(alpha().hello().getDocker().getAvailable(), "agent saw no Docker engine: " + alpha().hello().getDocker().getError());
        TunnelDockerHttpClient dockerHttp = new TunnelDockerHttpClient(() -> server.connection(alphaId), Duration.ofSeconds(30));
        DockerClient docker = DockerClientImpl.getInstance(
                DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost("tcp://lyre-agent:2375").build(),
                dockerHttp);
        assertThat(docker.versionCmd().exec().getApiVersion()).isNotBlank();
        List<Image> images = docker.listImagesCmd().exec();
        String image = images.stream().flatMap(i -> i.getRepoTags() == null ? java.util.stream.Stream.<String>empty()
                        : java.util.Arrays.stream(i.getRepoTags()))
                .filter(t -> t.equals("lyre-test/tini:latest")).findFirst().orElse(null);
        if (image == null) {
            Path tini = TinyImage.staticBinary();
            assumeTrue(tini != null || "true".equalsIgnoreCase(System.getenv("CI")),
                    "no static binary to build a test image from, and no image to use: container part skipped");
            // docker import through the tunnel: exercises a streamed request body.
            TinyImage.importThrough(dockerHttp, tini);
            image = "lyre-test/tini:latest";
        }
        String id = docker.createContainerCmd(image).withCmd("/tini", "--version")
                .withLabels(java.util.Map.of("io.lyre.test", "tunnel")).exec().getId();
        try {
            docker.startContainerCmd(id).exec();
            Integer code = docker.waitContainerCmd(id).start().awaitStatusCode(20, TimeUnit.SECONDS);
            assertThat(code).isZero();
            assertThat(docker.inspectContainerCmd(id).exec().getConfig().getLabels()).containsEntry("io.lyre.test", "tunnel");
            StringBuilder logs = new StringBuilder();
            docker.logContainerCmd(id).withStdOut(true).withStdErr(true).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame f) {
                    logs.append(new String(f.getPayload(), StandardCharsets.UTF_8));
                }
            }).awaitCompletion(20, TimeUnit.SECONDS);
            assertThat(logs.toString()).contains("tini version");
        } finally {
            docker.removeContainerCmd(id).withForce(true).exec();
        }
        assertThat(docker.listContainersCmd().withShowAll(true).exec()).noneMatch(c -> c.getId().equals(id));
    }
}
