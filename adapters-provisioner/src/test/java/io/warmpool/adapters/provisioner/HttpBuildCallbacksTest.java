package io.warmpool.adapters.provisioner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.application.port.out.BuildCallbackPort;
import io.warmpool.application.port.out.ProvisionResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Opening build callbacks: signed like warmpool's own requests, fresh, for this build, and well formed. */
class HttpBuildCallbacksTest {

    private static final HmacSecret SECRET = HmacSecret.ofUtf8("s3cret-key-for-tests-0123456789abcdef");
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private final HttpBuildCallbacks callbacks = new HttpBuildCallbacks(SECRET);

    private static String ts(Instant at) {
        return Long.toString(at.getEpochSecond());
    }

    private BuildCallbackPort.Verdict open(String requestId, String body, Instant signedAt, HmacSecret key) {
        byte[] bytes = body.getBytes(UTF_8);
        return callbacks.open(requestId, bytes, ts(signedAt), HttpSignature.sign(key, ts(signedAt), bytes), NOW);
    }

    @Test
    void givenASignedSuccess_itIsVerifiedWithItsOutputsAndLog() {
        var verdict = open("build-42", "{\"request_id\": \"build-42\", \"status\": \"succeeded\", "
                + "\"outputs\": {\"url\": \"https://vm-1\", \"port\": 22}, \"log\": \"booted\"}", NOW.minusSeconds(30), SECRET);

        assertThat(verdict).isEqualTo(new BuildCallbackPort.Verified(
                new ProvisionResult.Succeeded(Map.of("url", "https://vm-1", "port", "22"), "booted")));
    }

    @Test
    void givenASignedPermanentFailure_itIsVerifiedAsPermanent() {
        var verdict = open("build-42", "{\"request_id\": \"build-42\", \"status\": \"failed\", "
                + "\"error\": \"image not found\", \"permanent\": true}", NOW, SECRET);

        assertThat(verdict).isEqualTo(new BuildCallbackPort.Verified(
                new ProvisionResult.Failed("image not found", true, "")));
    }

    @Test
    void givenAnotherKey_aMissingHeaderOrATamperedBody_itIsRejectedAsForged() {
        String body = "{\"request_id\": \"build-42\", \"status\": \"succeeded\"}";
        HmacSecret other = HmacSecret.ofUtf8("another-secret-of-enough-length!!");
        byte[] bytes = body.getBytes(UTF_8);
        String signature = HttpSignature.sign(SECRET, ts(NOW), bytes);

        assertThat(open("build-42", body, NOW, other)).isEqualTo(new BuildCallbackPort.Rejected("bad signature"));
        assertThat(callbacks.open("build-42", bytes, null, signature, NOW)).isInstanceOf(BuildCallbackPort.Rejected.class);
        assertThat(callbacks.open("build-42", bytes, ts(NOW), null, NOW)).isInstanceOf(BuildCallbackPort.Rejected.class);
        assertThat(callbacks.open("build-42", body.replace("succeeded", "failed").getBytes(UTF_8), ts(NOW), signature, NOW))
                .isEqualTo(new BuildCallbackPort.Rejected("bad signature"));
        assertThat(callbacks.open("build-42", bytes, ts(NOW.plusSeconds(1)), signature, NOW))
                .as("the timestamp is signed too").isEqualTo(new BuildCallbackPort.Rejected("bad signature"));
    }

    @Test
    void givenATimestampOutsideTheWindow_itIsRejectedAsStale_eitherWay() {
        String body = "{\"request_id\": \"build-42\", \"status\": \"succeeded\"}";

        assertThat(open("build-42", body, NOW.minus(Duration.ofMinutes(5)), SECRET))
                .isInstanceOf(BuildCallbackPort.Verified.class);
        assertThat(open("build-42", body, NOW.minus(Duration.ofMinutes(5)).minusSeconds(1), SECRET))
                .isInstanceOfSatisfying(BuildCallbackPort.Rejected.class, r -> assertThat(r.reason()).startsWith("stale"));
        assertThat(open("build-42", body, NOW.plus(Duration.ofMinutes(5)).plusSeconds(1), SECRET))
                .isInstanceOfSatisfying(BuildCallbackPort.Rejected.class, r -> assertThat(r.reason()).startsWith("stale"));
    }

    @Test
    void givenACallbackSignedForAnotherBuild_itIsRejected() {
        var verdict = open("build-43", "{\"request_id\": \"build-42\", \"status\": \"succeeded\"}", NOW, SECRET);

        assertThat(verdict).isInstanceOfSatisfying(BuildCallbackPort.Rejected.class,
                r -> assertThat(r.reason()).contains("another build"));
    }

    @Test
    void givenASignedBodyThatIsNotACallback_itIsMalformedNamingWhatIsWrong() {
        assertThat(open("build-42", "{\"request_id\": \"build-42\", \"status\": \"done\"}", NOW, SECRET))
                .isInstanceOfSatisfying(BuildCallbackPort.Malformed.class, m -> assertThat(m.reason()).contains("status"));
        assertThat(open("build-42", "{\"status\": \"succeeded\"}", NOW, SECRET))
                .isInstanceOfSatisfying(BuildCallbackPort.Malformed.class, m -> assertThat(m.reason()).contains("request_id"));
        assertThat(open("build-42", "{\"request_id\": \"build-42\", \"status\": \"failed\", \"permanent\": \"yes\"}",
                NOW, SECRET)).isInstanceOfSatisfying(BuildCallbackPort.Malformed.class,
                m -> assertThat(m.reason()).contains("permanent"));
        assertThat(open("build-42", "[1]", NOW, SECRET)).isInstanceOf(BuildCallbackPort.Malformed.class);
    }
}
