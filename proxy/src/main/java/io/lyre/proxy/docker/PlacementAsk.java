package io.lyre.proxy.docker;

import java.util.Optional;

/**
 * What the front door knows when it must pick an engine for docker-engine-port 24000: the app, the compute
 * device AppAPI asked for ("cpu", "cuda", "rocm"), the image, and the resource limits.
 */
public record PlacementAsk(String appId, String computeDevice, Optional<String> image, long memoryBytes, long nanoCpus) {

    public static PlacementAsk forApp(String appId) {
        return new PlacementAsk(appId, "cpu", Optional.empty(), 0, 0);
    }

    /**
     * For a pull, which runs before the app's engine is known: AppAPI first tries "tag-cuda" / "tag-rocm" /
     * "tag-cpu", so the tag suffix tells which kind of engine the app will need.
     */
    public static PlacementAsk forImage(String image) {
        String tag = ImageRef.tag(image);
        String device = tag.endsWith("-cuda") ? "cuda" : tag.endsWith("-rocm") ? "rocm" : "cpu";
        return new PlacementAsk("", device, Optional.of(image), 0, 0);
    }
}
