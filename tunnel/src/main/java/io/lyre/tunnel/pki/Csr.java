package io.lyre.tunnel.pki;

import java.io.IOException;
import java.security.KeyPair;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** PKCS#10 requests made by an agent at join time. */
public final class Csr {

    private Csr() {
    }

    public static byte[] create(KeyPair keyPair, String commonName) {
        try {
            String cn = commonName.replaceAll("[^A-Za-z0-9._-]", "_");
            return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + cn), keyPair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate()))
                    .getEncoded();
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot create CSR", e);
        }
    }
}
