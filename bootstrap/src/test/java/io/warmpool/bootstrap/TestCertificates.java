package io.warmpool.bootstrap;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test CA and the server certificates it signs, made in-process with BouncyCastle (a keytool process per step
 * took seconds): each server certificate is for {@code 127.0.0.1} and {@code localhost}, valid a day, written as
 * the PEM files an operator gives to {@code --tls-cert} (leaf then CA) and {@code --tls-key} (PKCS#8).
 */
final class TestCertificates {

    private static final AtomicLong SERIALS = new AtomicLong(1000);

    /** A certificate and key as PEM text, and the leaf for comparisons. */
    record Issued(String certificatePem, String keyPem, X509Certificate leaf) {
        /** Writes both files, the key first. */
        void writeTo(Path certificate, Path key) throws IOException {
            Files.writeString(key, keyPem);
            Files.writeString(certificate, certificatePem);
        }
    }

    private final KeyPair caKeys;
    private final X509Certificate caCertificate;
    private final Path caPem;

    private TestCertificates(KeyPair caKeys, X509Certificate caCertificate, Path caPem) {
        this.caKeys = caKeys;
        this.caCertificate = caCertificate;
        this.caPem = caPem;
    }

    /** A new CA (EC P-256), its certificate written to {@code dir/ca.pem}. */
    static TestCertificates newCa(Path dir) throws GeneralSecurityException, IOException {
        KeyPair keys = keys("EC");
        X500Name name = new X500Name("CN=warmpool test CA");
        X509v3CertificateBuilder builder = builder(name, name, keys)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate certificate = sign(builder, keys);
        return new TestCertificates(keys, certificate, Files.writeString(dir.resolve("ca.pem"), pem(certificate)));
    }

    /** The CA certificate's PEM file (what {@code --ca-cert} is given). */
    Path caPem() {
        return caPem;
    }

    /** A TLS context trusting this CA only (new each time: no TLS session is resumed from an earlier handshake). */
    SSLContext trustingContext() throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /** A server certificate with subject {@code CN=<name>} and a key of {@code keyAlgorithm} (EC or RSA), signed by the CA. */
    Issued issue(String name, String keyAlgorithm) throws GeneralSecurityException, IOException {
        KeyPair keys = keys(keyAlgorithm);
        X509v3CertificateBuilder builder = builder(new X500Name(caCertificate.getSubjectX500Principal().getName()),
                new X500Name("CN=" + name), keys)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, "localhost")}));
        X509Certificate leaf = sign(builder, caKeys);
        String key = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        return new Issued(pem(leaf) + pem(caCertificate), key, leaf);
    }

    private static KeyPair keys(String algorithm) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else {
            generator.initialize(2048);
        }
        return generator.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair subjectKeys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))), subject,
                subjectKeys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException {
        try {
            String algorithm = signer.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(algorithm).build(signer.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static String pem(X509Certificate certificate) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(certificate);
        }
        return text.toString();
    }
}
