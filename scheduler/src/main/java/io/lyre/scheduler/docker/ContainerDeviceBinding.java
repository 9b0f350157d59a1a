package io.lyre.scheduler.docker;

import com.github.dockerjava.api.model.DeviceRequest;
import com.github.dockerjava.api.model.HostConfig;
import io.lyre.devices.Device;
import io.lyre.devices.DeviceKind;
import io.lyre.scheduler.Placement;
import io.lyre.scheduler.constraint.VendorAliases;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Docker side of a placement: what goes into the container's HostConfig, labels and environment so that
 * it sees exactly the chosen devices and limits.
 * <ul>
 *   <li>NVIDIA GPUs: one {@code DeviceRequest} with driver "nvidia", the chosen GPU UUIDs as {@code DeviceIDs}
 *       and capabilities [["gpu"]], as {@code docker run --gpus '"device=UUID"'} sends; never {@code Count: -1},
 *       which is HaRP's "all GPUs".</li>
 *   <li>AMD GPUs: {@code /dev/kfd} plus the GPU's own {@code /dev/dri/renderD*} node (ROCm's documented way).</li>
 *   <li>FPGAs, accelerators and other GPUs: their device nodes from the probe ({@code dev.nodes}): Xilinx
 *       {@code /dev/xclmgmt*} and {@code /dev/dri/renderD*}, Intel {@code /dev/intel-fpga-port.*}.</li>
 *   <li>Memory and NanoCPUs limits; labels from {@link PlacementLabels}.</li>
 * </ul>
 *
 * @param deviceRequests HostConfig.DeviceRequests
 * @param devices        HostConfig.Devices (rwm, same path inside and out)
 * @param memoryBytes    HostConfig.Memory, null = no limit
 * @param nanoCpus       HostConfig.NanoCPUs, null = no limit
 * @param labels         container labels
 * @param environment    variables that must override what AppAPI sent (AppAPI sends NVIDIA_VISIBLE_DEVICES=all)
 */
public record ContainerDeviceBinding(List<DeviceRequest> deviceRequests,
                                     List<com.github.dockerjava.api.model.Device> devices,
                                     Long memoryBytes, Long nanoCpus, Map<String, String> labels,
                                     Map<String, String> environment) {

    public static final String NVIDIA_DRIVER = "nvidia";
    public static final String KFD = "/dev/kfd";
    private static final String RWM = "rwm";

    public ContainerDeviceBinding {
        deviceRequests = List.copyOf(deviceRequests);
        devices = List.copyOf(devices);
        labels = Map.copyOf(labels);
        environment = Map.copyOf(environment);
    }

    /** Builds the spec; throws IllegalArgumentException when a non-NVIDIA device has no device nodes to pass. */
    public static ContainerDeviceBinding of(Placement p) {
        List<String> nvidiaIds = new ArrayList<>();
        Set<String> nodes = new LinkedHashSet<>();
        for (Device d : p.devices()) {
            String vendor = VendorAliases.key(d.vendor());
            if (d.kind() == DeviceKind.GPU && vendor.equals("nvidia")) {
                nvidiaIds.add(nvidiaId(d));
                continue;
            }
            List<String> own = d.deviceNodes();
            if (d.kind() == DeviceKind.GPU && vendor.equals("amd")) {
                // the probe's own kfd node when it reports one (an agent whose device root is not /dev)
                nodes.add(own.stream().map(String::trim).filter(n -> containerPath(n).equals(KFD)).findFirst().orElse(KFD));
            }
            if (own.isEmpty()) {
                throw new IllegalArgumentException("device " + d.id() + " (" + d.vendor() + " " + d.kind()
                        + ") has no device nodes (" + Device.ATTR_DEV_NODES + "): cannot pass it to a container");
            }
            own.forEach(n -> nodes.add(n.trim()));
        }
        List<DeviceRequest> requests = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        if (!nvidiaIds.isEmpty()) {
            requests.add(new DeviceRequest().withDriver(NVIDIA_DRIVER).withDeviceIds(List.copyOf(nvidiaIds))
                    .withCapabilities(List.of(List.of("gpu"))));
            env.put("NVIDIA_VISIBLE_DEVICES", String.join(",", nvidiaIds));
        }
        List<com.github.dockerjava.api.model.Device> devices = new ArrayList<>();
        for (String node : nodes) {
            devices.add(new com.github.dockerjava.api.model.Device(RWM, containerPath(node), node));
        }
        return new ContainerDeviceBinding(requests, devices,
                p.memoryBytes() > 0 ? p.memoryBytes() : null,
                p.milliCores() > 0 ? p.milliCores() * 1_000_000L : null,
                PlacementLabels.of(p), env);
    }

    /**
     * Where a host device node appears in the container: its path from the last {@code /dev/} on, so an
     * agent whose device root is not {@code /dev} (a test bed with stand-in nodes) still gives the
     * container the paths its software expects ({@code /dev/kfd}, {@code /dev/dri/renderD128}).
     */
    static String containerPath(String hostNode) {
        int dev = hostNode.lastIndexOf("/dev/");
        return dev >= 0 ? hostNode.substring(dev) : hostNode;
    }

    /** Sets the device and limit fields on a HostConfig (which the caller fills with mounts, network, ...). */
    public HostConfig applyTo(HostConfig hostConfig) {
        if (!deviceRequests.isEmpty()) {
            hostConfig.withDeviceRequests(deviceRequests);
        }
        if (!devices.isEmpty()) {
            hostConfig.withDevices(devices);
        }
        if (memoryBytes != null) {
            hostConfig.withMemory(memoryBytes);
        }
        if (nanoCpus != null) {
            hostConfig.withNanoCPUs(nanoCpus);
        }
        return hostConfig;
    }

    /** AppAPI's env list ("KEY=VALUE") with this binding's variables replacing any of the same name. */
    public List<String> mergeEnvironment(List<String> appApiEnv) {
        List<String> out = new ArrayList<>();
        for (String kv : appApiEnv) {
            int eq = kv.indexOf('=');
            String key = eq < 0 ? kv : kv.substring(0, eq);
            if (!environment.containsKey(key)) {
                out.add(kv);
            }
        }
        environment.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    // NVIDIA's runtime takes UUIDs or indexes, not PCI addresses: prefer the UUID the CUDA probe reports.
    private static String nvidiaId(Device d) {
        String uuid = d.attributes().get(Device.ATTR_UUID);
        if (uuid != null && !uuid.isBlank()) {
            return uuid;
        }
        String index = d.attributes().get("index");
        if (!d.id().startsWith("GPU-") && index != null && !index.isBlank()) {
            return index;
        }
        return d.id();
    }
}
