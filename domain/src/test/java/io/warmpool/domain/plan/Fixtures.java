package io.warmpool.domain.plan;

import io.warmpool.domain.Autoscale;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.WorkspaceId;
import io.warmpool.domain.autoscale.DemandHistory;
import io.warmpool.domain.backoff.FailureState;
import io.warmpool.domain.backoff.PresetStatus;
import io.warmpool.domain.schedule.PrebuildSchedule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Builders for snapshots in tests: readable given-clauses. */
final class Fixtures {

    static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    static final PresetId PRESET = new PresetId("python-dev", "v3", "small");

    private Fixtures() {
    }

    static WorkspaceId ws(int n) {
        return new WorkspaceId(new UUID(0, n));
    }

    static Prebuild prebuild(int n, Instant createdAt) {
        return new Prebuild(ws(n), createdAt);
    }

    static SnapshotBuilder preset(int instances) {
        return new SnapshotBuilder(instances);
    }

    static final class SnapshotBuilder {
        private PresetId id = PRESET;
        private Activity activity = Activity.ACTIVE;
        private int instances;
        private Duration ttl = Duration.ZERO;
        private Instant invalidatedAt;
        private FailureState failure = FailureState.initial();
        private final List<Prebuild> running = new ArrayList<>();
        private final List<FailedPrebuild> failed = new ArrayList<>();
        private final List<Prebuild> unhealthy = new ArrayList<>();
        private InFlight inFlight = InFlight.NONE;
        private PrebuildSchedule schedule = PrebuildSchedule.none();
        private Autoscale autoscale;
        private DemandHistory demand = DemandHistory.NONE;

        SnapshotBuilder(int instances) {
            this.instances = instances;
        }

        SnapshotBuilder id(PresetId id) {
            this.id = id;
            return this;
        }

        SnapshotBuilder activity(Activity activity) {
            this.activity = activity;
            return this;
        }

        SnapshotBuilder ttl(Duration ttl) {
            this.ttl = ttl;
            return this;
        }

        SnapshotBuilder schedule(PrebuildSchedule schedule) {
            this.schedule = schedule;
            return this;
        }

        SnapshotBuilder autoscale(Autoscale autoscale) {
            this.autoscale = autoscale;
            return this;
        }

        SnapshotBuilder demand(DemandHistory demand) {
            this.demand = demand;
            return this;
        }

        SnapshotBuilder invalidatedAt(Instant at) {
            this.invalidatedAt = at;
            return this;
        }

        SnapshotBuilder failures(int k, Instant lastFailureAt, Instant retryNotBefore, PresetStatus status) {
            this.failure = new FailureState(k, lastFailureAt, retryNotBefore, status);
            return this;
        }

        SnapshotBuilder status(PresetStatus status) {
            this.failure = new FailureState(failure.consecutiveFailures(), failure.lastFailureAt(), failure.retryNotBefore(), status);
            return this;
        }

        SnapshotBuilder running(int n, Instant createdAt) {
            running.add(prebuild(n, createdAt));
            return this;
        }

        /** {@code count} running prebuilds numbered from {@code firstId}, created a minute apart before T0. */
        SnapshotBuilder runningMany(int firstId, int count) {
            for (int i = 0; i < count; i++) {
                running.add(prebuild(firstId + i, T0.minus(Duration.ofMinutes(count - i))));
            }
            return this;
        }

        SnapshotBuilder failed(int n, Instant createdAt, Instant failedAt) {
            failed.add(new FailedPrebuild(ws(n), createdAt, failedAt));
            return this;
        }

        SnapshotBuilder unhealthy(int n, Instant createdAt) {
            unhealthy.add(prebuild(n, createdAt));
            return this;
        }

        SnapshotBuilder inFlight(int starting, int queued, int deleting, int provisioned) {
            this.inFlight = new InFlight(starting, queued, deleting, provisioned);
            return this;
        }

        SnapshotBuilder inFlight(int starting, int queued, int deleting) {
            this.inFlight = new InFlight(starting, queued, deleting);
            return this;
        }

        PresetSnapshot build() {
            return new PresetSnapshot(id, activity, new PrebuildPolicy(instances, ttl, schedule).withAutoscale(autoscale),
                    invalidatedAt, failure, running, failed, inFlight, unhealthy, demand);
        }
    }
}
