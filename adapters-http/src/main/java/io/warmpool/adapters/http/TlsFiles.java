package io.warmpool.adapters.http;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The PEM files the API serves TLS with ({@code --tls-cert}, {@code --tls-key}); read at start and read again when
 * either changes (or on {@code SIGHUP}), so that a renewed certificate is served without a restart.
 *
 * @param certificate the certificate chain, leaf first ({@code -----BEGIN CERTIFICATE-----} blocks)
 * @param privateKey  the leaf's private key, unencrypted PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), RSA or EC
 */
public record TlsFiles(Path certificate, Path privateKey) {

    public TlsFiles {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
    }
}
