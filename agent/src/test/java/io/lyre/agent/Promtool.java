package io.lyre.agent;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' {@code promtool} (Debian package {@code prometheus}). Missing: the test is skipped with a message,
 * or fails when {@code CI=true}.
 */
public final class Promtool {

    public record Result(int exitCode, String output) {
    }

    private Promtool() {
    }

    static Path require() {
        String override = System.getenv("PROMTOOL");
        if (override != null && !override.isBlank() && Files.isExecutable(Path.of(override))) {
            return Path.of(override);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "promtool");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String msg = "promtool not found on PATH (apt-get install -y prometheus)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(msg + "; CI=true requires it");
        }
        abort(msg + ": skipped");
        return null;
    }

    /** Runs {@code promtool args...} with {@code stdin} (may be null) and returns its exit code and output. */
    public static Result run(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(require().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Path out = Files.createTempFile("promtool", ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("promtool " + args[0] + " did not finish in 60 s");
        }
        String text = Files.readString(out);
        Files.deleteIfExists(out);
        return new Result(p.exitValue(), text);
    }
}
