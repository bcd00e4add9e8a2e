package io.warmpool.application.fakes;

import io.warmpool.application.port.out.PresetHistoryPort;
import io.warmpool.domain.PresetId;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link PresetHistoryPort} in memory, with the store's one-sample-per-preset-and-minute rule. */
public final class FakeHistory implements PresetHistoryPort {

    public final Map<String, PassRecord> passes = new LinkedHashMap<>();
    public final List<PoolSample> samples = new ArrayList<>();
    public final List<Instant> prunes = new ArrayList<>();
    public final List<Integer> sampleBatches = new ArrayList<>();
    public ClaimCounts claimCounts = new ClaimCounts(0, 0);
    public final List<Instant> claimQueries = new ArrayList<>();
    public final List<PresetBuild> builds = new ArrayList<>();

    @Override
    public synchronized void recordPass(PassRecord pass, List<PoolSample> batch) {
        passes.put(pass.replica(), pass);
        sampleBatches.add(batch.size());
        for (PoolSample s : batch) {
            boolean taken = samples.stream().anyMatch(o -> o.preset().equals(s.preset())
                    && o.at().truncatedTo(ChronoUnit.MINUTES).equals(s.at().truncatedTo(ChronoUnit.MINUTES)));
            if (!taken) {
                samples.add(s);
            }
        }
    }

    @Override
    public synchronized void prune(Instant before) {
        prunes.add(before);
        samples.removeIf(s -> s.at().isBefore(before));
        passes.values().removeIf(p -> p.startedAt().isBefore(before));
    }

    @Override
    public synchronized Optional<PassRecord> lastPass() {
        return passes.values().stream().max(Comparator.comparing(PassRecord::startedAt));
    }

    @Override
    public synchronized List<PoolSample> samples(PresetId preset, Instant since) {
        return samples.stream().filter(s -> s.preset().equals(preset) && !s.at().isBefore(since)).toList();
    }

    @Override
    public synchronized ClaimCounts claims(PresetId preset, Instant since) {
        claimQueries.add(since);
        return claimCounts;
    }

    @Override
    public synchronized List<PresetBuild> recentBuilds(PresetId preset, long beforeBuild, int limit) {
        return builds.stream().filter(b -> b.build().id().value() < beforeBuild).limit(limit).toList();
    }
}
