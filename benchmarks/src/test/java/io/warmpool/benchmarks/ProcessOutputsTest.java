package io.warmpool.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessOutputsTest {

    @Test
    void givenAPassLine_thenItsCountsAreRead_andAFullPoolIsEligibleEqualsDesired() {
        PassLine line = PassLine.parse("2026-11-27T03:42:44.984Z INFO  reconcile  pass started=2026-11-27T03:42:42.805Z"
                + " presets=10000 eligible=220/20000 creates=20000 deletes=0 cancels=0 backoff=0 limited=0 failed=0 errors=0"
                + " tookMs=2179 pass=1").orElseThrow();
        assertThat(line).isEqualTo(new PassLine(10000, 220, 20000, 20000, 2179));
        assertThat(line.full()).isFalse();
        assertThat(PassLine.parse("2026-11-27T03:44:22.455Z INFO  reconcile  pass started=2026-11-27T03:44:22.409Z presets=3"
                + " eligible=5/5 creates=0 deletes=0 cancels=0 backoff=0 limited=0 failed=0 errors=0 tookMs=46 pass=9")
                .orElseThrow().full()).isTrue();
    }

    @Test
    void givenASkippedPassOrALogLine_thenNoPassLine() {
        assertThat(PassLine.parse("2026-11-27T03:42:44.984Z INFO  reconcile  pass skipped started=2026-11-27T03:42:44.980Z"
                + " reason=paused pass=4")).isEmpty();
        assertThat(PassLine.parse("2026-11-27T03:42:44.984Z INFO  http       API listening on http://127.0.0.1:8080")).isEmpty();
        assertThat(new PassLine(0, 0, 0, 0, 1).full()).as("no presets is not a full pool").isFalse();
    }

    @Test
    void givenPrometheusText_thenTheSampleWithTheLabelIsRead() {
        String text = """
                # HELP jvm_memory_used_bytes Used bytes of a given JVM memory area.
                # TYPE jvm_memory_used_bytes gauge
                jvm_memory_used_bytes{area="heap"} 3.9317504E7
                jvm_memory_used_bytes{area="nonheap"} 7.0893056E7
                warmpool_reconciliation_paused 0.0
                """;
        assertThat(ProcessOutputs.prometheus(text, "jvm_memory_used_bytes", "area=\"nonheap\"")).hasValue(7.0893056E7);
        assertThat(ProcessOutputs.prometheus(text, "jvm_memory_used_bytes", "area=\"heap\"")).hasValue(3.9317504E7);
        assertThat(ProcessOutputs.prometheus(text, "warmpool_reconciliation_paused")).hasValue(0);
        assertThat(ProcessOutputs.prometheus(text, "jvm_memory_max_bytes")).isEmpty();
    }

    @Test
    void givenAGcLog_thenTheLargestHeapAfterACollectionAndTheFullCollectionsAreRead() {
        String log = """
                [0.012s][info][gc] Using G1
                [2.345s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->8M(256M) 5.123ms
                [9.100s][info][gc] GC(1) Pause Young (Concurrent Start) (G1 Humongous Allocation) 180M->121M(256M) 12.0ms
                [9.200s][info][gc] GC(2) Concurrent Mark Cycle
                [30.01s][info][gc] GC(3) Pause Full (Diagnostic Command) 130M->37M(127M) 150.2ms
                [31.00s][info][gc] GC(4) Pause Young (Normal) (G1 Evacuation Pause) 1024K->512K(127M) 1.0ms
                """;
        assertThat(ProcessOutputs.largestHeapAfterGc(log)).hasValue(121L << 20);
        assertThat(ProcessOutputs.fullCollections(log)).isEqualTo(1);
        assertThat(ProcessOutputs.heapAfterLastFullGc(log)).hasValue(37L << 20);
        assertThat(ProcessOutputs.heapAfterLastFullGc("[2.345s][info][gc] GC(0) Pause Young (Normal) 24M->8M(256M) 5.1ms\n")).isEmpty();
        assertThat(ProcessOutputs.largestHeapAfterGc("[0.012s][info][gc] Using G1\n")).isEmpty();
    }

    @Test
    void givenSimulateJson_thenItsWallTimeLengthAndPresetsAreRead() {
        String json = """
                {
                  "simulated" : "1d",
                  "wallMillis" : 27150,
                  "presets" : [ {
                    "preset" : "team-00/p0",
                    "claimsServed" : 20
                  }, {
                    "preset" : "team-00/p1",
                    "claimsServed" : 21
                  } ]
                }
                """;
        assertThat(ProcessOutputs.simulateWallMillis(json)).hasValue(27150);
        assertThat(ProcessOutputs.simulated(json)).isEqualTo("1d");
        assertThat(ProcessOutputs.simulatePresets(json)).isEqualTo(2);
        assertThat(ProcessOutputs.simulateWallMillis("error: no such file")).isEmpty();
    }

    @Test
    void givenTheSameArguments_thenTheSamePresetsFile_withOneEntryPerPreset() {
        String yaml = PresetsFile.yaml(3, 4, 2);
        assertThat(PresetsFile.yaml(3, 4, 2)).isEqualTo(yaml);
        assertThat(yaml.lines().filter(l -> l.startsWith("  - name: team-"))).hasSize(3);
        assertThat(yaml.lines().filter(l -> l.startsWith("      - name: p"))).hasSize(12);
        assertThat(yaml).contains("  - name: team-002\n    version: v1\n    presets:\n      - name: p000\n")
                .endsWith("      - name: p003\n        parameters: {size: \"3\"}\n        prebuilds: {instances: 2}\n");
    }
}
