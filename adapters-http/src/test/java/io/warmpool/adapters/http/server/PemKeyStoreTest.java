package io.warmpool.adapters.http.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.adapters.http.TlsFiles;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PEM files an operator gives to {@code --tls-cert}/{@code --tls-key}: RSA and EC keys in PKCS#8 load with their
 * certificate; a PKCS#1 key, a key of another certificate, a file without a certificate are refused naming the file
 * (and, for PKCS#1, the conversion), never echoing the key.
 */
class PemKeyStoreTest {

    private static final Instant NOT_BEFORE = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void givenAnRsaOrEcKeyInPkcs8_andItsCertificate_theStoreHoldsTheLeafAndTheKey() throws Exception {
        for (String algorithm : new String[] {"RSA", "EC"}) {
            KeyPair keys = keys(algorithm);
            X509Certificate certificate = selfSigned("CN=pem-" + algorithm, keys);
            KeyStore store = PemKeyStore.load(files(pem(certificate), pkcs8(keys), algorithm));
            assertThat(PemKeyStore.leaf(store)).isEqualTo(certificate);
            assertThat(store.getKey(PemKeyStore.ALIAS, PemKeyStore.PASSWORD)).isEqualTo(keys.getPrivate());
            assertThat(PemKeyStore.describe(certificate)).contains("subject 'CN=pem-" + algorithm + "'", "serial 2a");
        }
    }

    @Test
    void givenAPkcs1Key_itIsRefusedWithTheConversion() throws Exception {
        KeyPair keys = keys("RSA");
        TlsFiles files = files(pem(selfSigned("CN=pkcs1", keys)), pem(keys), "pkcs1");
        assertThat(Files.readString(files.privateKey())).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThatThrownBy(() -> PemKeyStore.load(files)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TLS key " + files.privateKey() + " holds no unencrypted PKCS#8 key")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void givenTheKeyOfAnotherCertificate_itIsRefused_withoutTheKeyInTheMessage() throws Exception {
        KeyPair other = keys("EC");
        TlsFiles files = files(pem(selfSigned("CN=one", keys("EC"))), pkcs8(other), "mismatch");
        assertThatThrownBy(() -> PemKeyStore.load(files)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not the key of the first certificate in " + files.certificate())
                .hasMessageContaining("CN=one")
                .hasMessageNotContaining(Base64.getEncoder().encodeToString(other.getPrivate().getEncoded()).substring(0, 40));
    }

    @Test
    void givenNoCertificate_orAMissingFile_itIsRefusedNamingTheFile() throws Exception {
        KeyPair keys = keys("EC");
        TlsFiles empty = files("no certificate here\n", pkcs8(keys), "empty");
        assertThatThrownBy(() -> PemKeyStore.load(empty)).hasMessageContaining("TLS certificate " + empty.certificate());
        TlsFiles missing = new TlsFiles(dir.resolve("absent.crt"), empty.privateKey());
        assertThatThrownBy(() -> PemKeyStore.load(missing)).hasMessageContaining("cannot read TLS certificate "
                + missing.certificate());
    }

    private TlsFiles files(String certificate, String key, String name) throws Exception {
        return new TlsFiles(Files.writeString(dir.resolve(name + ".crt"), certificate),
                Files.writeString(dir.resolve(name + ".key"), key));
    }

    private static KeyPair keys(String algorithm) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else {
            generator.initialize(2048);
        }
        return generator.generateKeyPair();
    }

    private static X509Certificate selfSigned(String subject, KeyPair keys) throws Exception {
        X500Name name = new X500Name(subject);
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(42), Date.from(NOT_BEFORE),
                Date.from(NOT_BEFORE.plusSeconds(86_400)), name, keys.getPublic());
        String algorithm = keys.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(algorithm).build(keys.getPrivate())));
    }

    private static String pkcs8(KeyPair keys) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** BouncyCastle's PEM: a certificate, or a key pair as PKCS#1 ("RSA PRIVATE KEY"). */
    private static String pem(Object object) throws Exception {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString();
    }
}
