package io.warmpool.adapters.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reply format shared by command stdout and HTTP response bodies (package doc). */
class ProvisionerJsonTest {

    @Test
    void blankReplyHasNoOutputs() {
        assertThat(ProvisionerJson.reply(" \n").outputs()).isEmpty();
    }

    @Test
    void anOutputsMemberHoldsTheOutputs_andOtherMembersAreIgnored() {
        var reply = ProvisionerJson.reply("{\"outputs\": {\"url\": \"u\"}, \"debug\": \"x\"}");
        assertThat(reply.outputs()).containsExactly(Map.entry("url", "u"));
    }

    @Test
    void withoutAnOutputsMember_everyMemberButTheReservedOnesIsAnOutput_asText() {
        var reply = ProvisionerJson.reply("{\"url\": \"u\", \"port\": 22, \"tls\": true, \"gone\": null,"
                + " \"tags\": [\"a\"], \"meta\": {\"k\": 1}, \"error\": \"e\", \"permanent\": false}");
        assertThat(reply.outputs()).containsOnly(Map.entry("url", "u"), Map.entry("port", "22"), Map.entry("tls", "true"),
                Map.entry("tags", "[\"a\"]"), Map.entry("meta", "{\"k\":1}"));
        assertThat(reply.permanent()).isFalse();
        assertThat(reply.error()).isEqualTo("e");
    }

    @Test
    void onlyABooleanTrueMarksAFailurePermanent() {
        assertThat(ProvisionerJson.reply("{\"permanent\": true}").permanent()).isTrue();
        assertThat(ProvisionerJson.reply("{\"permanent\": \"true\"}").permanent()).isFalse();
        assertThat(ProvisionerJson.reply("{\"permanent\": 1}").permanent()).isFalse();
    }

    @Test
    void anythingButOneObjectIsRejected() {
        assertThatThrownBy(() -> ProvisionerJson.reply("[1]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> ProvisionerJson.reply("{} {}")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> ProvisionerJson.reply("{\"a\": 1, \"a\": 2}")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> ProvisionerJson.reply("{\"outputs\": \"x\"}")).hasMessageContaining("\"outputs\"");
        assertThat(ProvisionerJson.replyOrNull("done.")).isNull();
    }

    @Test
    void theRequestHasEveryDocumentedFieldInAStableOrder() {
        String json = new String(ProvisionerJson.request(Requests.delete("python-dev", "small", 3)), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"transition\":\"delete\",\"workspace_id\":\"" + Requests.workspace(3)
                + "\",\"workspace_name\":\"prebuild-3\",\"owner\":\"prebuilds\",\"template\":\"python-dev\","
                + "\"template_version\":\"v1\",\"preset\":\"small\",\"parameters\":{\"cpu\":\"2\"},"
                + "\"outputs\":{\"url\":\"https://x.invalid/3\"},\"attempt\":1}");
    }
}
