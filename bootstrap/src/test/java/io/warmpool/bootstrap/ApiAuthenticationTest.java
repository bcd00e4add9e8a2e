package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.adapters.http.RestApi;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Security (SPEC §7): every {@code /api} route — enumerated from Javalin's router, so a route added later is
 * covered without touching this test — answers 401 with a JSON error without a token and with a wrong one, on the
 * real service ({@link RealApi}), and changes nothing in the store. Unknown {@code /api} paths answer 401 too.
 */
class ApiAuthenticationTest {

    /** Authorization headers that must not get in (null: no header at all). */
    static final List<String> WRONG = java.util.Arrays.asList(
            null,
            "",
            "Bearer",
            "Bearer ",
            "Bearer wrong-token",
            "Bearer " + RealApi.TOKEN + "x",
            "Bearer " + RealApi.TOKEN.substring(1),
            "Bearer " + RealApi.TOKEN.toUpperCase(java.util.Locale.ROOT),
            "Basic " + RealApi.TOKEN,
            RealApi.TOKEN,
            "Bearer '; drop table presets; --",
            "Bearer $(touch /tmp/warmpool-pwned)");

    static List<RestApi.Route> apiRoutes() {
        // Every route but the build callback, which is signed instead of bearing the token (BuildCallbackEndToEndTest).
        List<RestApi.Route> routes = RealApi.shared().routes().stream().filter(r -> r.path().startsWith("/api/"))
                .filter(r -> !r.path().equals(io.warmpool.adapters.http.builds.BuildCallbackRoutes.PATH)).toList();
        assertThat(routes).as("routes read from Javalin").hasSizeGreaterThanOrEqualTo(15);
        return routes;
    }

    static Stream<Arguments> routesAndWrongHeaders() {
        List<Arguments> all = new ArrayList<>();
        for (RestApi.Route route : apiRoutes()) {
            for (String header : WRONG) {
                all.add(Arguments.of(route.method(), route.path(), header));
            }
        }
        return all.stream();
    }

    /** A concrete path for a route pattern: the setup's preset and one of its prebuilds. */
    static String concrete(String pattern) {
        return pattern.replace("{template}", "python-dev").replace("{preset}", "small")
                .replace("{id}", RealApi.shared().prebuilds().get(0));
    }

    @ParameterizedTest(name = "{0} {1} with Authorization [{2}]")
    @MethodSource("routesAndWrongHeaders")
    void everyApiRoute_withoutOrWithAWrongToken_is401AndChangesNothing(String method, String pattern, String header) {
        RealApi api = RealApi.shared();
        String before = api.dump();
        byte[] body = "{\"owner\":\"alice\"}".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = header == null
                ? api.send(method, concrete(pattern), body, "Content-Type", "application/json")
                : api.send(method, concrete(pattern), body, "Content-Type", "application/json", "Authorization", header);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        ApiFuzzTest.assertJsonError(method + " " + pattern, response);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
        assertThat(response.body()).doesNotContain(RealApi.TOKEN);
        assertThat(api.dump()).isEqualTo(before);
    }

    @Test
    void withTheRightToken_noRouteAnswers401_soTheChecksAboveAreAboutTheToken() {
        RealApi api = RealApi.shared();
        for (RestApi.Route route : apiRoutes()) {
            if (route.method().equals("GET")) {
                HttpResponse<String> response = api.send("GET", concrete(route.path()), null,
                        "Authorization", "Bearer " + RealApi.TOKEN);
                assertThat(response.statusCode()).as(route + ": " + response.body()).isNotEqualTo(401);
            }
        }
    }

    @Test
    void unknownApiPaths_are401WithoutAToken_soRoutesCannotBeDiscovered() {
        RealApi api = RealApi.shared();
        for (String path : List.of("/api/", "/api/v1", "/api/v1/nope", "/api/v2/status", "/api/v1/presets/a/b/c/d",
                "/api/v1/workspaces/x/y/z", "/api/admin")) {
            for (String method : List.of("GET", "POST", "DELETE", "PUT")) {
                HttpResponse<String> response = api.send(method, path, null);
                assertThat(response.statusCode()).as(method + " " + path).isEqualTo(401);
                ApiFuzzTest.assertJsonError(method + " " + path, response);
            }
        }
    }
}
