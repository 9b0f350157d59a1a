package io.lyre.devices;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class OneLineReasonTest {

    // JCuda's message, shortened: the missing library is buried in a nested stack trace.
    private static final String JCUDA_MESSAGE = """
            Error while loading native library "JCudaDriver-12.6.0-linux-x86_64"
            Operating system name: Linux
            ---(start of nested stack traces)---
            Stack trace from the attempt to load the library as a resource:
            java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open shared object file: No such file or directory
            \tat java.base/jdk.internal.loader.NativeLibraries.load(Native Method)
            """;

    @Test
    void namesTheMissingSharedLibraryInsteadOfTheStackTrace() {
        assertThat(OneLineReason.cause(new UnsatisfiedLinkError(JCUDA_MESSAGE))).isEqualTo("libcuda.so.1 not found");
    }

    @Test
    void findsTheMissingLibraryInACauseToo() {
        // A second use of JCudaDriver: NoClassDefFoundError, caused by the first ExceptionInInitializerError.
        var later = new NoClassDefFoundError("Could not initialize class jcuda.driver.JCudaDriver");
        later.initCause(new ExceptionInInitializerError("Exception java.lang.UnsatisfiedLinkError: " + JCUDA_MESSAGE));
        assertThat(OneLineReason.cause(later)).isEqualTo("libcuda.so.1 not found");
    }

    @Test
    void keepsOnlyTheFirstLineOfOtherMessages() {
        assertThat(OneLineReason.of(new IllegalStateException("boom\n\tat somewhere"))).isEqualTo("IllegalStateException: boom");
    }

    @Test
    void usesTheTypeNameWhenThereIsNoMessage() {
        assertThat(OneLineReason.of(new NullPointerException())).isEqualTo("NullPointerException");
    }

    @Test
    void saysWhatAFileSystemErrorMeansRatherThanRepeatingThePath() {
        assertThat(OneLineReason.cause(new NoSuchFileException("/sys/bus/pci/devices"))).isEqualTo("no such file");
        assertThat(OneLineReason.cause(new IOException("Is a directory"))).isEqualTo("Is a directory");
    }

    @Test
    void cutsVeryLongLines() {
        assertThat(OneLineReason.cause(new RuntimeException("x".repeat(500)))).hasSize(200).endsWith("...");
    }
}
