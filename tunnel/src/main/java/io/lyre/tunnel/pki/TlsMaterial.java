package io.lyre.tunnel.pki;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/** Key managers and the three trust decisions the tunnel makes. */
public final class TlsMaterial {

    private TlsMaterial() {
    }

    public static KeyManager[] keyManagers(KeyAndCertificate kc) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = "lyre".toCharArray();
            ks.setKeyEntry("key", kc.key(), pw, kc.chain().toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            return kmf.getKeyManagers();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build key manager", e);
        }
    }

    /**
     * Server side: takes any client certificate (or none) at the TLS layer. The certificate is then
     * checked per call against our CA and the agent registry, where the peer's address is known, so
     * every refusal counts toward brute-force protection. The TLS handshake still proves the client
     * holds the certificate's key.
     */
    public static TrustManager acceptAnyClient(X509Certificate ca) {
        return new Base() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("server trust not used on the proxy side");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                // Empty: "any issuer", so a client presents whatever certificate it has and a foreign one
                // is refused (and counted) by the interceptor instead of silently not being sent.
                return new X509Certificate[0];
            }
        };
    }

    /**
     * Agent side after joining: the proxy's chain must validate against our CA (PKIX, including the
     * serverAuth key usage, which agent certificates lack). No host-name check: the CA is private to one
     * proxy, so the pin is the trust, whatever address the agent dials.
     */
    public static TrustManager trustCa(X509Certificate ca) {
        X509TrustManager pkix;
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(ks);
            pkix = (X509TrustManager) Arrays.stream(tmf.getTrustManagers())
                    .filter(t -> t instanceof X509TrustManager).findFirst().orElseThrow();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build trust manager", e);
        }
        return new Base() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("client trust not used on the agent side");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                pkix.checkServerTrusted(chain, authType);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[] {ca};
            }
        };
    }

    /**
     * Agent side while joining, before it has the CA: the server is accepted only when its chain holds a
     * certificate whose SHA-256 is the one in the join token, and the leaf is signed by that certificate.
     */
    public static TrustManager pinned(String sha256Hex) {
        return new Base() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("client trust not used on the agent side");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                if (chain == null || chain.length == 0) {
                    throw new CertificateException("proxy sent no certificate");
                }
                for (X509Certificate c : chain) {
                    if (Fingerprints.sha256(c).equalsIgnoreCase(sha256Hex)) {
                        try {
                            c.checkValidity();
                            chain[0].checkValidity();
                            chain[0].verify(c.getPublicKey());
                            return;
                        } catch (GeneralSecurityException e) {
                            throw new CertificateException("proxy certificate does not chain to the pinned CA: "
                                    + e.getMessage(), e);
                        }
                    }
                }
                throw new CertificateException("proxy's CA does not match the fingerprint in the join token"
                        + " (sha256:" + sha256Hex + ")");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
    }

    /** Routes the engine/socket variants to the plain ones, so the JDK adds no host-name check of its own. */
    private abstract static class Base extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkServerTrusted(chain, authType);
        }
    }
}
