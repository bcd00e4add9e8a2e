package io.warmpool.adapters.http.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Stateless session cookies derived from the API token. */
class DashboardAuthTest {

    private static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z");
    private final DashboardAuth auth = new DashboardAuth("the-api-token");

    @Test
    void aSessionIsValidUntilItsExpiry_onAnyReplicaWithTheSameToken() {
        String cookie = auth.newSession(NOW);

        assertThat(auth.validSession(cookie, NOW)).isTrue();
        assertThat(new DashboardAuth("the-api-token").validSession(cookie, NOW.plus(Duration.ofHours(11)))).isTrue();
        assertThat(auth.validSession(cookie, NOW.plus(DashboardAuth.SESSION_TTL))).isFalse();
    }

    @Test
    void rotatingTheTokenRevokesSessions() {
        String cookie = auth.newSession(NOW);
        DashboardAuth rotated = new DashboardAuth("a-new-token");

        assertThat(rotated.validSession(cookie, NOW)).isFalse();
    }

    @Test
    void tamperedOrMalformedCookiesAreRejected() {
        String cookie = auth.newSession(NOW);
        String[] parts = cookie.split("\\.");
        long later = Long.parseLong(parts[1]) + 3600;

        assertThat(auth.validSession(parts[0] + "." + later + "." + parts[2], NOW)).isFalse();
        assertThat(auth.validSession(cookie.substring(0, cookie.length() - 2) + "AA", NOW)).isFalse();
        assertThat(auth.validSession("v1.abc.def", NOW)).isFalse();
        assertThat(auth.validSession("v2." + parts[1] + "." + parts[2], NOW)).isFalse();
        assertThat(auth.validSession("", NOW)).isFalse();
        assertThat(auth.validSession(null, NOW)).isFalse();
        assertThat(auth.validSession("x".repeat(500), NOW)).isFalse();
    }

    @Test
    void theCookieIsHttpOnlyStrictAndScopedToTheSite() {
        assertThat(auth.sessionCookieHeader(NOW)).startsWith(DashboardAuth.COOKIE + "=v1.")
                .contains("; Path=/", "; HttpOnly", "; SameSite=Strict", "; Max-Age=43200").doesNotContain("Secure");
    }

    @Test
    void underTls_theCookieIsAlsoSecure() {
        assertThat(auth.sessionCookieHeader(NOW, true)).contains("; HttpOnly", "; SameSite=Strict").endsWith("; Secure");
    }

    @Test
    void aBlankTokenIsRejected() {
        assertThatThrownBy(() -> new DashboardAuth(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
