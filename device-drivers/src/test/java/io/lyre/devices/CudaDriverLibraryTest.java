package io.lyre.devices;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file check that spares hosts without NVIDIA the load of JCuda's native library. */
class CudaDriverLibraryTest {

    @TempDir
    Path root;

    @Test
    void findsNothingOnAnEmptyHost() {
        assertThat(CudaDriverLibrary.installed(root, null)).isFalse();
    }

    @Test
    void findsTheDriversProcEntry() throws IOException {
        Files.createDirectories(root.resolve("proc/driver/nvidia"));
        assertThat(CudaDriverLibrary.installed(root, null)).isTrue();
    }

    @Test
    void findsTheLibraryInADistributionDirectory() throws IOException {
        Files.createDirectories(root.resolve("usr/lib64"));
        Files.writeString(root.resolve("usr/lib64/libcuda.so.1"), "");
        assertThat(CudaDriverLibrary.installed(root, null)).isTrue();
    }

    @Test
    void findsTheLibraryOnLdLibraryPath() throws IOException {
        Path dir = Files.createDirectories(root.resolve("opt/nvidia/lib"));
        Files.writeString(dir.resolve("libcuda.so.1"), "");
        assertThat(CudaDriverLibrary.installed(root, "/nowhere::" + dir)).isTrue();
    }

    @Test
    void findsTheLibraryInTheLdCache() throws IOException {
        writeLdCache("glibc-ld.so.cache1.1\0libc.so.6\0/lib/x86_64-linux-gnu/libc.so.6\0libcuda.so.1\0"
                + "/usr/lib/x86_64-linux-gnu/libcuda.so.1\0");
        assertThat(CudaDriverLibrary.installed(root, null)).isTrue();
    }

    @Test
    void doesNotTakeTheCudaRuntimeForTheDriver() throws IOException {
        // A toolkit without a driver, as on the build machine: libcudart is in the cache, libcuda is not.
        writeLdCache("glibc-ld.so.cache1.1\0libcudart.so.13\0/usr/local/cuda-13.0/lib/libcudart.so.13\0");
        assertThat(CudaDriverLibrary.installed(root, null)).isFalse();
    }

    private void writeLdCache(String content) throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.write(root.resolve("etc/ld.so.cache"), content.getBytes(StandardCharsets.US_ASCII));
    }
}
