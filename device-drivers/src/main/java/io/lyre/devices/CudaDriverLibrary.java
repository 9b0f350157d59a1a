package io.lyre.devices;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether the NVIDIA driver library could be loaded, decided by looking at files only. JCuda extracts and
 * loads a native library before it can find out itself, which costs a startup on every host without NVIDIA;
 * this check lets the CUDA probe skip that.
 */
final class CudaDriverLibrary {

    static final String LIBRARY = "libcuda.so.1";

    // Debian/Ubuntu, RHEL, the NVIDIA container toolkit's mount points, WSL.
    private static final List<String> DIRECTORIES = List.of(
            "usr/lib/x86_64-linux-gnu", "usr/lib/aarch64-linux-gnu", "lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu",
            "usr/lib64", "lib64", "usr/lib", "usr/local/nvidia/lib64", "usr/local/nvidia/lib", "usr/lib/wsl/lib");

    private CudaDriverLibrary() {
    }

    static boolean installed() {
        return installed(Path.of("/"), System.getenv("LD_LIBRARY_PATH"));
    }

    /** Looks under {@code root}: the driver's /proc entry, the usual directories, LD_LIBRARY_PATH, the ld.so cache. */
    static boolean installed(Path root, String ldLibraryPath) {
        if (Files.isDirectory(root.resolve("proc/driver/nvidia"))) {
            return true;
        }
        List<Path> candidates = new ArrayList<>();
        DIRECTORIES.forEach(d -> candidates.add(root.resolve(d)));
        if (ldLibraryPath != null) {
            for (String dir : ldLibraryPath.split(":")) {
                if (!dir.isBlank()) {
                    candidates.add(Path.of(dir));
                }
            }
        }
        for (Path dir : candidates) {
            if (Files.exists(dir.resolve(LIBRARY))) {
                return true;
            }
        }
        return ldCacheNames(root.resolve("etc/ld.so.cache"));
    }

    /** The cache holds NUL-terminated names; "libcuda.so.1\0" does not match libcudart. */
    private static boolean ldCacheNames(Path cache) {
        try {
            byte[] bytes = Files.readAllBytes(cache);
            byte[] needle = (LIBRARY + "\0").getBytes(StandardCharsets.US_ASCII);
            outer:
            for (int i = 0; i + needle.length <= bytes.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (bytes[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return true;
            }
        } catch (IOException | RuntimeException e) {
            // no cache (musl, some containers): nothing found there
        }
        return false;
    }
}
