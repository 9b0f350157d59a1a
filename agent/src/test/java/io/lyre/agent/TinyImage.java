package io.lyre.agent;

import com.github.dockerjava.transport.DockerHttpClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A one-file image for container tests on an engine that cannot pull: the host's static {@code tini}
 * (Docker's own {@code docker-init}) as {@code /tini}, in a tar that {@code docker import} takes.
 */
final class TinyImage {

    private TinyImage() {
    }

    /** The static binary to put in the image, or null when this host has none. */
    static Path staticBinary() {
        for (String p : new String[] {"/usr/bin/tini-static", "/usr/bin/docker-init", "/usr/libexec/docker/docker-init"}) {
            Path path = Path.of(p);
            if (Files.isRegularFile(path)) {
                return path;
            }
        }
        return null;
    }

    /**
     * {@code docker import} of that file as {@code lyre-test/tini:latest}, as a raw Docker API call with a
     * streamed body. (docker-java 3.7.1's createImageCmd(repo, InputStream) sends the stream JSON-encoded,
     * as "{}", so it cannot be used for this.)
     */
    static void importThrough(DockerHttpClient docker, Path file) throws IOException {
        var req = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.POST)
                .path("/images/create?fromSrc=-&repo=lyre-test%2Ftini&tag=latest")
                .putHeader("Content-Type", "application/x-tar")
                .body(new ByteArrayInputStream(tarOf(file, "tini"))).build();
        try (DockerHttpClient.Response r = docker.execute(req)) {
            String answer = new String(r.getBody().readAllBytes(), StandardCharsets.UTF_8);
            if (r.getStatusCode() != 200 || answer.contains("\"error")) {
                throw new IOException("docker import failed: " + r.getStatusCode() + " " + answer);
            }
        }
    }

    /** A ustar archive holding {@code file} as {@code name}, mode 0755. */
    static byte[] tarOf(Path file, String name) throws IOException {
        byte[] data = Files.readAllBytes(file);
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 2048);
        byte[] h = new byte[512];
        put(h, 0, name, 100);
        put(h, 100, "0000755", 8);
        put(h, 108, "0000000", 8);
        put(h, 116, "0000000", 8);
        put(h, 124, String.format("%011o", data.length), 12);
        put(h, 136, String.format("%011o", System.currentTimeMillis() / 1000), 12);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        h[156] = '0';
        put(h, 257, "ustar", 6);
        put(h, 263, "00", 2);
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum), 7);
        h[155] = ' ';
        out.write(h);
        out.write(data);
        out.write(new byte[(512 - data.length % 512) % 512]);
        out.write(new byte[1024]);
        return out.toByteArray();
    }

    private static void put(byte[] h, int off, String s, int len) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, Math.min(b.length, len));
    }
}
