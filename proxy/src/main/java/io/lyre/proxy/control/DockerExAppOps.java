package io.lyre.proxy.control;

import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.api.model.DeviceRequest;
import io.lyre.proxy.control.ExAppName.PayloadException;
import io.lyre.scheduler.docker.ContainerDeviceBinding;
import io.lyre.proxy.docker.DockerEngineApi;
import io.lyre.proxy.docker.DockerEngineException;
import io.lyre.proxy.docker.DockerReply;
import io.lyre.proxy.docker.ExAppPlacement;
import io.lyre.proxy.docker.ExAppPlacements;
import io.lyre.proxy.docker.PullProgress;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HaRP's /docker/exapp/* wrapper (harp.md §2.5, appapi.md §2.2-2.3) on one engine, with HaRP's status codes
 * and bodies. Blocking: the front door runs it on a worker thread.
 */
public final class DockerExAppOps {
    private static final Logger LOG = Logger.getLogger(DockerExAppOps.class);
    /** ExApps never learn the master key and do not run frpc: Lyre reaches them on their Docker network. */
    private static final Set<String> DROPPED_ENV = Set.of("HP_FRP_ADDRESS", "HP_FRP_PORT", "HP_SHARED_KEY");
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN CERTIFICATE-----[\\s\\S]+?-----END CERTIFICATE-----");

    private final ExAppPlacements placements;
    private final int waitPolls;
    private final long waitIntervalMillis;

    public DockerExAppOps(ExAppPlacements placements) {
        this(placements, 180, 500); // HaRP: 180 polls, 0.5 s apart
    }

    public DockerExAppOps(ExAppPlacements placements, int waitPolls, long waitIntervalMillis) {
        this.placements = placements;
        this.waitPolls = waitPolls;
        this.waitIntervalMillis = waitIntervalMillis;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    public HttpReply exists(DockerEngineApi api, JsonObject body) {
        ExAppName n = ExAppName.from(body);
        DockerReply r = api.get("/containers/" + enc(n.containerName()) + "/json");
        if (r.status() == 404) {
            return HttpReply.json(200, new JsonObject().put("exists", false));
        }
        if (!r.ok()) {
            return unexpected(api, r);
        }
        JsonObject config = r.json().getJsonObject("Config", new JsonObject());
        return HttpReply.json(200, new JsonObject().put("exists", true).put("image_ref", config.getString("Image")));
    }

    public HttpReply create(DockerEngineApi api, JsonObject body) {
        return create(api, body, null);
    }

    /**
     * create with the scheduler's binding: the chosen devices (explicit NVIDIA device ids instead of HaRP's
     * "all GPUs", AMD and FPGA device nodes), the limits, the io.lyre.* placement labels and the environment
     * that must win over AppAPI's (NVIDIA_VISIBLE_DEVICES). {@code binding} null: HaRP's own behaviour.
     */
    public HttpReply create(DockerEngineApi api, JsonObject body, ContainerDeviceBinding binding) {
        ExAppName n = ExAppName.from(body);
        String image = body.getValue("image_id") instanceof String s && !s.isEmpty() ? s
                : body.getValue("image") instanceof String s2 && !s2.isEmpty() ? s2 : null;
        if (image == null) {
            throw new PayloadException("image_id: field required");
        }
        String network = stringOr(body, "network_mode", "bridge");
        String restart = stringOr(body, "restart_policy", "unless-stopped");
        String device = stringOr(body, "compute_device", "cpu").toLowerCase(Locale.ROOT);
        if (!Set.of("cpu", "cuda", "rocm").contains(device)) {
            throw new PayloadException("compute_device: must be cpu, cuda or rocm");
        }
        List<String> env = environment(body.getValue("environment_variables"));
        JsonArray mounts = new JsonArray().add(new JsonObject().put("Type", "volume").put("Source", n.volumeName())
                .put("Target", "/" + n.volumeName()).put("ReadOnly", false));
        for (Object mp : array(body, "mount_points")) {
            if (!(mp instanceof JsonObject m) || !(m.getValue("source") instanceof String src)
                    || !(m.getValue("target") instanceof String dst)) {
                throw new PayloadException("mount_points: each entry needs string source and target");
            }
            mounts.add(new JsonObject().put("Type", "bind").put("Source", src).put("Target", dst)
                    .put("ReadOnly", "ro".equals(m.getString("mode"))));
        }
        JsonObject hostConfig = new JsonObject().put("NetworkMode", network)
                .put("RestartPolicy", new JsonObject().put("Name", restart)).put("Mounts", mounts);
        Object limits = body.getValue("resource_limits");
        if (limits != null) {
            if (!(limits instanceof JsonObject l)) {
                throw new PayloadException("resource_limits: an object is required");
            }
            if (l.getValue("memory") instanceof Number mem && mem.longValue() > 0) {
                hostConfig.put("Memory", mem.longValue());
            }
            if (l.getValue("nanoCPUs") instanceof Number cpu && cpu.longValue() > 0) {
                hostConfig.put("NanoCpus", cpu.longValue());
            }
        }
        if (binding != null) {
            if (binding.memoryBytes() != null) {
                hostConfig.put("Memory", binding.memoryBytes());
            }
            if (binding.nanoCpus() != null) {
                hostConfig.put("NanoCpus", binding.nanoCpus());
            }
            JsonArray requests = new JsonArray();
            for (DeviceRequest r : binding.deviceRequests()) {
                JsonArray caps = new JsonArray();
                r.getCapabilities().forEach(c -> caps.add(new JsonArray(new ArrayList<>(c))));
                requests.add(new JsonObject().put("Driver", r.getDriver()).put("Count", 0)
                        .put("DeviceIDs", new JsonArray(new ArrayList<>(r.getDeviceIds()))).put("Capabilities", caps));
            }
            if (!requests.isEmpty()) {
                hostConfig.put("DeviceRequests", requests);
            }
            JsonArray nodes = new JsonArray();
            for (com.github.dockerjava.api.model.Device d : binding.devices()) {
                nodes.add(new JsonObject().put("PathOnHost", d.getPathOnHost()).put("PathInContainer", d.getPathInContainer())
                        .put("CgroupPermissions", d.getcGroupPermissions()));
            }
            if (!nodes.isEmpty()) {
                hostConfig.put("Devices", nodes);
            }
            env = binding.mergeEnvironment(env);
        } else if (device.equals("cuda")) {
            hostConfig.put("DeviceRequests", new JsonArray().add(new JsonObject().put("Driver", "nvidia").put("Count", -1)
                    .put("Capabilities", new JsonArray().add(new JsonArray().add("compute").add("utility")))));
        } else if (device.equals("rocm")) {
            hostConfig.put("Devices", new JsonArray()
                    .add(new JsonObject().put("PathOnHost", "/dev/kfd").put("PathInContainer", "/dev/kfd").put("CgroupPermissions", "rwm"))
                    .add(new JsonObject().put("PathOnHost", "/dev/dri").put("PathInContainer", "/dev/dri").put("CgroupPermissions", "rwm")));
        }
        JsonObject labels = new JsonObject();
        if (binding != null) {
            binding.labels().forEach(labels::put);
        }
        labels.put("io.lyre.app", n.name()).put("io.lyre.slot", String.valueOf(api.engine().slot()))
                .put("io.lyre.compute-device", device);
        JsonObject spec = new JsonObject().put("Image", image).put("Hostname", n.name()).put("Env", new JsonArray(new ArrayList<>(env)))
                .put("Labels", labels)
                .put("HostConfig", hostConfig);
        if (!network.equals("host") && !network.equals("bridge")) {
            spec.put("NetworkingConfig", new JsonObject().put("EndpointsConfig",
                    new JsonObject().put(network, new JsonObject().put("Aliases", new JsonArray().add(n.name())))));
        }

        DockerReply volume = api.get("/volumes/" + enc(n.volumeName()));
        if (volume.status() == 404) {
            DockerReply made = api.post("/volumes/create", new JsonObject().put("Name", n.volumeName()));
            if (!made.ok()) {
                return unexpected(api, made);
            }
        } else if (!volume.ok()) {
            return unexpected(api, volume);
        }
        String createPath = "/containers/create?name=" + enc(n.containerName());
        DockerReply created = api.post(createPath, spec);
        if (created.status() == 404 && created.message().toLowerCase(Locale.ROOT).contains("no such image")) {
            // With slot 24000 the image was pulled on the engine the pull was routed to, which need not be
            // the one chosen now: pull it here and try again.
            String pullError = pull(api, image);
            if (pullError != null) {
                return HttpReply.text(404, "Image " + image + " is not on this engine and could not be pulled: " + pullError);
            }
            created = api.post(createPath, spec);
        }
        if (created.status() == 409) {
            return HttpReply.text(409, "Container " + n.containerName() + " already exists");
        }
        if (created.status() != 201) {
            return unexpected(api, created);
        }
        placements.record(new ExAppPlacement(n.name(), api.engine(), n.containerName()));
        return HttpReply.json(201, new JsonObject().put("id", created.json().getString("Id")).put("name", n.containerName()));
    }

    /** The ExApp's environment without FRP and the shared key, and listening on all interfaces. */
    static List<String> environment(Object value) {
        List<String> out = new ArrayList<>();
        if (value == null) {
            out.add("APP_HOST=0.0.0.0");
            return out;
        }
        if (!(value instanceof JsonArray array)) {
            throw new PayloadException("environment_variables: a list of strings is required");
        }
        boolean hostSet = false;
        for (Object o : array) {
            if (!(o instanceof String s)) {
                throw new PayloadException("environment_variables: a list of strings is required");
            }
            String name = s.contains("=") ? s.substring(0, s.indexOf('=')) : s;
            if (DROPPED_ENV.contains(name)) {
                continue;
            }
            if (name.equals("APP_HOST")) {
                out.add("APP_HOST=0.0.0.0"); // in place: AppAPI reads the env by position
                hostSet = true;
            } else {
                out.add(s);
            }
        }
        if (!hostSet) {
            out.add("APP_HOST=0.0.0.0");
        }
        return out;
    }

    /** Pulls to the end; returns the error, or null on success. */
    String pull(DockerEngineApi api, String image) {
        PullProgress progress = new PullProgress();
        try (DockerHttpClient.Response r = api.open("POST", "/images/create?fromImage=" + enc(image), null, Map.of())) {
            InputStream in = r.getBody();
            byte[] buf = new byte[8192];
            int k;
            while (in != null && (k = in.read(buf)) >= 0) {
                progress.accept(buf, k);
            }
            progress.finish();
            if (r.getStatusCode() / 100 != 2) {
                return "status " + r.getStatusCode();
            }
        } catch (IOException e) {
            throw DockerEngineException.of(api.engine().slot(), e);
        }
        return progress.failed() ? progress.error() : null;
    }

    public HttpReply start(DockerEngineApi api, JsonObject body) {
        ExAppName n = ExAppName.from(body);
        DockerReply r = api.post("/containers/" + enc(n.containerName()) + "/start", null);
        return switch (r.status()) {
            case 204 -> HttpReply.empty(204);
            case 304 -> HttpReply.text(200, "Container already started");
            case 404 -> HttpReply.text(404, "Container " + n.containerName() + " not found");
            default -> unexpected(api, r);
        };
    }

    public HttpReply stop(DockerEngineApi api, JsonObject body) {
        ExAppName n = ExAppName.from(body);
        DockerReply r = api.post("/containers/" + enc(n.containerName()) + "/stop", null);
        return switch (r.status()) {
            case 204 -> HttpReply.empty(204);
            case 304 -> HttpReply.text(200, "Container already stopped");
            case 404 -> HttpReply.text(404, "Container " + n.containerName() + " not found");
            default -> unexpected(api, r);
        };
    }

    public HttpReply waitForStart(DockerEngineApi api, JsonObject body) throws InterruptedException {
        ExAppName n = ExAppName.from(body);
        JsonObject last = new JsonObject().put("started", false).put("status", "unknown").putNull("health");
        for (int i = 0; i < waitPolls; i++) {
            DockerReply r = api.get("/containers/" + enc(n.containerName()) + "/json");
            if (r.status() == 404) {
                return HttpReply.json(200, new JsonObject().put("started", false).put("status", "not_found"));
            }
            if (!r.ok()) {
                return unexpected(api, r);
            }
            JsonObject state = r.json().getJsonObject("State", new JsonObject());
            String status = state.getString("Status", "unknown");
            JsonObject healthObj = state.getJsonObject("Health");
            String health = healthObj == null ? null : healthObj.getString("Status");
            JsonObject answer = new JsonObject().put("status", status).put("health", health);
            if (status.equals("running") && (health == null || health.isEmpty() || health.equals("none") || health.equals("healthy"))) {
                return HttpReply.json(200, answer.put("started", true));
            }
            if (status.equals("running") && health.equals("unhealthy")) {
                return HttpReply.json(200, answer.put("started", true).put("reason", "unhealthy"));
            }
            if (Set.of("paused", "exited", "dead").contains(status)) {
                return HttpReply.json(200, answer.put("started", false).put("reason", status));
            }
            last = answer.put("started", false);
            Thread.sleep(waitIntervalMillis);
        }
        return HttpReply.json(200, last.put("reason", "timeout"));
    }

    public HttpReply remove(DockerEngineApi api, JsonObject body) {
        ExAppName n = ExAppName.from(body);
        Object removeData = body.getValue("remove_data");
        if (removeData != null && !(removeData instanceof Boolean)) {
            throw new PayloadException("remove_data: a boolean is required");
        }
        DockerReply r = api.delete("/containers/" + enc(n.containerName()) + "?force=true");
        if (!r.ok() && r.status() != 404 && r.status() != 409) {
            return unexpected(api, r);
        }
        placements.forget(n.name());
        if (Boolean.TRUE.equals(removeData)) {
            DockerReply v = api.delete("/volumes/" + enc(n.volumeName()));
            if (v.status() == 409) {
                return HttpReply.text(409, "Volume " + n.volumeName() + " is in use: " + v.message());
            }
            if (!v.ok() && v.status() != 404) {
                return unexpected(api, v);
            }
        }
        return HttpReply.empty(204);
    }

    public HttpReply imageRemove(DockerEngineApi api, JsonObject body) {
        Object ref = body.getValue("image_ref");
        if (!(ref instanceof String image) || image.isEmpty()) {
            throw new PayloadException("image_ref: a non-empty string is required");
        }
        DockerReply inspect = api.get("/images/" + image + "/json");
        if (inspect.status() == 404) {
            return HttpReply.json(200, new JsonObject().put("deleted", true).put("bytes_freed", 0).put("reason", "not_found"));
        }
        long size = inspect.ok() ? inspect.json().getLong("Size", 0L) : 0L;
        DockerReply r = api.delete("/images/" + image);
        return switch (r.status()) {
            case 200 -> HttpReply.json(200, new JsonObject().put("deleted", true).put("bytes_freed", size));
            case 404 -> HttpReply.json(200, new JsonObject().put("deleted", true).put("bytes_freed", 0).put("reason", "not_found"));
            case 409 -> HttpReply.json(200, new JsonObject().put("deleted", false).put("reason", "in_use"));
            default -> unexpected(api, r);
        };
    }

    /**
     * Installs Nextcloud's CA bundle into the container's system trust store, as HaRP does; the FRP client
     * certificates are not needed (no frpc in Lyre's ExApps), so that part is a no-op.
     */
    public HttpReply installCertificates(DockerEngineApi api, JsonObject body) {
        ExAppName n = ExAppName.from(body);
        Object bundle = body.getValue("system_certs_bundle");
        if (bundle != null && !(bundle instanceof String)) {
            throw new PayloadException("system_certs_bundle: a string or null is required");
        }
        Object frp = body.getValue("install_frp_certs");
        if (frp != null && !(frp instanceof Boolean)) {
            throw new PayloadException("install_frp_certs: a boolean is required");
        }
        String c = enc(n.containerName());
        DockerReply inspect = api.get("/containers/" + c + "/json");
        if (inspect.status() == 404) {
            return HttpReply.text(404, "Container " + n.containerName() + " not found");
        }
        if (!inspect.ok()) {
            return unexpected(api, inspect);
        }
        List<String> pems = new ArrayList<>();
        if (bundle instanceof String text) {
            Matcher m = PEM.matcher(text);
            while (m.find()) {
                pems.add(m.group() + "\n");
            }
        }
        if (pems.isEmpty()) {
            return HttpReply.empty(204);
        }
        boolean wasRunning = inspect.json().getJsonObject("State", new JsonObject()).getBoolean("Running", false);
        try {
            if (!wasRunning) {
                DockerReply started = api.post("/containers/" + c + "/start", null);
                if (!started.ok() && started.status() != 304) {
                    return unexpected(api, started);
                }
            }
            String osRelease = exec(api, n.containerName(), List.of("cat", "/etc/os-release"));
            boolean rhel = osRelease.matches("(?s).*\\bID(_LIKE)?=\"?[^\\n]*(rhel|centos|fedora|almalinux|rocky)[\\s\\S]*");
            String dir = rhel ? "etc/pki/ca-trust/source/anchors" : "usr/local/share/ca-certificates";
            Map<String, byte[]> files = new java.util.LinkedHashMap<>();
            for (int i = 0; i < pems.size(); i++) {
                files.put(dir + "/custom_ca_cert_" + i + ".crt", pems.get(i).getBytes(StandardCharsets.US_ASCII));
            }
            DockerReply put = api.putArchive("/containers/" + c + "/archive?path=/", TarArchive.of(files));
            if (!put.ok()) {
                return unexpected(api, put);
            }
            exec(api, n.containerName(), rhel ? List.of("update-ca-trust", "extract") : List.of("update-ca-certificates"));
        } finally {
            if (!wasRunning) {
                try {
                    api.post("/containers/" + c + "/stop", null);
                } catch (RuntimeException e) {
                    LOG.warnf("could not stop %s again after installing certificates: %s", n.containerName(), e.getMessage());
                }
            }
        }
        return HttpReply.empty(204);
    }

    /** Runs a command in the container and returns its stdout (Docker's multiplexed stream, demultiplexed). */
    private String exec(DockerEngineApi api, String container, List<String> cmd) {
        DockerReply created = api.post("/containers/" + enc(container) + "/exec", new JsonObject()
                .put("AttachStdout", true).put("AttachStderr", true).put("Cmd", new JsonArray(new ArrayList<>(cmd))));
        if (!created.ok()) {
            LOG.warnf("exec %s in %s: %s", cmd, container, created.message());
            return "";
        }
        String id = created.json().getString("Id");
        DockerReply out = api.post("/exec/" + id + "/start", new JsonObject().put("Detach", false).put("Tty", false));
        return demultiplex(out.body());
    }

    static String demultiplex(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i + 8 <= raw.length && raw[i] >= 0 && raw[i] <= 2 && raw[i + 1] == 0 && raw[i + 2] == 0 && raw[i + 3] == 0) {
            int len = ((raw[i + 4] & 0xff) << 24) | ((raw[i + 5] & 0xff) << 16) | ((raw[i + 6] & 0xff) << 8) | (raw[i + 7] & 0xff);
            int end = Math.min(raw.length, i + 8 + len);
            if (raw[i] == 1) {
                out.write(raw, i + 8, end - i - 8);
            }
            i = end;
        }
        if (i == 0) {
            return new String(raw, StandardCharsets.UTF_8); // a TTY stream is not multiplexed
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static HttpReply unexpected(DockerEngineApi api, DockerReply r) {
        return HttpReply.text(503, "Unexpected answer " + r.status() + " from Docker Engine on port "
                + api.engine().slot() + ": " + r.message());
    }

    private static String stringOr(JsonObject body, String field, String fallback) {
        Object v = body.getValue(field);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof String s)) {
            throw new PayloadException(field + ": a string is required");
        }
        return s.isEmpty() ? fallback : s;
    }

    private static JsonArray array(JsonObject body, String field) {
        Object v = body.getValue(field);
        if (v == null) {
            return new JsonArray();
        }
        if (!(v instanceof JsonArray a)) {
            throw new PayloadException(field + ": a list is required");
        }
        return a;
    }
}
