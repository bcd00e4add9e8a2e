package io.warmpool.domain.definition;

import io.warmpool.domain.Autoscale;
import io.warmpool.domain.Durations;
import io.warmpool.domain.Names;
import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.PresetId;
import io.warmpool.domain.Liveness;
import io.warmpool.domain.Readiness;
import io.warmpool.domain.definition.PresetsInput.PrebuildsInput;
import io.warmpool.domain.definition.PresetsInput.PresetInput;
import io.warmpool.domain.definition.PresetsInput.SchedulingInput;
import io.warmpool.domain.definition.PresetsInput.TemplateInput;
import io.warmpool.domain.definition.PresetsInput.WindowInput;
import io.warmpool.domain.schedule.CronWindow;
import io.warmpool.domain.schedule.PrebuildSchedule;
import io.warmpool.domain.schedule.ScheduleWindow;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Validates a presets file (SPEC §2 "Presets and versions", R7, §5) and turns it into a {@link PresetsDocument}.
 * It reports every error it finds, each naming its place, and builds nothing when there is any.
 */
public final class PresetsValidator {

    static final int MAX_PARAMETER_NAME = 128;
    static final int MAX_PARAMETER_VALUE = 4096;

    private PresetsValidator() {
    }

    /**
     * @throws InvalidDefinitionException with every error found
     */
    public static PresetsDocument validate(PresetsInput input) {
        Objects.requireNonNull(input, "input");
        List<ValidationError> errors = new ArrayList<>();
        List<TemplateDefinition> templates = new ArrayList<>();
        if (input.templates() == null || input.templates().isEmpty()) {
            errors.add(new ValidationError(input.source(), "templates", "at least one template is required"));
        } else {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < input.templates().size(); i++) {
                TemplateInput t = input.templates().get(i);
                if (t == null) {
                    errors.add(new ValidationError(input.source(), "templates[" + i + "]", "is empty"));
                    continue;
                }
                TemplateDefinition def = template(t, i, errors);
                if (t.name() != null && !seen.add(t.name())) {
                    errors.add(new ValidationError(t.source(), "template " + t.name(),
                            "is listed more than once; list each template once, with the version to make active"));
                }
                if (def != null) {
                    templates.add(def);
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidDefinitionException(errors);
        }
        return new PresetsDocument(templates);
    }

    /**
     * Checks that no preset of an existing version changes its parameters (a version's parameters are immutable).
     *
     * @param existing the stored parameters of every preset of the versions {@code document} names
     * @return one error per changed preset; empty when nothing changes
     */
    public static List<ValidationError> immutabilityErrors(PresetsDocument document, Map<PresetId, Map<String, String>> existing) {
        List<ValidationError> errors = new ArrayList<>();
        for (TemplateDefinition t : document.templates()) {
            for (PresetDefinition p : t.presets()) {
                PresetId id = t.idOf(p);
                Map<String, String> before = existing.get(id);
                if (before != null && !before.equals(p.parameters())) {
                    // The preset's place in the file: without it the error would say what but not where.
                    errors.add(new ValidationError(p.source(), "template " + id.template() + ", version " + id.version()
                            + ", preset " + id.preset() + ", parameters",
                            "cannot change on an existing version (stored " + before + ", file has " + p.parameters()
                                    + "); publish a new version to change parameters"));
                }
            }
        }
        return errors;
    }

    private static TemplateDefinition template(TemplateInput t, int index, List<ValidationError> errors) {
        int before = errors.size();
        String place = t.name() == null ? "templates[" + index + "]" : "template " + t.name();
        name(t.source(), place + ", name", t.name(), errors);
        name(t.source(), place + ", version", t.version(), errors);
        List<PresetDefinition> presets = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<PresetInput> inputs = t.presets() == null ? List.of() : t.presets();
        for (int i = 0; i < inputs.size(); i++) {
            PresetInput p = inputs.get(i);
            if (p == null) {
                errors.add(new ValidationError(t.source(), place + ", presets[" + i + "]", "is empty"));
                continue;
            }
            String presetPlace = place + ", " + (p.name() == null ? "presets[" + i + "]" : "preset " + p.name());
            PresetDefinition def = preset(p, presetPlace, errors);
            if (p.name() != null && !seen.add(p.name())) {
                errors.add(new ValidationError(p.source(), presetPlace, "is listed more than once in this template"));
            }
            if (def != null) {
                presets.add(def);
            }
        }
        TemplateDefinition.TerraformModule terraform = terraform(t.terraform(), place + ", terraform", errors);
        if (errors.size() > before) {
            return null;
        }
        return new TemplateDefinition(t.name(), t.version(), Boolean.TRUE.equals(t.deprecated()),
                Boolean.TRUE.equals(t.deleted()), presets, terraform);
    }

    /** The longest module path accepted: far beyond any real one, short enough for a log line. */
    static final int MAX_MODULE_PATH = 1024;

    private static TemplateDefinition.TerraformModule terraform(PresetsInput.TerraformInput input, String place,
                                                                List<ValidationError> errors) {
        if (input == null) {
            return null;
        }
        String module = input.module();
        if (module == null || module.isBlank()) {
            errors.add(new ValidationError(input.source(), place + ".module",
                    "is required: the directory of the Terraform root module of this version's workspaces"));
            return null;
        }
        if (module.length() > MAX_MODULE_PATH || module.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            errors.add(new ValidationError(input.source(), place + ".module",
                    "must be a directory path of at most " + MAX_MODULE_PATH + " characters without control characters"));
            return null;
        }
        return new TemplateDefinition.TerraformModule(module, input.source());
    }

    /**
     * Checks that no stored version changes its Terraform module: the workspaces it created are deleted, checked and
     * claimed with the module that created them.
     *
     * @param stored the module of every stored version {@code document} names, by {@code template/version}; a
     *               version stored without a module maps to {@code ""}
     * @return one error per changed version; empty when nothing changes
     */
    public static List<ValidationError> terraformModuleErrors(PresetsDocument document, Map<String, String> stored) {
        List<ValidationError> errors = new ArrayList<>();
        for (TemplateDefinition t : document.templates()) {
            String before = stored.get(t.name() + "/" + t.version());
            String after = t.terraformModule() == null ? "" : t.terraformModule();
            if (before != null && !before.equals(after)) {
                errors.add(new ValidationError(t.terraform() == null ? "" : t.terraform().source(),
                        "template " + t.name() + ", version " + t.version() + ", terraform.module",
                        "cannot change on an existing version (stored " + (before.isEmpty() ? "none" : "'" + before + "'")
                                + ", file has " + (after.isEmpty() ? "none" : "'" + after + "'")
                                + "): its workspaces are deleted with the module that created them; publish a new version"));
            }
        }
        return errors;
    }

    private static PresetDefinition preset(PresetInput p, String place, List<ValidationError> errors) {
        int before = errors.size();
        name(p.source(), place + ", name", p.name(), errors);
        Map<String, String> parameters = p.parameters() == null ? Map.of() : p.parameters();
        parameters.forEach((key, value) -> {
            if (key == null || key.isBlank() || key.length() > MAX_PARAMETER_NAME) {
                errors.add(new ValidationError(p.source(), place + ", parameters",
                        "parameter names must be 1 to " + MAX_PARAMETER_NAME + " non-blank characters, got '" + key + "'"));
            } else if (textProblem(key) != null) {
                errors.add(new ValidationError(p.source(), place + ", parameters",
                        "parameter names " + textProblem(key)));
            } else if (value == null) {
                errors.add(new ValidationError(p.source(), place + ", parameters." + key, "has no value"));
            } else if (value.length() > MAX_PARAMETER_VALUE) {
                errors.add(new ValidationError(p.source(), place + ", parameters." + key,
                        "must be at most " + MAX_PARAMETER_VALUE + " characters, got " + value.length()));
            } else if (textProblem(value) != null) {
                errors.add(new ValidationError(p.source(), place + ", parameters." + key, textProblem(value)));
            }
        });
        PrebuildPolicy policy = policy(p.prebuilds(), place, errors);
        if (errors.size() > before) {
            return null;
        }
        return new PresetDefinition(p.name(), parameters, policy, p.source());
    }

    private static PrebuildPolicy policy(PrebuildsInput in, String place, List<ValidationError> errors) {
        if (in == null) {
            return PrebuildPolicy.of(0);
        }
        int before = errors.size();
        int instances = 0;
        if (in.autoscale() == null) {
            instances = instances(in.source(), place + ", prebuilds.instances", in.instances(), errors);
        } else if (in.instances() != null) {
            // Refused rather than ignored: a number in the file that does nothing would mislead its next reader.
            errors.add(new ValidationError(in.source(), place + ", prebuilds.instances",
                    "must not be set with prebuilds.autoscale, which chooses the pool size (a schedule window's"
                            + " instances are a floor under it); remove instances, or autoscale to size by hand"));
        }
        Duration ttl = Duration.ZERO;
        if (in.ttl() != null) {
            try {
                ttl = Durations.parse(in.ttl());
                if (ttl.compareTo(PrebuildPolicy.MAX_TTL) > 0) {
                    throw new IllegalArgumentException("must be at most 3650d, got " + in.ttl());
                }
            } catch (IllegalArgumentException e) {
                errors.add(new ValidationError(in.source(), place + ", prebuilds.ttl", e.getMessage()));
            }
        }
        PrebuildSchedule schedule = schedule(in.scheduling(), place, errors);
        Readiness readiness = readiness(in.readiness(), place, errors);
        Liveness health = health(in.health(), place, errors);
        Autoscale autoscale = autoscale(in.autoscale(), place, errors);
        if (errors.size() > before) {
            return null;
        }
        return new PrebuildPolicy(instances, ttl, schedule, readiness, health, autoscale);
    }

    /**
     * The {@code autoscale} block (R13): {@code target_hit_rate} and {@code max} are required — a target nobody chose
     * and an unbounded pool are both decisions an operator should write down — {@code min} defaults to 0 and
     * {@code lookback} to 14d.
     */
    private static Autoscale autoscale(PresetsInput.AutoscaleInput in, String place, List<ValidationError> errors) {
        if (in == null) {
            return null;
        }
        String field = place + ", prebuilds.autoscale";
        int before = errors.size();
        Double target = in.targetHitRate();
        if (target == null) {
            errors.add(new ValidationError(in.source(), field + ".target_hit_rate",
                    "is required: the share of claims that should find a ready prebuild, between 0 and 1"
                            + " (exclusive), for example 0.99"));
        } else if (!(target > 0 && target < 1)) {
            errors.add(new ValidationError(in.source(), field + ".target_hit_rate",
                    "must be between 0 and 1 (exclusive), got " + target));
        }
        Integer max = in.max();
        if (max == null) {
            errors.add(new ValidationError(in.source(), field + ".max",
                    "is required (0 to " + PrebuildPolicy.MAX_INSTANCES + "): the most prebuilds autoscale may keep"));
        } else if (max < 0 || max > PrebuildPolicy.MAX_INSTANCES) {
            errors.add(new ValidationError(in.source(), field + ".max",
                    "must be between 0 and " + PrebuildPolicy.MAX_INSTANCES + ", got " + max));
        }
        int min = in.min() == null ? 0 : in.min();
        if (min < 0 || min > PrebuildPolicy.MAX_INSTANCES) {
            errors.add(new ValidationError(in.source(), field + ".min",
                    "must be between 0 and " + PrebuildPolicy.MAX_INSTANCES + ", got " + min));
        } else if (max != null && max >= 0 && max <= PrebuildPolicy.MAX_INSTANCES && min > max) {
            errors.add(new ValidationError(in.source(), field + ".min", "must be at most max (" + max + "), got " + min));
        }
        Duration lookback = Autoscale.DEFAULT_LOOKBACK;
        if (in.lookback() != null) {
            try {
                lookback = Durations.parse(in.lookback());
                if (lookback.compareTo(Duration.ofHours(Autoscale.MIN_LOOKBACK_HOURS)) < 0
                        || lookback.compareTo(Duration.ofDays(Autoscale.MAX_LOOKBACK_DAYS)) > 0) {
                    throw new IllegalArgumentException("must be between 1h and 90d, got " + in.lookback());
                }
            } catch (IllegalArgumentException e) {
                errors.add(new ValidationError(in.source(), field + ".lookback", e.getMessage()));
            }
        }
        return errors.size() > before ? null : new Autoscale(target, min, max, lookback);
    }

    /** At most a day: a workspace that takes longer to become ready is not a prebuild anyone waits for. */
    static final Duration MAX_READINESS_TIMEOUT = Duration.ofDays(1);
    /** At most a day between two liveness checks of the same prebuild. */
    static final Duration MAX_HEALTH_INTERVAL = Duration.ofDays(1);

    private static Readiness readiness(PresetsInput.ReadinessInput in, String place, List<ValidationError> errors) {
        if (in == null) {
            return null;
        }
        String field = place + ", prebuilds.readiness";
        int before = errors.size();
        Readiness.Check check = null;
        if (in.check() == null) {
            errors.add(new ValidationError(in.source(), field + ".check", "is required: provisioner or agent"));
        } else {
            check = Readiness.Check.fromWire(in.check()).orElse(null);
            if (check == null) {
                errors.add(new ValidationError(in.source(), field + ".check",
                        "must be provisioner or agent, got " + in.check()));
            }
        }
        Duration timeout = positive(in.source(), field + ".timeout", in.timeout(), Readiness.DEFAULT_TIMEOUT,
                MAX_READINESS_TIMEOUT, errors);
        return errors.size() > before ? null : new Readiness(check, timeout);
    }

    private static Liveness health(PresetsInput.HealthInput in, String place, List<ValidationError> errors) {
        if (in == null) {
            return null;
        }
        String field = place + ", prebuilds.health";
        int before = errors.size();
        Duration interval = positive(in.source(), field + ".interval", in.interval(), Liveness.DEFAULT_INTERVAL,
                MAX_HEALTH_INTERVAL, errors);
        int after = in.unhealthyAfter() == null ? Liveness.DEFAULT_UNHEALTHY_AFTER : in.unhealthyAfter();
        if (after < 1 || after > Liveness.MAX_UNHEALTHY_AFTER) {
            errors.add(new ValidationError(in.source(), field + ".unhealthy_after",
                    "must be between 1 and " + Liveness.MAX_UNHEALTHY_AFTER + ", got " + after));
        }
        return errors.size() > before ? null : new Liveness(interval, after);
    }

    private static Duration positive(String source, String field, String text, Duration fallback, Duration max,
                                     List<ValidationError> errors) {
        if (text == null) {
            return fallback;
        }
        try {
            Duration d = Durations.parse(text);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("must be a positive duration, got " + text);
            }
            if (d.compareTo(max) > 0) {
                throw new IllegalArgumentException("must be at most " + Durations.format(max) + ", got " + text);
            }
            return d;
        } catch (IllegalArgumentException e) {
            errors.add(new ValidationError(source, field, e.getMessage()));
            return fallback;
        }
    }

    private static PrebuildSchedule schedule(SchedulingInput in, String place, List<ValidationError> errors) {
        if (in == null) {
            return PrebuildSchedule.none();
        }
        ZoneId zone = ZoneOffset.UTC;
        if (in.timezone() != null) {
            try {
                if (!in.timezone().equals("UTC") && !ZoneId.getAvailableZoneIds().contains(in.timezone())) {
                    throw new DateTimeException("unknown");
                }
                zone = ZoneId.of(in.timezone());
            } catch (DateTimeException e) {
                errors.add(new ValidationError(in.source(), place + ", scheduling.timezone",
                        "'" + in.timezone() + "' is not an IANA timezone such as Europe/Berlin or UTC"));
            }
        }
        List<WindowInput> inputs = in.schedule() == null ? List.of() : in.schedule();
        List<ScheduleWindow> windows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            WindowInput w = inputs.get(i);
            String label = "window " + (i + 1) + (w == null || w.cron() == null ? "" : " (" + w.cron() + ")");
            String windowPlace = place + ", " + label;
            if (w == null) {
                errors.add(new ValidationError(in.source(), windowPlace, "is empty"));
                continue;
            }
            int instances = instances(w.source(), windowPlace + ", instances", w.instances(), errors);
            CronWindow cron;
            try {
                cron = CronWindow.parse(w.cron());
            } catch (IllegalArgumentException e) {
                errors.add(new ValidationError(w.source(), windowPlace + ", cron", e.getMessage()));
                continue;
            }
            if (!cron.matchesSomeDate()) {
                errors.add(new ValidationError(w.source(), windowPlace + ", cron",
                        "matches no real date (for example day 31 of a month that has 30 days)"));
                continue;
            }
            for (int j = 0; j < windows.size(); j++) {
                if (windows.get(j).cron().overlaps(cron)) {
                    errors.add(new ValidationError(w.source(), windowPlace,
                            "overlaps " + labels.get(j) + ": some local date and hour match both"));
                }
            }
            windows.add(new ScheduleWindow(cron, Math.max(instances, 0)));
            labels.add(label);
        }
        return new PrebuildSchedule(zone, windows);
    }

    private static int instances(String source, String field, Integer value, List<ValidationError> errors) {
        if (value == null) {
            errors.add(new ValidationError(source, field, "is required (0 to " + PrebuildPolicy.MAX_INSTANCES + ")"));
            return -1;
        }
        if (value < 0 || value > PrebuildPolicy.MAX_INSTANCES) {
            errors.add(new ValidationError(source, field,
                    "must be between 0 and " + PrebuildPolicy.MAX_INSTANCES + ", got " + value));
            return -1;
        }
        return value;
    }

    /**
     * Why {@code text} cannot be kept and handed on exactly, or null. Parameters travel to the store, to a
     * provisioner's stdin and environment, and to an HTTP body: none of them can carry U+0000 (an environment
     * variable ends at it, PostgreSQL text refuses it), and an unpaired surrogate is not Unicode text at all (it
     * would arrive as '?'). Rejecting both up front keeps "stored and passed literally" true for what is accepted.
     */
    static String textProblem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return "must not contain the NUL character (U+0000), found at position " + (i + 1);
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++; // a valid pair: one character outside the BMP
            } else if (Character.isSurrogate(c)) {
                return "must be Unicode text: an unpaired surrogate (U+" + String.format("%04X", (int) c)
                        + ") at position " + (i + 1);
            }
        }
        return null;
    }

    private static void name(String source, String field, String value, List<ValidationError> errors) {
        Names.problem(value).ifPresent(p -> errors.add(new ValidationError(source, field, p)));
    }
}
