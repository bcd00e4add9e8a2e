package io.warmpool.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HttpAddressTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "127.0.0.1:8080, 127.0.0.1, 8080, 127.0.0.1:8080",
            "localhost:0, localhost, 0, localhost:0",
            "[::1]:9090, ::1, 9090, [::1]:9090",
            "' 0.0.0.0:65535 ', 0.0.0.0, 65535, 0.0.0.0:65535"})
    void hostAndPort_areReadAndWrittenBack(String text, String host, int port, String written) {
        HttpAddress address = HttpAddress.parse(text);

        assertThat(address).isEqualTo(new HttpAddress(host, port));
        assertThat(address.toString()).isEqualTo(written);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {"", "8080", ":8080", "host:", "host:http", "host:65536", "host:-1", "::1:80", "[::1]80", "[::1"})
    void anythingElse_isRejectedWithTheAcceptedForm(String text) {
        assertThatThrownBy(() -> HttpAddress.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http address");
    }
}
