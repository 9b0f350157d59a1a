package io.lyre.tunnel.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** A private key with its certificate chain (leaf first). */
public record KeyAndCertificate(PrivateKey key, List<X509Certificate> chain) {

    public KeyAndCertificate {
        chain = List.copyOf(chain);
    }

    public X509Certificate certificate() {
        return chain.get(0);
    }
}
