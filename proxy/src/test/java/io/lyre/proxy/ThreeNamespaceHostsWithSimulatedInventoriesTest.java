package io.lyre.proxy;

import io.lyre.proxy.admin.AdminApi;
import io.lyre.proxy.config.LyreSettings;
import io.lyre.proxy.config.ProxyConfig;
import io.lyre.proxy.docker.DockerEngineApi;
import io.lyre.proxy.docker.DockerReply;
import io.lyre.proxy.docker.LocalDockerEngine;
import io.lyre.proxy.sched.SchedulingMetrics;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 5's integration: three hosts as network namespaces of {@code deploy/testbed/testbed.sh} (lyre-h1..3 on the
 * bridge 10.77.0.0/24), each with its own dockerd and its own agent process, and one proxy (front door, embedded
 * tunnel server, scheduler and store) in this JVM listening on the bridge. The agents report clearly named
 * SIMULATED inventories (src/test/resources/simulated/testbed-*.json):
 * <ul>
 *   <li>host 1: two NVIDIA A100 80GB, and its dockerd has the stand-in nvidia-container-runtime-hook, so NVIDIA
 *       DeviceRequests really start there;</li>
 *   <li>host 2: an AMD Instinct MI210 and a Xilinx Alveo U250 whose device nodes are stand-ins (char 1:3, like
 *       /dev/null) under /run/lyre-testbed/h2/dev;</li>
 *   <li>host 3: CPUs only.</li>
 * </ul>
 * AppAPI's create/start on slot 24000 places apps with different asks; each container is checked with docker
 * inspect on its host's own engine. Then host 1's agent is killed (the CPU app moves within the grace period, the
 * CUDA apps cannot and say why), brought back (the stale copy is removed), and the proxy is restarted on the same
 * store (placements intact, agents reconnect). {@link ThreeNamespaceHostsOnPostgresTest} runs it all again on
 * PostgreSQL.
 * <p>
 * Needs root, ip, nsenter, dockerd, docker, the agent jar and lyre/test-exapp:latest; skipped without them unless
 * CI=true. Brings the test bed up itself when it is not (and loads the image into its engines), and leaves it up
 * for the next run ({@code deploy/testbed/testbed.sh down} removes it).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ThreeNamespaceHostsWithSimulatedInventoriesTest {
    static final String IMAGE = "lyre/test-exapp:latest";
    static final String KEY = FrontDoorHarness.KEY;
    static final Path AGENT_JAR = Path.of("../agent/target/lyre-agent.jar").toAbsolutePath().normalize();
    static final Path TESTBED = Path.of("../deploy/testbed/testbed.sh").toAbsolutePath().normalize();
    static final String PROXY_ADDRESS = "10.77.0.1";
    static final Duration GRACE = Duration.ofSeconds(4);
    static final String PREFIX = "lyre-mh-";

    static final String GPU_A = "GPU-5a1c7e11-a100-4a00-8000-00000000a101";
    static final String GPU_B = "GPU-5a1c7e11-a100-4a00-8000-00000000a102";
    static final String H2_DEV = "/run/lyre-testbed/h2/dev";
    static final String[] INVENTORIES = {"testbed-h1-two-nvidia-a100.json", "testbed-h2-amd-mi210-xilinx-u250.json",
            "testbed-h3-cpu-only.json"};

    static final String CUDA_A = PREFIX + "cuda-a";
    static final String CUDA_B = PREFIX + "cuda-b";
    static final String CUDA_C = PREFIX + "cuda-c";
    static final String ROCM = PREFIX + "rocm";
    static final String FPGA = PREFIX + "fpga";
    static final String CPU = PREFIX + "cpu";
    static final List<String> APPS = List.of(CUDA_A, CUDA_B, CUDA_C, ROCM, FPGA, CPU);
    static final long CPU_MEMORY = 1L << 30;
    static final long CPU_NANOS = 1_500_000_000L;

    private final Vertx vertx = Vertx.vertx();
    private final Map<Integer, Process> agents = new HashMap<>();
    private final Map<Integer, String> engineIds = new HashMap<>();
    private Path work;
    private ProxyCore core;
    private HttpServer admin;
    private int tunnelPort;

    // ---------------------------------------------------------------------------------------------- prerequisites

    static void require(boolean ok, String why) {
        if (!ok) {
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(why + " (CI=true: the three-host integration test must run)");
            }
            Assumptions.abort(why + " - skipping the three-host integration test");
        }
    }

    /** Runs a command to its end; its exit status and output (stdout and stderr together). */
    static Map.Entry<Integer, String> sh(Map<String, String> env, long timeoutSeconds, String... cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            byte[][] out = new byte[1][];
            Thread reader = new Thread(() -> {
                try (InputStream in = p.getInputStream()) {
                    out[0] = in.readAllBytes();
                } catch (IOException e) {
                    out[0] = new byte[0];
                }
            });
            reader.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                reader.join(2000);
                return Map.entry(124, String.join(" ", cmd) + ": timed out after " + timeoutSeconds + "s");
            }
            reader.join(5000);
            return Map.entry(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            return Map.entry(127, String.join(" ", cmd) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.entry(130, "interrupted");
        }
    }

    static boolean onPath(String command) {
        return sh(Map.of(), 10, "sh", "-c", "command -v " + command).getKey() == 0;
    }

    static String sock(int host) {
        return "unix:///run/lyre-testbed/h" + host + "/docker.sock";
    }

    static LocalDockerEngine hostEngine(int host) {
        return new LocalDockerEngine(sock(host), 24090 + host, Duration.ofSeconds(5), Duration.ofSeconds(60));
    }

    /** Runs {@code call} against a host's own engine (not through the proxy). */
    static <T> T onEngine(int host, Function<DockerEngineApi, T> call) {
        LocalDockerEngine e = hostEngine(host);
        try {
            return call.apply(new DockerEngineApi(e));
        } finally {
            try {
                e.close();
            } catch (IOException ignored) {
                // closing a unix-socket client
            }
        }
    }

    static boolean answers(int host) {
        if (!Files.exists(Path.of("/run/lyre-testbed/h" + host + "/docker.sock"))) {
            return false;
        }
        try {
            return onEngine(host, api -> api.get("/_ping").ok());
        } catch (RuntimeException e) {
            return false;
        }
    }

    static boolean hasImage(int host) {
        return onEngine(host, api -> api.get("/images/" + IMAGE + "/json").ok());
    }

    @BeforeAll
    static void testBed() throws Exception {
        require(!System.getProperty("os.name", "").toLowerCase().contains("win"), "Linux only");
        require("0".equals(sh(Map.of(), 10, "id", "-u").getValue()), "not root: network namespaces and dockerd need root");
        for (String c : List.of("ip", "nsenter", "dockerd", "docker", "mknod")) {
            require(onPath(c), c + " is not on PATH");
        }
        require(Files.exists(AGENT_JAR), AGENT_JAR + " is missing (mvn package of agent/)");
        require(Files.exists(TESTBED), TESTBED + " is missing");
        boolean up = answers(1) && answers(2) && answers(3)
                && Stream.of("lyre-h1", "lyre-h2", "lyre-h3").allMatch(ns -> Files.exists(Path.of("/var/run/netns", ns)));
        if (!up) {
            var r = sh(Map.of(), 180, "bash", TESTBED.toString(), "up", "3");
            require(r.getKey() == 0, "testbed.sh up 3 failed: " + r.getValue());
        }
        if (!(hasImage(1) && hasImage(2) && hasImage(3))) {
            require(sh(Map.of(), 30, "docker", "image", "inspect", IMAGE).getKey() == 0,
                    IMAGE + " is missing in the local engine (deploy/images/build-all.sh)");
            var r = sh(Map.of(), 300, "bash", TESTBED.toString(), "load", IMAGE);
            require(r.getKey() == 0, "testbed.sh load " + IMAGE + " failed: " + r.getValue());
        }
        // stand-in device nodes for host 2's simulated AMD GPU and Xilinx FPGA: char 1:3, what /dev/null is
        for (String node : List.of("kfd", "dri/renderD128", "dri/renderD129", "xclmgmt15104")) {
            Path p = Path.of(H2_DEV, node);
            if (!Files.exists(p)) {
                Files.createDirectories(p.getParent());
                var r = sh(Map.of(), 10, "mknod", "-m", "666", p.toString(), "c", "1", "3");
                require(r.getKey() == 0, "mknod " + p + ": " + r.getValue());
            }
        }
        removeOurContainers();
    }

    /** Removes this test's containers and volumes from the three engines (a failed earlier run may have left some). */
    static void removeOurContainers() {
        for (int host = 1; host <= 3; host++) {
            if (!answers(host)) {
                continue;
            }
            onEngine(host, api -> {
                for (String app : APPS) {
                    api.delete("/containers/nc_app_" + app + "?force=true");
                    api.delete("/volumes/nc_app_" + app + "_data?force=true");
                }
                return null;
            });
        }
    }

    // ------------------------------------------------------------------------------------------------- the store

    /** Store settings for the proxy; this class: the H2 file in the data dir. */
    Map<String, String> storeEnv() {
        return Map.of();
    }

    String storeName() {
        return "h2";
    }

    /** After the test: let a subclass drop what it made. */
    void dropStore() {
    }

    // ------------------------------------------------------------------------------------------------- the proxy

    private void startProxy() throws Exception {
        Map<String, String> env = new HashMap<>(storeEnv());
        env.put("HP_SHARED_KEY", KEY);
        env.put("NC_INSTANCE_URL", "http://127.0.0.1:9/index.php/");
        env.put("HP_EXAPPS_ADDRESS", "127.0.0.1:0");
        env.put("LYRE_LOCAL_DOCKER", "none");
        env.put("LYRE_TUNNEL_ADDRESS", PROXY_ADDRESS + ":" + tunnelPort);
        env.put("LYRE_DATA_DIR", work.resolve("proxy").toString());
        env.put("LYRE_AGENT_GRACE", GRACE.toSeconds() + "s");
        core = new ProxyCore(vertx, ProxyConfig.fromEnv(env), LyreSettings.fromEnv(env), SchedulingMetrics.NONE, FrontDoorMetrics.NONE).start();
        Router router = Router.router(vertx);
        new AdminApi(vertx, () -> core).mount(router);
        admin = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    }

    private void stopProxy() throws Exception {
        if (admin != null) {
            admin.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            admin = null;
        }
        if (core != null) {
            core.close();
            core = null;
        }
    }

    private RequestSpecification adminApi() {
        return given().port(admin.actualPort());
    }

    private JsonArray adminArray(String path) {
        return new JsonArray(adminApi().get(path).then().statusCode(200).extract().asString());
    }

    private Response op(String op, JsonObject body) {
        return given().port(core.server().httpPort()).header("harp-shared-key", KEY).header("docker-engine-port", "24000")
                .auth().preemptive().basic("app_api_haproxy_user", KEY).urlEncodingEnabled(false)
                .contentType("application/json").body(body.encode()).post("/exapps/app_api/docker/exapp/" + op);
    }

    // ------------------------------------------------------------------------------------------------ the agents

    private List<String> inNamespace(int host, String... javaArgs) {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/var/run/netns/lyre-h" + host, "env",
                "DOCKER_HOST=" + sock(host), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", AGENT_JAR.toString()));
        cmd.addAll(List.of(javaArgs));
        return cmd;
    }

    private Process startAgentProcess(int host, String what, String... javaArgs) throws IOException {
        return new ProcessBuilder(inNamespace(host, javaArgs)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("agent-h" + host + "-" + what + ".log").toFile())).start();
    }

    private void joinAll() throws Exception {
        Map<Integer, Process> joins = new LinkedHashMap<>();
        for (int host = 1; host <= 3; host++) {
            String token = new JsonObject(adminApi().queryParam("ttl", "10m").post("/api/v1/join-tokens").then().statusCode(201)
                    .extract().asString()).getString("token");
            joins.put(host, startAgentProcess(host, "join", "join", PROXY_ADDRESS + ":" + tunnelPort, token,
                    "--data-dir", agentDir(host).toString(), "--name", "lyre-h" + host, "--slot", String.valueOf(24000 + host),
                    "--label", "testbed.host=h" + host));
        }
        for (var j : joins.entrySet()) {
            assertThat(j.getValue().waitFor(90, TimeUnit.SECONDS)).as("agent join on host " + j.getKey()).isTrue();
            assertThat(j.getValue().exitValue()).as("agent join on host %d, log: %s", j.getKey(), log(j.getKey(), "join")).isZero();
        }
    }

    private Path agentDir(int host) {
        return work.resolve("agent-h" + host);
    }

    private String log(int host, String what) {
        try {
            return Files.readString(work.resolve("agent-h" + host + "-" + what + ".log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void runAgent(int host) throws IOException {
        Path inventory = work.resolve(INVENTORIES[host - 1]);
        agents.put(host, startAgentProcess(host, "run", "run", "--data-dir", agentDir(host).toString(),
                "--simulated-inventory", inventory.toString()));
    }

    private void awaitEnginesReady(int... hosts) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        for (int host : hosts) {
            while (true) {
                var e = core.engines().bySlot(24000 + host);
                if (e.isPresent() && e.get().ready() && !e.get().inventory().devices().isEmpty() == (host != 3)) {
                    engineIds.put(host, e.get().id());
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("engine of host " + host + " is not ready; agent log:\n" + log(host, "run"));
                }
                Thread.sleep(200);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ the engines

    /** docker inspect of an app's container on a host's own engine; empty when it is not there. */
    private static Optional<JsonObject> inspect(int host, String app) {
        DockerReply r = onEngine(host, api -> api.get("/containers/nc_app_" + app + "/json"));
        return r.ok() ? Optional.of(r.json()) : Optional.empty();
    }

    /** What the container's own process sees, through docker exec on the host's engine. */
    private static String exec(int host, String app, String script) {
        var r = sh(Map.of("DOCKER_HOST", sock(host)), 60, "docker", "exec", "nc_app_" + app, "sh", "-c", script);
        assertThat(r.getKey()).as("docker exec in %s on host %d: %s", app, host, r.getValue()).isZero();
        return r.getValue();
    }

    private static List<String> env(JsonObject inspect) {
        return inspect.getJsonObject("Config").getJsonArray("Env").stream().map(String::valueOf).toList();
    }

    private static void await(String what, Duration within, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within.toSeconds() + "s: " + what);
            }
            Thread.sleep(250);
        }
    }

    // ------------------------------------------------------------------------------------------------------ apps

    private JsonObject createBody(String app, String computeDevice) {
        JsonArray env = new JsonArray().add("AA_VERSION=35").add("APP_SECRET=secret-" + app).add("APP_ID=" + app)
                .add("APP_DISPLAY_NAME=" + app).add("APP_VERSION=1.0.0").add("APP_HOST=127.0.0.1").add("APP_PORT=23000")
                .add("APP_PERSISTENT_STORAGE=/nc_app_" + app + "_data").add("NEXTCLOUD_URL=http://127.0.0.1:9")
                .add("COMPUTE_DEVICE=" + computeDevice.toUpperCase()).add("HP_FRP_ADDRESS=appapi-harp").add("HP_FRP_PORT=8782")
                .add("HP_SHARED_KEY=" + KEY);
        if (computeDevice.equals("cuda")) {
            env.add("NVIDIA_VISIBLE_DEVICES=all"); // what AppAPI sends; the binding must narrow it to the chosen GPU
        }
        return new JsonObject().put("name", app).put("instance_id", "").put("image_id", IMAGE).put("network_mode", "bridge")
                .put("environment_variables", env).put("restart_policy", "unless-stopped").put("compute_device", computeDevice)
                .put("mount_points", new JsonArray());
    }

    private void deploy(JsonObject createBody) {
        String app = createBody.getString("name");
        Response created = op("create", createBody);
        assertThat(created.statusCode()).as("create %s: %s", app, created.asString()).isEqualTo(201);
        Response started = op("start", new JsonObject().put("name", app).put("instance_id", ""));
        assertThat(started.statusCode()).as("start %s: %s", app, started.asString()).isEqualTo(204);
    }

    private Map<String, JsonObject> placementsByApp() {
        Map<String, JsonObject> out = new HashMap<>();
        adminArray("/api/v1/placements").forEach(o -> out.put(((JsonObject) o).getString("app"), (JsonObject) o));
        return out;
    }

    private int hostOf(String engineId) {
        return engineIds.entrySet().stream().filter(e -> e.getValue().equals(engineId)).map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError("engine " + engineId + " is none of the three hosts " + engineIds));
    }

    /** The container of {@code app} is on {@code host}'s engine and on no other; its inspect. */
    private JsonObject onlyOn(int host, String app) {
        for (int other = 1; other <= 3; other++) {
            if (other != host) {
                assertThat(inspect(other, app)).as("%s must not be on host %d", app, other).isEmpty();
            }
        }
        return inspect(host, app).orElseThrow(() -> new AssertionError(app + " has no container on host " + host));
    }

    /** What every placed container shares: labels naming app, engine, placement and devices; the cleaned env. */
    private void commonChecks(JsonObject inspect, String app, int host, JsonObject placement) {
        JsonObject labels = inspect.getJsonObject("Config").getJsonObject("Labels");
        assertThat(labels.getString("io.lyre.app")).isEqualTo(app);
        assertThat(labels.getString("io.lyre.engine")).isEqualTo(engineIds.get(host));
        assertThat(labels.getString("io.lyre.placement-id")).isEqualTo(placement.getString("placement_id"));
        assertThat(labels.getString("io.lyre.policy-hash")).isNotBlank().isEqualTo(placement.getString("policy_hash"));
        assertThat(labels.getString("io.lyre.slot")).isEqualTo(String.valueOf(24000 + host));
        List<String> devices = placement.getJsonArray("devices").stream().map(String::valueOf).toList();
        assertThat(labels.getString("io.lyre.devices", "")).isEqualTo(String.join(",", devices));
        List<String> env = env(inspect);
        assertThat(env).as("env of " + app).contains("APP_HOST=0.0.0.0", "APP_ID=" + app)
                .noneMatch(v -> v.startsWith("HP_SHARED_KEY=") || v.startsWith("HP_FRP_"));
        assertThat(inspect.getJsonObject("State").getBoolean("Running")).as(app + " running").isTrue();
    }

    private static List<String> devicePaths(JsonObject inspect) {
        JsonArray d = inspect.getJsonObject("HostConfig").getJsonArray("Devices");
        return d == null ? List.of() : d.stream().map(o -> ((JsonObject) o).getString("PathOnHost") + " -> "
                + ((JsonObject) o).getString("PathInContainer")).toList();
    }

    private static JsonArray deviceRequests(JsonObject inspect) {
        JsonArray r = inspect.getJsonObject("HostConfig").getJsonArray("DeviceRequests");
        return r == null ? new JsonArray() : r;
    }

    private List<JsonObject> events() {
        return adminArray("/api/v1/events?limit=500").stream().map(o -> (JsonObject) o).toList();
    }

    private static String stable(JsonArray placements) {
        return placements.stream().map(o -> (JsonObject) o).sorted(Comparator.comparing(o -> o.getString("app")))
                .map(JsonObject::encode).toList().toString();
    }

    // ------------------------------------------------------------------------------------------------- the test

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : agents.values()) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        try {
            stopProxy();
        } finally {
            removeOurContainers();
            dropStore();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void threeHostsPlaceByDeviceMoveOnLossRemoveStaleCopiesAndKeepPlacementsAcrossARestart() throws Exception {
        long t0 = System.nanoTime();
        work = Path.of("target", "three-hosts", storeName()).toAbsolutePath();
        if (Files.exists(work)) {
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(work);
        for (String inv : INVENTORIES) {
            try (InputStream in = Objects.requireNonNull(getClass().getResourceAsStream("/simulated/" + inv), inv)) {
                Files.copy(in, work.resolve(inv), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(PROXY_ADDRESS))) {
            tunnelPort = s.getLocalPort();
        }

        // 1. the proxy on the bridge; three agents join from their namespaces and report their simulated inventories
        startProxy();
        joinAll();
        for (int host = 1; host <= 3; host++) {
            runAgent(host);
        }
        awaitEnginesReady(1, 2, 3);
        JsonArray agentList = adminArray("/api/v1/agents");
        assertThat(agentList.stream().map(o -> ((JsonObject) o).getString("name") + "=" + ((JsonObject) o).getString("state")))
                .containsExactlyInAnyOrder("lyre-h1=ready", "lyre-h2=ready", "lyre-h3=ready");
        assertThat(log(1, "run")).contains("SIMULATED");
        long joined = System.nanoTime();

        // 2. apps with different asks, all on slot 24000: the scheduler chooses
        deploy(createBody(CUDA_A, "cuda"));
        deploy(createBody(CUDA_B, "cuda"));
        deploy(createBody(ROCM, "rocm"));
        adminApi().contentType("application/json")
                .body(new JsonObject().put("devices", new JsonArray().add(new JsonObject().put("kind", "FPGA").put("vendor", "Xilinx")
                        .put("count", 1))).encode())
                .put("/api/v1/policies/" + FPGA).then().statusCode(200);
        deploy(createBody(FPGA, "cpu"));
        // Both GPU hosts have all their scarce devices taken now, so bin-pack scores every host alike for a CPU app;
        // spread (the share of cores and memory left free) then picks the roomiest: host 1 (64 threads, 512 GiB)
        // over host 3 (32, 128 GiB) and host 2 (16, 64 GiB).
        deploy(createBody(CPU, "cpu").put("resource_limits", new JsonObject().put("memory", CPU_MEMORY).put("nanoCPUs", CPU_NANOS)));

        Map<String, JsonObject> placed = placementsByApp();
        assertThat(placed.keySet()).containsExactlyInAnyOrder(CUDA_A, CUDA_B, ROCM, FPGA, CPU);
        Map<String, Integer> hostOfApp = new HashMap<>();
        placed.forEach((app, p) -> hostOfApp.put(app, hostOf(p.getString("engine"))));
        assertThat(hostOfApp).containsEntry(CUDA_A, 1).containsEntry(CUDA_B, 1).containsEntry(ROCM, 2).containsEntry(FPGA, 2)
                .containsEntry(CPU, 1);

        // the two CUDA apps: one A100 each, by UUID, as a DeviceRequest with explicit ids; the process sees exactly it
        List<String> gpus = new ArrayList<>();
        for (String app : List.of(CUDA_A, CUDA_B)) {
            JsonObject p = placed.get(app);
            assertThat(p.getJsonArray("devices").size()).isEqualTo(1);
            String gpu = p.getJsonArray("devices").getString(0);
            gpus.add(gpu);
            JsonObject c = onlyOn(1, app);
            commonChecks(c, app, 1, p);
            JsonArray requests = deviceRequests(c);
            assertThat(requests.size()).isEqualTo(1);
            JsonObject request = requests.getJsonObject(0);
            assertThat(request.getString("Driver")).isEqualTo("nvidia");
            assertThat(request.getJsonArray("DeviceIDs").getList()).containsExactly(gpu);
            assertThat(request.getInteger("Count")).isNotEqualTo(-1);
            assertThat(devicePaths(c)).isEmpty();
            assertThat(env(c)).contains("NVIDIA_VISIBLE_DEVICES=" + gpu).doesNotContain("NVIDIA_VISIBLE_DEVICES=all");
            assertThat(exec(1, app, "echo $NVIDIA_VISIBLE_DEVICES")).isEqualTo(gpu);
        }
        assertThat(gpus).containsExactlyInAnyOrder(GPU_A, GPU_B);

        // the ROCm app: host 2's MI210 as its kfd and render node (stand-ins), /dev/kfd and /dev/dri/renderD128 inside
        JsonObject rocm = onlyOn(2, ROCM);
        commonChecks(rocm, ROCM, 2, placed.get(ROCM));
        assertThat(placed.get(ROCM).getJsonArray("devices").getList()).containsExactly("0000:c1:00.0");
        assertThat(deviceRequests(rocm)).isEmpty();
        assertThat(devicePaths(rocm)).containsExactlyInAnyOrder(H2_DEV + "/kfd -> /dev/kfd",
                H2_DEV + "/dri/renderD128 -> /dev/dri/renderD128");
        assertThat(exec(2, ROCM, "test -c /dev/kfd && test -c /dev/dri/renderD128 && echo present")).isEqualTo("present");

        // the policy's Xilinx FPGA: host 2's U250 as its xclmgmt and render nodes
        JsonObject fpga = onlyOn(2, FPGA);
        commonChecks(fpga, FPGA, 2, placed.get(FPGA));
        assertThat(placed.get(FPGA).getJsonArray("devices").getList()).containsExactly("0000:3b:00.1");
        assertThat(deviceRequests(fpga)).isEmpty();
        assertThat(devicePaths(fpga)).containsExactlyInAnyOrder(H2_DEV + "/xclmgmt15104 -> /dev/xclmgmt15104",
                H2_DEV + "/dri/renderD129 -> /dev/dri/renderD129");

        // the CPU app: its resource_limits as Memory and NanoCPUs, no device
        JsonObject cpu = onlyOn(1, CPU);
        commonChecks(cpu, CPU, 1, placed.get(CPU));
        assertThat(placed.get(CPU).getJsonArray("devices")).isEmpty();
        assertThat(placed.get(CPU).getLong("milli_cores")).isEqualTo(CPU_NANOS / 1_000_000);
        assertThat(placed.get(CPU).getLong("memory_bytes")).isEqualTo(CPU_MEMORY);
        assertThat(cpu.getJsonObject("HostConfig").getLong("Memory")).isEqualTo(CPU_MEMORY);
        assertThat(cpu.getJsonObject("HostConfig").getLong("NanoCpus")).isEqualTo(CPU_NANOS);
        assertThat(deviceRequests(cpu)).isEmpty();
        assertThat(devicePaths(cpu)).isEmpty();

        // the engines view shows who holds each device
        JsonObject h1View = adminArray("/api/v1/engines").stream().map(o -> (JsonObject) o)
                .filter(e -> e.getString("id").equals(engineIds.get(1))).findFirst().orElseThrow();
        assertThat(h1View.getJsonArray("devices").stream().map(o -> ((JsonObject) o).getString("id") + "="
                + ((JsonObject) o).getValue("allocated_to"))).hasSize(2).allMatch(s -> s.contains(PREFIX + "cuda-"));

        // 3. a third CUDA app while both GPUs are taken: refused with the reason, nothing created anywhere
        Response refused = op("create", createBody(CUDA_C, "cuda"));
        assertThat(refused.statusCode()).as(refused.asString()).isEqualTo(503);
        assertThat(refused.asString()).contains(CUDA_C).containsIgnoringCase("NVIDIA");
        System.out.println("[three-hosts] third CUDA app refused: " + refused.statusCode() + " " + refused.asString());
        for (int host = 1; host <= 3; host++) {
            assertThat(inspect(host, CUDA_C)).isEmpty();
        }
        assertThat(events()).anyMatch(e -> e.getString("type").equals("REFUSED") && e.getString("app").equals(CUDA_C));
        assertThat(placementsByApp()).doesNotContainKey(CUDA_C);
        long deployed = System.nanoTime();

        // 4. host 1's agent dies: past the grace period the CPU app moves (to host 3, the roomier of the others);
        //    the CUDA apps cannot (host 1 is the only NVIDIA host) and stay, with an event that says why
        Process h1 = agents.remove(1);
        h1.destroyForcibly();
        assertThat(h1.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long killed = System.nanoTime();
        Duration moveBudget = GRACE.plusSeconds(15);
        await("the CPU app moves off host 1 within grace + 15 s", moveBudget,
                () -> engineIds.get(3).equals(placementsByApp().get(CPU).getString("engine")));
        Duration moveTook = Duration.ofNanos(System.nanoTime() - killed);
        assertThat(moveTook).as("the move waited for the grace period").isGreaterThanOrEqualTo(GRACE);
        await("the moved CPU app runs on host 3", Duration.ofSeconds(15),
                () -> inspect(3, CPU).map(c -> c.getJsonObject("State").getBoolean("Running")).orElse(false));
        JsonObject moved = inspect(3, CPU).orElseThrow();
        commonChecks(moved, CPU, 3, placementsByApp().get(CPU));
        assertThat(moved.getJsonObject("HostConfig").getLong("Memory")).isEqualTo(CPU_MEMORY);
        assertThat(moved.getJsonObject("HostConfig").getLong("NanoCpus")).isEqualTo(CPU_NANOS);
        assertThat(events()).anyMatch(e -> e.getString("type").equals("MOVED") && e.getString("app").equals(CPU)
                && e.getString("detail").contains(engineIds.get(1)));
        await("the CUDA apps' failed moves are recorded", Duration.ofSeconds(10), () -> events().stream()
                .filter(e -> e.getString("type").equals("RESCHEDULE_FAILED")).map(e -> e.getString("app")).toList()
                .containsAll(List.of(CUDA_A, CUDA_B)));
        for (String app : List.of(CUDA_A, CUDA_B)) {
            JsonObject p = placementsByApp().get(app);
            assertThat(p.getString("engine")).isEqualTo(engineIds.get(1));
            assertThat(p.getString("state")).isEqualTo("lost");
            String why = events().stream().filter(e -> e.getString("type").equals("RESCHEDULE_FAILED") && e.getString("app").equals(app))
                    .findFirst().orElseThrow().getString("detail");
            assertThat(why).as("why %s stays", app).containsIgnoringCase("NVIDIA");
        }
        // host 1's engine itself kept running: the old copy of the CPU app is still there, the CUDA apps too
        assertThat(inspect(1, CPU)).isPresent();
        assertThat(inspect(1, CUDA_A)).isPresent();

        //    host 1 comes back: its stale copy of the CPU app is removed, the CUDA apps are still its own
        runAgent(1);
        awaitEnginesReady(1);
        await("the stale CPU app copy on host 1 is removed", Duration.ofSeconds(20), () -> inspect(1, CPU).isEmpty());
        assertThat(events()).anyMatch(e -> e.getString("type").equals("STALE_REMOVED") && e.getString("app").equals(CPU)
                && engineIds.get(1).equals(e.getString("engine")));
        assertThat(inspect(3, CPU)).isPresent();
        assertThat(onlyOn(1, CUDA_A).getJsonObject("State").getBoolean("Running")).isTrue();
        assertThat(onlyOn(1, CUDA_B).getJsonObject("State").getBoolean("Running")).isTrue();
        await("the CUDA apps are bound again once host 1 is back", Duration.ofSeconds(10), () -> Stream.of(CUDA_A, CUDA_B)
                .allMatch(app -> placementsByApp().get(app).getString("state").equals("bound")));
        assertThat(events()).anyMatch(e -> e.getString("type").equals("RECOVERED") && e.getString("app").equals(CUDA_A));
        for (String app : List.of(CUDA_A, CUDA_B)) {
            JsonObject p = placementsByApp().get(app);
            assertThat(p.getString("engine")).isEqualTo(engineIds.get(1));
            assertThat(p.getJsonArray("devices").getList()).isEqualTo(placed.get(app).getJsonArray("devices").getList());
        }
        long recovered = System.nanoTime();

        // 5. the proxy restarts on the same store: placements intact, the three agents re-dial, AppAPI finds its apps
        JsonArray before = adminArray("/api/v1/placements");
        stopProxy();
        startProxy();
        awaitEnginesReady(1, 2, 3);
        await("all three agents are back", Duration.ofSeconds(30), () -> adminArray("/api/v1/agents").stream()
                .allMatch(a -> ((JsonObject) a).getString("state").equals("ready")));
        // each engine's reconcile ends by recording its apps for AppAPI's requests: once all are there, all ran
        await("the reconnect reconciles are done", Duration.ofSeconds(20), () -> Stream.of(CUDA_A, CUDA_B, ROCM, FPGA, CPU)
                .allMatch(app -> core.placements().find(app).isPresent()));
        JsonArray after = adminArray("/api/v1/placements");
        assertThat(stable(after)).isEqualTo(stable(before));
        for (String app : List.of(CUDA_A, ROCM, CPU)) {
            op("exists", new JsonObject().put("name", app).put("instance_id", "")).then().statusCode(200);
            assertThat(op("exists", new JsonObject().put("name", app).put("instance_id", "")).jsonPath().getBoolean("exists"))
                    .as(app + " exists after the restart").isTrue();
        }
        long done = System.nanoTime();
        System.out.printf("[three-hosts/%s] join %.1fs, deploy+checks %.1fs, loss+move %.1fs (move %.1fs after the kill), "
                        + "restart %.1fs, total %.1fs%n", storeName(), (joined - t0) / 1e9, (deployed - joined) / 1e9,
                (recovered - deployed) / 1e9, moveTook.toMillis() / 1e3, (done - recovered) / 1e9, (done - t0) / 1e9);
    }
}
