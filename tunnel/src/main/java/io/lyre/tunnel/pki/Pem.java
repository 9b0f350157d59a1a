package io.lyre.tunnel.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/** PEM and DER conversions for keys and certificates. */
public final class Pem {

    private Pem() {
    }

    public static String encode(Object keyOrCert) {
        if (keyOrCert instanceof PrivateKey key) {
            // PKCS#8 as the JDK encodes it: reads back with any KeyFactory (SEC1 "EC PRIVATE KEY" does not).
            return "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
        }
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(keyOrCert);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    public static X509Certificate certificate(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an X.509 certificate: " + e.getMessage(), e);
        }
    }

    public static X509Certificate readCertificate(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not an X.509 certificate: " + e.getMessage(), e);
        }
    }

    public static PrivateKey readPrivateKey(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            Object o = parser.readObject();
            PrivateKeyInfo info = o instanceof PEMKeyPair kp ? kp.getPrivateKeyInfo()
                    : o instanceof PrivateKeyInfo i ? i : null;
            if (info == null) {
                throw new IOException(file + ": no private key in it");
            }
            String alg = info.getPrivateKeyAlgorithm().getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey) ? "EC" : "RSA";
            return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": unreadable private key: " + e.getMessage(), e);
        }
    }
}
