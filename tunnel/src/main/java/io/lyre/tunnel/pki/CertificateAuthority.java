package io.lyre.tunnel.pki;

import io.lyre.tunnel.AtomicFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * The proxy's private CA: made on first start and kept in its data dir ({@code ca.key} 0600, {@code ca.crt}).
 * It issues the tunnel listener's server certificate and every agent's client certificate. EC P-256 throughout.
 */
public final class CertificateAuthority {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SIG = "SHA256withECDSA";

    private final PrivateKey key;
    private final X509Certificate certificate;
    /** Certificates whose signature already verified: the check runs per gRPC call, an ECDSA verify is ~0.1-1 ms. */
    private final java.util.Set<X509Certificate> verified = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private CertificateAuthority(PrivateKey key, X509Certificate certificate) {
        this.key = key;
        this.certificate = certificate;
    }

    /** Loads the CA from {@code dir}, creating it (and the directory) on first use. */
    public static synchronized CertificateAuthority loadOrCreate(Path dir) throws IOException {
        Path keyFile = dir.resolve("ca.key");
        Path certFile = dir.resolve("ca.crt");
        if (Files.exists(keyFile) && Files.exists(certFile)) {
            return new CertificateAuthority(Pem.readPrivateKey(keyFile), Pem.readCertificate(certFile));
        }
        KeyPair kp = newKeyPair();
        X500Name name = new X500Name("CN=Lyre tunnel CA " + Long.toHexString(RANDOM.nextLong() >>> 16));
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, newSerial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(3650 * 2))),
                    name, kp.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            X509Certificate cert = sign(b, kp.getPrivate());
            // Key first: a crash between the two writes leaves no certificate without its key.
            AtomicFiles.write(keyFile, Pem.encode(kp.getPrivate()).getBytes(StandardCharsets.US_ASCII), true);
            AtomicFiles.write(certFile, Pem.encode(cert).getBytes(StandardCharsets.US_ASCII), false);
            return new CertificateAuthority(kp.getPrivate(), cert);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot create the tunnel CA: " + e.getMessage(), e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** SHA-256 of the CA certificate (hex): the value join tokens pin. */
    public String fingerprint() {
        return Fingerprints.sha256(certificate);
    }

    /**
     * A fresh server certificate for the tunnel listener (kept in memory; re-issued at each start).
     * Agents check it against the CA, not against a host name, so the names are informational.
     */
    public KeyAndCertificate issueServerCertificate(List<String> hostNames) {
        KeyPair kp = newKeyPair();
        List<GeneralName> names = new ArrayList<>();
        names.add(new GeneralName(GeneralName.dNSName, "localhost"));
        names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        for (String h : hostNames) {
            boolean ip = isIp(h);
            names.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, h));
        }
        try {
            X509v3CertificateBuilder b = builder(new X500Name("CN=lyre-tunnel"), kp.getPublic(), Duration.ofDays(825))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(names.toArray(GeneralName[]::new)))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            return new KeyAndCertificate(kp.getPrivate(), List.of(sign(b, key), certificate));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot issue the tunnel server certificate", e);
        }
    }

    /**
     * Signs an agent's PKCS#10 request. The CSR's own signature must verify (proof that the agent holds
     * the key); its subject is ignored and replaced by the agent id. The certificate is for client auth
     * only, so an agent can never pose as the proxy.
     */
    public X509Certificate signAgentCsr(byte[] csrDer, String agentId) {
        PublicKey publicKey;
        try {
            JcaPKCS10CertificationRequest csr = new JcaPKCS10CertificationRequest(csrDer);
            publicKey = csr.getPublicKey();
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey))) {
                throw new IllegalArgumentException("CSR signature does not verify");
            }
        } catch (IOException | GeneralSecurityException | OperatorCreationException | PKCSException
                 | RuntimeException e) {
            throw new IllegalArgumentException("bad CSR: " + e.getMessage(), e);
        }
        try {
            X509v3CertificateBuilder b = builder(new X500Name("CN=" + agentId + ",OU=lyre-agent"), publicKey,
                    Duration.ofDays(3650))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            return sign(b, key);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot sign agent certificate", e);
        }
    }

    /** True when {@code cert} was signed by this CA and is within its validity period. */
    public boolean issued(X509Certificate cert) {
        try {
            if (!verified.contains(cert)) { // equality is on the encoded certificate
                cert.verify(certificate.getPublicKey());
                if (verified.size() >= 4096) {
                    verified.clear(); // bounded: only this CA's agents' certificates get here
                }
                verified.add(cert);
            }
            cert.checkValidity();
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Serial numbers are how the registry knows a certificate: lowercase hex. */
    public static String serialOf(X509Certificate cert) {
        return cert.getSerialNumber().toString(16);
    }

    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private X509v3CertificateBuilder builder(X500Name subject, PublicKey pub, Duration validity)
            throws GeneralSecurityException, IOException {
        Instant now = Instant.now();
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        return new JcaX509v3CertificateBuilder(certificate, newSerial(),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, pub)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate))
                .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pub));
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(SIG).build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static BigInteger newSerial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    static boolean isIp(String s) {
        return s.matches("\\d{1,3}(\\.\\d{1,3}){3}") || s.contains(":");
    }
}
