package io.warmpool.adapters.http.server;

import io.warmpool.adapters.http.TlsFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS context made from the PEM files, and its reload: the files are read every {@link #POLL} and when
 * their bytes changed (a renewed certificate) the context is reloaded; {@link #reload()} does it at once (bootstrap
 * calls it on {@code SIGHUP}). Files that do not load (half written, a key of another certificate) leave the current
 * certificate in place with a WARN, and are tried again once they change again: never a crash, never a server
 * without a certificate. Only TLS 1.2 and 1.3 are offered.
 */
final class TlsCertificates {

    private static final Logger LOG = LoggerFactory.getLogger(TlsCertificates.class);
    /** How often the files are compared with the ones loaded. */
    static final Duration POLL = Duration.ofSeconds(1);

    private final TlsFiles files;
    private final SslContextFactory.Server factory = new SslContextFactory.Server();
    private ScheduledExecutorService poller;
    /** A digest of the files last tried (loaded or refused), so that a refused pair is warned about once. */
    private byte[] lastTried;

    /** Loads the files now. @throws IllegalArgumentException naming the file when they do not load */
    TlsCertificates(TlsFiles files) {
        this.files = files;
        lastTried = digest();
        KeyStore store = PemKeyStore.load(files);
        configure(factory, store);
        factory.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        factory.setExcludeProtocols("SSLv3", "TLSv1", "TLSv1.1");
        LOG.info("TLS certificate loaded from {}: {}", files.certificate(), PemKeyStore.describe(PemKeyStore.leaf(store)));
    }

    SslContextFactory.Server factory() {
        return factory;
    }

    /** Starts watching the files. */
    synchronized void start() {
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warmpool-tls-reload");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::reloadIfChanged, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    synchronized void stop() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
    }

    /** Reads the files and, when they load, serves them from the next handshake on; else WARN and keep the current. */
    synchronized boolean reload() {
        lastTried = digest();
        KeyStore store;
        try {
            store = PemKeyStore.load(files);
        } catch (IllegalArgumentException e) {
            LOG.warn("TLS certificate not reloaded, the current one stays: {}", e.getMessage());
            return false;
        }
        try {
            factory.reload(f -> configure((SslContextFactory.Server) f, store));
        } catch (Exception e) {
            LOG.warn("TLS certificate not reloaded, the current one stays: {}", Failures.rootMessage(e));
            return false;
        }
        LOG.info("TLS certificate reloaded from {}: {}", files.certificate(), PemKeyStore.describe(PemKeyStore.leaf(store)));
        return true;
    }

    private synchronized void reloadIfChanged() {
        try {
            if (!Arrays.equals(digest(), lastTried)) {
                reload();
            }
        } catch (RuntimeException e) {
            LOG.warn("TLS certificate check failed: {}", e.getMessage());
        }
    }

    private static void configure(SslContextFactory.Server factory, KeyStore store) {
        factory.setKeyStore(store);
        factory.setKeyStorePassword(new String(PemKeyStore.PASSWORD));
        factory.setKeyManagerPassword(new String(PemKeyStore.PASSWORD));
        factory.setCertAlias(PemKeyStore.ALIAS);
    }

    /** SHA-256 over both files' bytes (an unreadable file counts as empty: it differs, and its load then warns). */
    private byte[] digest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (var file : java.util.List.of(files.certificate(), files.privateKey())) {
                try (var in = Files.newInputStream(file)) {
                    sha.update(in.readNBytes((1 << 20) + 1)); // bounded as the load is: a larger file differs anyway
                } catch (IOException e) {
                    sha.update(new byte[] {0});
                }
                sha.update(new byte[] {1});
            }
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
