package io.lyre.tunnel.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {

    @TempDir
    Path tmp;

    @Test
    void theCaIsMadeOnceKeptPrivateAndLoadedBack() throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(tmp);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("ca.key")))).isEqualTo("rw-------");
        assertThat(CertificateAuthority.loadOrCreate(tmp).fingerprint()).isEqualTo(ca.fingerprint());
    }

    @Test
    void agentCertificatesComeFromValidCsrsOnlyAndAreForClientAuth() throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(tmp);
        KeyPair kp = CertificateAuthority.newKeyPair();
        X509Certificate cert = ca.signAgentCsr(Csr.create(kp, "box"), "agent-x");
        assertThat(cert.getPublicKey()).isEqualTo(kp.getPublic());
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(ca.issued(cert)).isTrue();
        assertThatThrownBy(() -> ca.signAgentCsr(new byte[] {1, 2, 3}, "agent-y")).isInstanceOf(IllegalArgumentException.class);
        CertificateAuthority other = CertificateAuthority.loadOrCreate(tmp.resolve("other"));
        assertThat(other.issued(cert)).isFalse();
    }

    @Test
    void thePinnedTrustManagerAcceptsOnlyTheFingerprintedCa() throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(tmp);
        KeyAndCertificate server = ca.issueServerCertificate(List.of("proxy.lan", "10.1.2.3"));
        X509Certificate[] chain = server.chain().toArray(X509Certificate[]::new);
        ((X509TrustManager) TlsMaterial.pinned(ca.fingerprint())).checkServerTrusted(chain, "ECDHE_ECDSA");
        ((X509TrustManager) TlsMaterial.trustCa(ca.certificate())).checkServerTrusted(chain, "ECDHE_ECDSA");
        assertThatThrownBy(() -> ((X509TrustManager) TlsMaterial.pinned("00".repeat(32))).checkServerTrusted(chain, "ECDHE_ECDSA"))
                .isInstanceOf(CertificateException.class).hasMessageContaining("fingerprint");
        // An agent's certificate (client auth only) is not accepted as a server, though our CA signed it.
        X509Certificate agent = ca.signAgentCsr(Csr.create(CertificateAuthority.newKeyPair(), "a"), "agent-z");
        assertThatThrownBy(() -> ((X509TrustManager) TlsMaterial.trustCa(ca.certificate()))
                .checkServerTrusted(new X509Certificate[] {agent, ca.certificate()}, "ECDHE_ECDSA"))
                .isInstanceOf(CertificateException.class);
    }
}
