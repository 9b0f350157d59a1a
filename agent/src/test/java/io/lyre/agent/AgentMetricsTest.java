package io.lyre.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lyre.tunnel.ExchangeReader;
import io.lyre.tunnel.Frames;
import io.lyre.tunnel.TunnelServer;
import io.lyre.tunnel.TunnelServerConfig;
import io.lyre.tunnel.client.AgentCredentials;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent ({@code agent run --metrics-address}, child JVM) joined to an in-process tunnel server, one HTTP
 * exchange relayed through it, then its {@code /metrics} scraped: every agent metric of docs/metrics.md is there
 * with its type, the counters moved, and {@code promtool check metrics} accepts the exposition.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AgentMetricsTest {

    @TempDir
    Path tmp;

    @Test
    void runningAgentExportsTheContractedMetricsInAValidExposition() throws Exception {
        Path.of("target", "e2e-logs").toFile().mkdirs();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (TunnelServer server = new TunnelServer(TunnelServerConfig.defaults(tmp.resolve("proxy")).withBind("127.0.0.1", 0)
                .withBlacklist(1000, Duration.ofSeconds(60))).start();
             EchoServers apps = new EchoServers()) {
            Path dir = tmp.resolve("agent");
            try (AgentProcess join = AgentProcess.start(Path.of("target", "e2e-logs", "metrics-join.log"), "join",
                    "127.0.0.1:" + server.port(), server.createJoinToken(Duration.ofMinutes(5)).toString(),
                    "--data-dir", dir.toString(), "--name", "metrics")) {
                assertThat(join.await(60)).as(join.output()).isZero();
            }
            String id = AgentCredentials.load(dir).identity().agentId();
            try (AgentProcess agent = AgentProcess.start(Path.of("target", "e2e-logs", "metrics-run.log"), "run",
                    "--data-dir", dir.toString(), "--metrics-address", "127.0.0.1:" + port)) {
                await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(100))
                        .failFast("agent exited:\n" + agent.log, () -> !agent.process.isAlive())
                        .until(() -> server.connection(id).map(c -> c.exchangesReady()).orElse(false));

                ExchangeReader r = new ExchangeReader();
                server.connection(id).orElseThrow().openHttp("127.0.0.1", apps.httpPort(), "GET", "/hello",
                        List.of(Frames.header("host", "app")), false, r).get(5, TimeUnit.SECONDS).complete();
                assertThat(r.awaitHead(Duration.ofSeconds(10)).getStatus()).isEqualTo(200);
                r.body().readAllBytes();
                byte[] payload = "ping through the tunnel".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                ExchangeReader echo = new ExchangeReader();
                io.lyre.tunnel.Exchange post = server.connection(id).orElseThrow().openHttp("127.0.0.1", apps.httpPort(),
                        "POST", "/echo", List.of(Frames.header("content-length", String.valueOf(payload.length))), true, echo)
                        .get(5, TimeUnit.SECONDS);
                try (java.io.OutputStream out = new io.lyre.tunnel.ExchangeOutputStream(post)) {
                    out.write(payload);
                }
                assertThat(echo.body().readAllBytes()).isEqualTo(payload);

                HttpClient http = HttpClient.newHttpClient();
                URI uri = URI.create("http://127.0.0.1:" + port + "/metrics");
                String[] text = new String[1];
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    HttpResponse<String> resp = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(resp.statusCode()).isEqualTo(200);
                    assertThat(resp.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
                    text[0] = resp.body();
                    return value(text[0], "lyre_agent_relay_bytes_total", "direction=\"from_container\"") >= 9 + payload.length
                            && text[0].contains("lyre_agent_devices{");
                });
                String scrape = text[0];
                Files.writeString(Path.of("target", "e2e-logs", "agent-metrics.txt"), scrape);

                Map<String, String> contract = MetricsContract.types("Agent");
                assertThat(contract).as("agent table of docs/metrics.md").isNotEmpty();
                contract.forEach((name, type) -> {
                    String family = "counter".equals(type) ? name.replaceAll("_total$", "") : name;
                    assertThat(scrape).as(name).containsPattern("(?m)^# TYPE " + Pattern.quote(family) + "(_total)? " + type + "$");
                    assertThat(scrape).as(name).containsPattern("(?m)^" + Pattern.quote(name) + "[{ ]");
                });
                assertThat(value(scrape, "lyre_agent_tunnel_connected", "")).isEqualTo(1.0);
                assertThat(value(scrape, "lyre_agent_reconnects_total", "")).isEqualTo(0.0);
                assertThat(value(scrape, "lyre_agent_exchanges_total", "kind=\"http\"")).isEqualTo(2.0);
                assertThat(value(scrape, "lyre_agent_relay_bytes_total", "direction=\"to_container\"")).isEqualTo(payload.length);
                assertThat(scrape).containsPattern("(?m)^lyre_agent_devices\\{.*kind=\"CPU\".*\\} [1-9]");

                Promtool.Result check = Promtool.run(scrape, "check", "metrics");
                assertThat(check.exitCode()).as("promtool check metrics:\n" + check.output()).isZero();
                assertThat(check.output()).as("promtool lint").isBlank();

                HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(other.statusCode()).isEqualTo(404);
            }
        }
    }

    @Test
    void metricsAddressForms() {
        assertThat(AgentMetrics.parseAddress(null)).isNull();
        assertThat(AgentMetrics.parseAddress(" ")).isNull();
        assertThat(AgentMetrics.parseAddress("off")).isNull();
        assertThat(AgentMetrics.parseAddress("127.0.0.1:8784")).isEqualTo(new InetSocketAddress("127.0.0.1", 8784));
        assertThat(AgentMetrics.parseAddress("[::1]:8784").getPort()).isEqualTo(8784);
        assertThat(AgentMetrics.parseAddress(":8784").getAddress().isAnyLocalAddress()).isTrue();
        assertThatThrownBy(() -> AgentMetrics.parseAddress("8784")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AgentMetrics.parseAddress("host:http")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AgentMetrics.parseAddress("host:70000")).isInstanceOf(IllegalArgumentException.class);
    }

    /** The value of the first sample of {@code name} whose labels contain {@code labelPart}; -1 when none. */
    static double value(String scrape, String name, String labelPart) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)").matcher(scrape);
        while (m.find()) {
            String labels = m.group(1) == null ? "" : m.group(1);
            if (labels.contains(labelPart)) {
                return Double.parseDouble(m.group(2));
            }
        }
        return -1;
    }
}
