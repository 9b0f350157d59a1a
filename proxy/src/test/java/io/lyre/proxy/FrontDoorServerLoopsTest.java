package io.lyre.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.lyre.proxy.config.ProxyConfig;
import io.lyre.proxy.docker.EngineRegistry;
import io.lyre.proxy.docker.ExAppPlacements;
import io.lyre.proxy.docker.FirstFitChooser;
import io.lyre.proxy.upstream.ExAppUpstream;
import io.lyre.proxy.upstream.UpstreamException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The front door listens once per event loop, as Quarkus does: clients are spread over every loop instead of all
 * being served on one (with a Nextcloud stand-in and a recording stand-in for the ExApp upstream).
 */
class FrontDoorServerLoopsTest {

    @Test
    void clientsAreServedOnEveryEventLoopWithNextcloudStandIn() throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(3));
        Set<String> loops = ConcurrentHashMap.newKeySet();
        // records the thread each request is handled on, then answers as a slow app would (504: the front door keeps
        // the app's address, so no look-up moves the request to another thread)
        ExAppUpstream recording = (target, request) -> {
            loops.add(Thread.currentThread().getName());
            return Future.failedFuture(new UpstreamException(UpstreamException.Kind.TIMEOUT, "recorded", null));
        };
        try (NextcloudStandIn nextcloud = new NextcloudStandIn(FrontDoorHarness.KEY, "127.0.0.1")) {
            nextcloud.app(FrontDoorHarness.APP, NextcloudStandIn.metadata(FrontDoorHarness.SECRET, "1.0.0", "127.0.0.1", 1));
            ProxyConfig config = ProxyConfig.fromEnv(Map.of("HP_SHARED_KEY", FrontDoorHarness.KEY,
                    "NC_INSTANCE_URL", nextcloud.url("127.0.0.1") + "/index.php/", "HP_EXAPPS_ADDRESS", "127.0.0.1:0",
                    "LYRE_LOCAL_DOCKER", "none"));
            FrontDoorServer server = new FrontDoorServer(vertx, config, new EngineRegistry(new FirstFitChooser()),
                    new ExAppPlacements(), Optional.of(recording));
            server.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            try {
                for (int i = 0; i < 9; i++) { // a new connection each: Vert.x deals them out to the instances in turn
                    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.httpPort())) {
                        s.setSoTimeout(10_000);
                        s.getOutputStream().write(("GET /exapps/" + FrontDoorHarness.APP + "/public HTTP/1.1\r\nHost: x\r\n"
                                + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                        String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                        assertThat(answer).startsWith("HTTP/1.1 504");
                    }
                }
            } finally {
                server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        assertThat(loops).as("event-loop threads that served requests").hasSize(3);
    }
}
