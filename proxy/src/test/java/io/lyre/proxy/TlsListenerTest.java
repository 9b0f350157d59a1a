package io.lyre.proxy;

import io.lyre.tunnel.pki.CertificateAuthority;
import io.lyre.tunnel.pki.KeyAndCertificate;
import io.lyre.tunnel.pki.Pem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The HTTPS listener (8781 in production) opens when a certificate is given and serves the same front door. */
class TlsListenerTest {
    @TempDir
    static Path tmp;
    static FrontDoorHarness h;
    static SSLContext trustingOurCa;

    @BeforeAll
    static void start() throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(tmp.resolve("ca"));
        KeyAndCertificate server = ca.issueServerCertificate(List.of("localhost", "127.0.0.1"));
        Path cert = tmp.resolve("cert.pem");
        Path key = tmp.resolve("key.pem");
        StringBuilder chain = new StringBuilder();
        server.chain().forEach(c -> chain.append(Pem.encode(c)));
        Files.writeString(cert, chain);
        Files.writeString(key, Pem.encode(server.key()));
        h = new FrontDoorHarness(Map.of("LYRE_TLS_CERT", cert.toString(), "LYRE_TLS_KEY", key.toString(),
                "HP_EXAPPS_HTTPS_ADDRESS", "127.0.0.1:0"), "127.0.0.1");

        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("lyre-test-ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        trustingOurCa = SSLContext.getInstance("TLS");
        trustingOurCa.init(null, tmf.getTrustManagers(), null);
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    private static HttpsURLConnection get(String path, SSLContext ctx) throws Exception {
        HttpsURLConnection c = (HttpsURLConnection) new URL("https://localhost:" + h.server.httpsPort() + path).openConnection();
        c.setSSLSocketFactory(ctx.getSocketFactory());
        c.setConnectTimeout(5_000);
        c.setReadTimeout(10_000);
        return c;
    }

    @Test
    void servesTheControlApiOverTlsWithTheGivenCertificate() throws Exception {
        assertThat(h.server.httpsPort()).isPositive();
        HttpsURLConnection info = get("/exapps/app_api/info", trustingOurCa);
        info.setRequestProperty("harp-shared-key", FrontDoorHarness.KEY);
        assertThat(info.getResponseCode()).isEqualTo(200);
        try (InputStream in = info.getInputStream()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("\"docker\":true");
        }

        HttpsURLConnection noKey = get("/exapps/app_api/info", trustingOurCa);
        assertThat(noKey.getResponseCode()).isEqualTo(401);
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefusedAtTheHandshake() throws Exception {
        SSLContext defaults = SSLContext.getInstance("TLS");
        defaults.init(null, null, null);
        assertThatThrownBy(() -> get("/exapps/app_api/info", defaults).getResponseCode())
                .isInstanceOf(SSLHandshakeException.class);
    }
}
