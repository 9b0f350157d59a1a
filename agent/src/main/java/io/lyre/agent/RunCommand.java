package io.lyre.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.lyre.devices.HostInventory;
import io.lyre.devices.InventoryScan;
import io.lyre.devices.ProbeContext;
import io.lyre.tunnel.TunnelProtocol;
import io.lyre.tunnel.client.AgentCredentials;
import io.lyre.tunnel.client.ProxyAddress;
import io.lyre.tunnel.client.TunnelClient;
import io.lyre.tunnel.proto.Hello;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.lyre.tunnel.AtomicFiles;
import io.lyre.tunnel.proto.DockerFacts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code agent run}: the long-running agent. Dials the proxy it joined, with its own certificate, and serves
 * exchanges until stopped. Exit codes: 2 not joined / unreadable credentials, 3 refused by the proxy for good
 * (revoked, unknown certificate, unsupported protocol). With a metrics address ({@code --metrics-address} or
 * {@code LYRE_AGENT_METRICS_ADDRESS}) it serves its Prometheus metrics on {@code GET /metrics} there (exit code 2
 * when that address is malformed or cannot be bound).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Connect to the proxy this agent joined and serve its Docker engine and containers.")
public final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "default: $LYRE_DATA_DIR or ~/.lyre/agent")
    Path dataDir;

    @Option(names = "--proxy", paramLabel = "HOST:PORT", description = "dial this address instead of the one joined")
    String proxy;

    @Option(names = "--max-upstream-connections", defaultValue = "" + ExchangeRouter.DEFAULT_MAX_CONNECTIONS,
            description = "most HTTP connections and WebSockets the agent keeps to one target host:port (default: ${DEFAULT-VALUE})")
    int maxUpstreamConnections;

    @Option(names = "--metrics-address", paramLabel = "HOST:PORT",
            description = "serve Prometheus metrics on http://HOST:PORT/metrics (default: $LYRE_AGENT_METRICS_ADDRESS; off when unset)")
    String metricsAddress;

    @Option(names = "--simulated-inventory", paramLabel = "FILE", hidden = true,
            description = "report this inventory JSON instead of probing: for scheduling tests on hosts without the hardware")
    Path simulatedInventory;

    private byte[] simulated;

    @Override
    public Integer call() throws Exception {
        Path dir = AgentDataDir.resolve(dataDir);
        AgentCredentials creds;
        try {
            creds = AgentCredentials.load(dir);
        } catch (Exception e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 2;
        }
        if (simulatedInventory != null) {
            try {
                simulated = readSimulatedInventory(simulatedInventory);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return 2;
            }
        }
        // Metrics cost nothing unless served: without an address Micrometer is not even loaded (restart time).
        AgentMetrics metrics = null;
        String metricsAt = metricsAddress != null ? metricsAddress : System.getenv(AgentMetrics.ENV_ADDRESS);
        try {
            InetSocketAddress bind = AgentMetrics.parseAddress(metricsAt);
            if (bind != null) {
                metrics = new AgentMetrics();
                InetSocketAddress bound = metrics.serve(bind);
                LOG.info("metrics on http://{}:{}/metrics", bound.getHostString(), bound.getPort());
            }
        } catch (IllegalArgumentException | IOException e) {
            spec.commandLine().getErr().println("cannot serve metrics on " + metricsAt + ": " + e.getMessage());
            return 2;
        }
        AgentMetrics served = metrics;
        LocalDockerEngine docker = LocalDockerEngine.fromEnvironment();
        // Everything slow starts at once, in parallel with the TLS dial: a restarted agent is back in seconds.
        CompletableFuture<DockerFacts> firstFacts = CompletableFuture.supplyAsync(docker::facts);
        CompletableFuture<Vertx> vertx = CompletableFuture.supplyAsync(() -> {
            VertxOptions options = new VertxOptions()
                    .setEventLoopPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors())).setWorkerPoolSize(4)
                    // epoll where the platform has it (the tunnel runs on these loops too): fewer syscalls than NIO
                    .setPreferNativeTransport(true);
            if (served != null) {
                options.setMetricsOptions(served.vertxMetricsOptions());
            }
            return Vertx.vertx(options);
        });
        CompletableFuture<ExchangeRouter> router = vertx.thenApply(v -> new ExchangeRouter(v, docker, new RelayPolicy(docker::subnets), served,
                maxUpstreamConnections));
        // The inventory of the last run lets a restarted agent say hello at once; the fresh scan follows as an
        // InventoryUpdate when it differs. Without a cache (first run) the hello waits for the scan.
        Path inventoryCache = dir.resolve("inventory.json");
        byte[] cached = Files.isRegularFile(inventoryCache) ? Files.readAllBytes(inventoryCache) : null;
        AtomicReference<byte[]> inventory = new AtomicReference<>(cached);
        if (served != null) {
            served.inventory(cached);
        }
        CompletableFuture<byte[]> scan = new CompletableFuture<>();
        AtomicBoolean factsUsed = new AtomicBoolean();
        // The tunnel connection runs on the relays' event loop (so Vert.x must be up before the dial).
        TunnelClient.Config cfg = TunnelClient.Config.of(creds).withLoops(router.join().tunnelLoops());
        if (proxy != null) {
            cfg = cfg.withProxy(ProxyAddress.parse(proxy));
        }
        TunnelClient client = new TunnelClient(cfg, () -> Hello.newBuilder()
                .setProtocolVersion(TunnelProtocol.PROTOCOL_VERSION)
                .setAgentVersion(AgentVersion.current())
                .setName(creds.identity().name())
                .putAllLabels(creds.identity().labels())
                .setRequestedSlot(creds.identity().slot())
                .setInventoryJson(ByteString.copyFrom(inventory.get() != null ? inventory.get() : scan.join()))
                .setDocker(!factsUsed.getAndSet(true) ? firstFacts.join() : docker.facts())
                .build(), (open, ex) -> router.join().open(open, ex));
        if (served != null) {
            served.bindTunnel(client::isConnected, client::connectCount);
        }
        scan.thenAccept(fresh -> {
            try {
                AtomicFiles.write(inventoryCache, fresh, false);
            } catch (IOException e) {
                LOG.warn("cannot cache the inventory in {}: {}", inventoryCache, e.toString());
            }
            byte[] before = inventory.getAndSet(fresh);
            if (served != null) {
                served.inventory(fresh);
            }
            if (before != null && !Arrays.equals(fresh, before)) {
                client.sendInventory(fresh);
            }
        });
        Thread scanner = new Thread(() -> {
            try {
                if (cached != null) {
                    client.awaitConnected(Duration.ofSeconds(30)); // do not compete with the dial for CPU
                }
                scan.complete(scanInventory());
            } catch (InterruptedException e) {
                scan.complete("{}".getBytes());
            }
        }, "lyre-inventory-scan");
        scanner.setDaemon(true);
        scanner.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            client.drain("agent stopping");
            client.close();
            router.thenAccept(ExchangeRouter::close);
            vertx.thenAccept(Vertx::close);
            if (served != null) {
                served.close();
            }
        }, "lyre-agent-shutdown"));
        LOG.info("agent {} ({}) dialing {}", creds.identity().agentId(), creds.identity().name(), cfg.proxy());
        client.start();
        String reason = client.fatal().get();
        spec.commandLine().getErr().println("the proxy refused this agent: " + reason);
        return 3;
    }

    private byte[] scanInventory() {
        if (simulated != null) {
            return simulated;
        }
        try {
            HostInventory inv = new InventoryScan().scan(ProbeContext.host());
            return JSON.writeValueAsBytes(inv);
        } catch (Exception | LinkageError e) {
            LOG.warn("device inventory failed: {}", e.toString());
            return "{}".getBytes();
        }
    }

    /** A clearly marked stand-in for hardware this host lacks; refused outright when it is not an inventory. */
    private static byte[] readSimulatedInventory(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            HostInventory inv = JSON.readValue(bytes, HostInventory.class);
            LOG.warn("SIMULATED inventory from {} ({} devices): this agent reports hardware it may not have",
                    file, inv.devices().size());
            return JSON.writeValueAsBytes(inv);
        } catch (IOException e) {
            throw new IllegalArgumentException("--simulated-inventory " + file + ": " + e.getMessage(), e);
        }
    }
}
