package io.lyre.tunnel.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.lyre.tunnel.pki.CertificateAuthority;
import io.lyre.tunnel.pki.Csr;
import io.lyre.tunnel.pki.Fingerprints;
import io.lyre.tunnel.pki.Pem;
import io.lyre.tunnel.pki.TlsMaterial;
import io.lyre.tunnel.proto.JoinRequest;
import io.lyre.tunnel.proto.JoinResponse;
import io.lyre.tunnel.proto.TunnelGrpc;
import io.lyre.tunnel.server.JoinToken;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code agent join}: dials the proxy trusting only a server whose chain holds the CA pinned in the token,
 * sends the token and a CSR for a fresh key, and stores what comes back. The private key never leaves
 * the agent.
 */
public final class JoinClient {

    private JoinClient() {
    }

    /**
     * Joins and saves the credentials in {@code dataDir}.
     *
     * @throws JoinException with a message for humans when the proxy refuses or cannot be reached
     */
    public static AgentCredentials join(String proxyAddress, String tokenText, String name, Map<String, String> labels,
                                        int requestedSlot, Path dataDir) throws IOException {
        JoinToken token;
        try {
            token = JoinToken.parse(tokenText);
        } catch (IllegalArgumentException e) {
            throw new JoinException(e.getMessage());
        }
        ProxyAddress address = ProxyAddress.parse(proxyAddress);
        KeyPair keys = CertificateAuthority.newKeyPair();
        ChannelCredentials creds = TlsChannelCredentials.newBuilder()
                .trustManager(TlsMaterial.pinned(token.caFingerprint()))
                .build();
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(address.host(), address.port(), creds).build();
        try {
            JoinResponse resp = TunnelGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .join(JoinRequest.newBuilder().setToken(tokenText.trim())
                            .setCsrDer(com.google.protobuf.ByteString.copyFrom(Csr.create(keys, name)))
                            .setName(name).putAllLabels(labels).setRequestedSlot(requestedSlot).build());
            X509Certificate cert = Pem.certificate(resp.getClientCertDer().toByteArray());
            X509Certificate ca = Pem.certificate(resp.getCaCertDer().toByteArray());
            if (!Fingerprints.sha256(ca).equalsIgnoreCase(token.caFingerprint())) {
                throw new JoinException("proxy returned a CA that does not match the token's fingerprint");
            }
            if (!cert.getPublicKey().equals(keys.getPublic())) {
                throw new JoinException("proxy returned a certificate for another key");
            }
            AgentCredentials creds2 = new AgentCredentials(new AgentCredentials.AgentIdentity(resp.getAgentId(), name, labels,
                    resp.getSlot(), address.toString(), token.caFingerprint()), keys.getPrivate(), cert, ca);
            creds2.save(dataDir);
            return creds2;
        } catch (StatusRuntimeException e) {
            String why = e.getStatus().getDescription() != null ? e.getStatus().getDescription() : e.getStatus().getCode().toString();
            Throwable c = e.getCause();
            while (c != null && c.getCause() != null) {
                c = c.getCause();
            }
            throw new JoinException("join with " + address + " failed: " + why + (c != null ? " (" + c.getMessage() + ")" : ""));
        } finally {
            channel.shutdownNow();
        }
    }

    /** A join that did not happen, with the reason. */
    public static final class JoinException extends IOException {
        public JoinException(String message) {
            super(message);
        }
    }
}
