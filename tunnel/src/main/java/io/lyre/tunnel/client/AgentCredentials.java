package io.lyre.tunnel.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lyre.tunnel.AtomicFiles;
import io.lyre.tunnel.pki.KeyAndCertificate;
import io.lyre.tunnel.pki.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * What an agent keeps in its data dir after joining: {@code agent.key} (0600), {@code agent.crt},
 * {@code ca.crt} and {@code identity.json}. All written atomically.
 */
public record AgentCredentials(AgentIdentity identity, PrivateKey key, X509Certificate certificate, X509Certificate ca) {

    /** The agent's identity as the proxy assigned it at join. */
    public record AgentIdentity(String agentId, String name, Map<String, String> labels, int slot, String proxyAddress,
                                String caFingerprint) {
        public AgentIdentity {
            labels = Map.copyOf(labels == null ? Map.of() : labels);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public static boolean exist(Path dataDir) {
        return Files.exists(dataDir.resolve("identity.json"));
    }

    public static AgentCredentials load(Path dataDir) throws IOException {
        Path id = dataDir.resolve("identity.json");
        if (!Files.exists(id)) {
            throw new IOException("no agent identity in " + dataDir + ": run 'agent join <proxy> <token>' first");
        }
        return new AgentCredentials(JSON.readValue(id.toFile(), AgentIdentity.class),
                Pem.readPrivateKey(dataDir.resolve("agent.key")),
                Pem.readCertificate(dataDir.resolve("agent.crt")),
                Pem.readCertificate(dataDir.resolve("ca.crt")));
    }

    public void save(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        // Identity last: its presence means the rest is complete.
        AtomicFiles.write(dataDir.resolve("agent.key"), Pem.encode(key).getBytes(StandardCharsets.US_ASCII), true);
        AtomicFiles.write(dataDir.resolve("agent.crt"), Pem.encode(certificate).getBytes(StandardCharsets.US_ASCII), false);
        AtomicFiles.write(dataDir.resolve("ca.crt"), Pem.encode(ca).getBytes(StandardCharsets.US_ASCII), false);
        AtomicFiles.write(dataDir.resolve("identity.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(identity),
                false);
    }

    public KeyAndCertificate keyAndCertificate() {
        return new KeyAndCertificate(key, List.of(certificate));
    }
}
