package io.lyre.proxy;

import io.lyre.proxy.config.ProxyConfig;
import io.lyre.proxy.docker.EngineRegistry;
import io.lyre.proxy.docker.ExAppPlacements;
import io.lyre.proxy.docker.FirstFitChooser;
import io.vertx.core.Vertx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A front door on a random port with a Nextcloud stand-in and a fake ExApp "test-exapp" behind it. */
final class FrontDoorHarness implements AutoCloseable {
    static final String KEY = "some_very_secure_password";
    static final String APP = "test-exapp";
    static final String SECRET = "s3cret-app-token";

    final Vertx vertx = Vertx.vertx();
    final NextcloudStandIn nextcloud;
    final FakeExApp exapp;
    final EngineRegistry engines = new EngineRegistry(new FirstFitChooser());
    final ExAppPlacements placements = new ExAppPlacements();
    final FrontDoorServer server;
    final ProxyConfig config;

    FrontDoorHarness(Map<String, String> overrides) throws Exception {
        this(overrides, "127.0.0.1");
    }

    /** {@code nextcloudBind} 0.0.0.0 lets containers reach the stand-in (ExApps report init progress to it). */
    FrontDoorHarness(Map<String, String> overrides, String nextcloudBind) throws Exception {
        nextcloud = new NextcloudStandIn(KEY, nextcloudBind);
        exapp = new FakeExApp(vertx);
        nextcloud.app(APP, NextcloudStandIn.metadata(SECRET, "1.0.0", "127.0.0.1", exapp.port()));
        Map<String, String> env = new HashMap<>();
        env.put("HP_SHARED_KEY", KEY);
        env.put("NC_INSTANCE_URL", nextcloud.url("127.0.0.1") + "/index.php/");
        env.put("HP_EXAPPS_ADDRESS", "127.0.0.1:0");
        env.put("LYRE_LOCAL_DOCKER", "none");
        env.putAll(overrides);
        config = ProxyConfig.fromEnv(env);
        server = new FrontDoorServer(vertx, config, engines, placements, Optional.empty());
        server.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    int port() {
        return server.httpPort();
    }

    /**
     * Sends raw bytes and returns what came back; "" when the connection was closed without a response
     * (HAProxy's silent drop).
     */
    String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            try {
                while ((n = in.read(buf)) >= 0) {
                    got.write(buf, 0, n);
                    String text = got.toString(StandardCharsets.ISO_8859_1);
                    int end = text.indexOf("\r\n\r\n");
                    if (end >= 0) {
                        int len = contentLength(text.substring(0, end));
                        if (len >= 0 && text.length() >= end + 4 + len) {
                            break;
                        }
                    }
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // fall through with what we have
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    String get(String path, String... headers) throws IOException {
        StringBuilder b = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        return raw(b.append("\r\n").toString());
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return -1;
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        exapp.close();
        nextcloud.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
