package io.warmpool.adapters.http.server;

import io.warmpool.adapters.http.TlsFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link KeyStore} made from a PEM certificate chain and its PKCS#8 private key, with the JDK alone. Every fault is
 * an {@link IllegalArgumentException} naming the file and what is wrong with it; the key's bytes never appear in one.
 */
public final class PemKeyStore {

    /** The alias and password of the one entry (the store lives in memory only). */
    static final String ALIAS = "warmpool";
    static final char[] PASSWORD = "warmpool".toCharArray();

    private static final Pattern PRIVATE_KEY =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final long MAX_BYTES = 1 << 20;

    private PemKeyStore() {
    }

    /** The files' certificate chain and key, checked to belong together. @throws IllegalArgumentException */
    public static KeyStore load(TlsFiles files) {
        List<X509Certificate> chain = certificates(files.certificate());
        PrivateKey key = privateKey(files.privateKey());
        matches(key, chain.get(0), files);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, PASSWORD, chain.toArray(Certificate[]::new));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot hold the key of " + files.privateKey() + ": " + e.getMessage(), e);
        }
    }

    /** The leaf certificate of a store made by {@link #load}. */
    public static X509Certificate leaf(KeyStore store) {
        try {
            return (X509Certificate) store.getCertificate(ALIAS);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code subject, serial, expiry} for a log line. */
    public static String describe(X509Certificate certificate) {
        return "subject '" + certificate.getSubjectX500Principal().getName() + "', serial "
                + certificate.getSerialNumber().toString(16) + ", valid until " + certificate.getNotAfter().toInstant();
    }

    private static List<X509Certificate> certificates(Path file) {
        byte[] bytes = read(file, "certificate");
        try {
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes)).stream()
                    .map(X509Certificate.class::cast).toList();
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("TLS certificate " + file + " holds no -----BEGIN CERTIFICATE----- block");
            }
            return chain;
        } catch (java.security.cert.CertificateException e) {
            throw new IllegalArgumentException("TLS certificate " + file + " is not a PEM certificate chain: " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path file) {
        String text = new String(read(file, "key"), StandardCharsets.US_ASCII);
        Matcher m = PRIVATE_KEY.matcher(text);
        if (!m.find()) {
            String hint = text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY")
                    || text.contains("BEGIN ENCRYPTED PRIVATE KEY")
                    ? "; convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8" : "";
            throw new IllegalArgumentException("TLS key " + file
                    + " holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----)" + hint);
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(1).replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS key " + file + " is not valid base64 PEM");
        }
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("TLS key " + file + " is not an RSA or EC private key");
    }

    /** Signs a challenge with the key and verifies it with the leaf's public key: a key of another certificate fails. */
    private static void matches(PrivateKey key, X509Certificate leaf, TlsFiles files) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        try {
            byte[] challenge = "warmpool: does this key belong to this certificate?".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(challenge);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // a key of another algorithm than the certificate's: reported below
        }
        throw new IllegalArgumentException("TLS key " + files.privateKey() + " is not the key of the first certificate in "
                + files.certificate() + " (" + describe(leaf) + ")");
    }

    private static byte[] read(Path file, String what) {
        // A bounded read: a device such as /dev/zero reports no size and never ends.
        try (var in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new IllegalArgumentException("TLS " + what + " " + file + " is larger than 1 MiB");
            }
            return bytes;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read TLS " + what + " " + file + ": " + e, e);
        }
    }
}
