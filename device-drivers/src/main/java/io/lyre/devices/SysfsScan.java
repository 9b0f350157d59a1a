package io.lyre.devices;

import java.nio.file.Path;

/**
 * One pass of {@link SysfsPciProbe} over a sysfs tree: where to look, where device nodes live, what went wrong.
 *
 * @param sysfsRoot the sysfs mount (a fixture tree in tests)
 * @param devRoot   the device-node directory that {@code dev.nodes} paths are written under
 * @param problems  problems found so far
 */
record SysfsScan(Path sysfsRoot, Path devRoot, ScanProblems problems) {

    /** An absolute device-node path under {@link #devRoot}: devNode("dri/renderD128") is "/dev/dri/renderD128". */
    String devNode(String relative) {
        return devRoot.resolve(relative).toAbsolutePath().toString();
    }
}
