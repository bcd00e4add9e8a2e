package io.warmpool.adapters.presets;

import io.warmpool.domain.PrebuildPolicy;
import io.warmpool.domain.definition.InvalidDefinitionException;
import io.warmpool.domain.definition.PresetsInput;
import io.warmpool.domain.definition.PresetsInput.PrebuildsInput;
import io.warmpool.domain.definition.PresetsInput.PresetInput;
import io.warmpool.domain.definition.PresetsInput.SchedulingInput;
import io.warmpool.domain.definition.PresetsInput.TemplateInput;
import io.warmpool.domain.definition.PresetsInput.WindowInput;
import io.warmpool.domain.definition.ValidationError;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads a presets file (SPEC §5 "Presets file") into the raw {@link PresetsInput} that
 * {@link io.warmpool.domain.definition.PresetsValidator} checks.
 *
 * <p>Contract: this class checks the <em>shape</em> only — that each key is known and each value is the kind of
 * thing the format expects (a list, a mapping, a whole number, true/false, a single value). It never checks
 * names, ranges, durations, crons or timezones; that is the validator's job, so every rule lives in one place.
 * Every record it returns carries {@code source} = {@code NAME:LINE} (1-based) of the node it was read from, and
 * every error it reports names that place. It reports every shape error it finds, not just the first.
 *
 * <p>The file is read with snakeyaml-engine's node API (compose, not construct) because the composed nodes carry
 * their line numbers and the literal text of each scalar, so {@code cpu: 2} and {@code cpu: "2"} both become the
 * parameter text {@code 2} exactly as written. Parsing uses the YAML 1.2 core schema; JSON is accepted since it
 * is valid YAML. Aliases are capped by the library (50 per document) so a "billion laughs" file is rejected.
 */
public final class PresetsYaml {

    /** The field name used for errors about the YAML text itself (syntax). */
    public static final String SYNTAX_FIELD = "yaml";

    private static final List<String> ROOT_KEYS = List.of("templates");
    private static final List<String> TEMPLATE_KEYS = List.of("name", "version", "deprecated", "deleted", "presets", "terraform");
    private static final List<String> TERRAFORM_KEYS = List.of("module");
    private static final List<String> PRESET_KEYS = List.of("name", "parameters", "prebuilds");
    private static final List<String> PREBUILDS_KEYS =
            List.of("instances", "ttl", "scheduling", "readiness", "health", "autoscale");
    private static final List<String> AUTOSCALE_KEYS = List.of("target_hit_rate", "min", "max", "lookback");
    private static final List<String> READINESS_KEYS = List.of("check", "timeout");
    private static final List<String> HEALTH_KEYS = List.of("interval", "unhealthy_after");
    private static final List<String> SCHEDULING_KEYS = List.of("timezone", "schedule");
    private static final List<String> WINDOW_KEYS = List.of("cron", "instances");

    private final String sourceName;
    private final List<ValidationError> errors = new ArrayList<>();

    private PresetsYaml(String sourceName) {
        this.sourceName = sourceName;
    }

    /**
     * Parses {@code text} as a presets file.
     *
     * @param text       the YAML (or JSON) text
     * @param sourceName how errors and {@code source} fields name the input, for example the file's path
     * @return the raw input, every record's {@code source} set to {@code sourceName:line}; an empty document gives
     *     an input without templates (the validator then reports that templates are required)
     * @throws InvalidDefinitionException with every shape error, each with its place, or with a single
     *     {@value #SYNTAX_FIELD} error naming the line when the text is not YAML
     */
    public static PresetsInput parse(String text, String sourceName) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(sourceName, "sourceName");
        return new PresetsYaml(sourceName).read(text);
    }

    private PresetsInput read(String text) {
        Optional<Node> root;
        try {
            LoadSettings settings = LoadSettings.builder()
                    .setLabel(sourceName)
                    .setSchema(new CoreSchema())
                    .setAllowDuplicateKeys(false)
                    .setAllowRecursiveKeys(false)
                    .build();
            root = new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
            String problem = e.getProblem() == null ? "invalid YAML" : e.getProblem().trim();
            String message = e.getContext() == null ? problem : e.getContext().trim() + ": " + problem;
            throw new InvalidDefinitionException(List.of(new ValidationError(
                    mark.map(m -> at(m.getLine())).orElse(sourceName), SYNTAX_FIELD, message)));
        } catch (YamlEngineException e) {
            throw new InvalidDefinitionException(List.of(new ValidationError(sourceName, SYNTAX_FIELD,
                    e.getMessage() == null ? "invalid YAML" : e.getMessage())));
        } catch (StackOverflowError e) {
            // snakeyaml-engine composes nested nodes recursively and has no depth limit, so `[[[[…` in an upload
            // would otherwise become a 500. The composer's state is local to this call, so unwinding is safe.
            throw new InvalidDefinitionException(List.of(new ValidationError(sourceName, SYNTAX_FIELD,
                    "the document is nested too deeply (a presets file needs about eight levels)")));
        }
        if (root.isEmpty() || isNull(root.get())) {
            return new PresetsInput(at(0), null);
        }
        Node node = root.get();
        if (!(node instanceof MappingNode mapping)) {
            errors.add(new ValidationError(source(node), "file",
                    "must be a mapping with a 'templates' list, got " + describe(node)));
            throw new InvalidDefinitionException(errors);
        }
        Map<String, Node> fields = fields(mapping, "file", ROOT_KEYS);
        List<TemplateInput> templates = null;
        List<Node> items = list(fields.get("templates"), "templates");
        if (items != null) {
            templates = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                templates.add(template(items.get(i), i));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidDefinitionException(errors);
        }
        return new PresetsInput(source(node), templates == null ? null : Collections.unmodifiableList(templates));
    }

    private TemplateInput template(Node node, int index) {
        String place = peekName(node).map(n -> "template " + n).orElse("templates[" + index + "]");
        MappingNode mapping = mapping(node, place);
        if (mapping == null) {
            return null;
        }
        Map<String, Node> f = fields(mapping, place, TEMPLATE_KEYS);
        List<PresetInput> presets = null;
        List<Node> items = list(f.get("presets"), place + ", presets");
        if (items != null) {
            presets = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                presets.add(preset(items.get(i), place, i));
            }
        }
        return new TemplateInput(source(node), text(f.get("name"), place + ", name"),
                text(f.get("version"), place + ", version"), bool(f.get("deprecated"), place + ", deprecated"),
                bool(f.get("deleted"), place + ", deleted"), presets, terraform(f.get("terraform"), place + ", terraform"));
    }

    private PresetsInput.TerraformInput terraform(Node node, String place) {
        MappingNode mapping = mapping(node, place);
        if (mapping == null) {
            return null;
        }
        Map<String, Node> f = fields(mapping, place, TERRAFORM_KEYS);
        return new PresetsInput.TerraformInput(source(node), text(f.get("module"), place + ".module"));
    }

    private PresetInput preset(Node node, String templatePlace, int index) {
        String place = templatePlace + ", "
                + peekName(node).map(n -> "preset " + n).orElse("presets[" + index + "]");
        MappingNode mapping = mapping(node, place);
        if (mapping == null) {
            return null;
        }
        Map<String, Node> f = fields(mapping, place, PRESET_KEYS);
        return new PresetInput(source(node), text(f.get("name"), place + ", name"),
                parameters(f.get("parameters"), place + ", parameters"),
                prebuilds(f.get("prebuilds"), place + ", prebuilds"));
    }

    private Map<String, String> parameters(Node node, String place) {
        MappingNode mapping = mapping(node, place);
        if (mapping == null) {
            return null;
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        Map<String, Node> seen = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String key = key(tuple.getKeyNode(), place, seen);
            if (key == null) {
                continue;
            }
            Node value = tuple.getValueNode();
            if (value instanceof ScalarNode scalar) {
                // Parameters are text as written: `cpu: 2` and `cpu: "2"` are the same parameter value.
                parameters.put(key, isNull(scalar) ? null : scalar.getValue());
            } else {
                errors.add(new ValidationError(source(value), place + "." + key,
                        "must be a single value (text, number or true/false), got " + describe(value)));
            }
        }
        return parameters;
    }

    private PrebuildsInput prebuilds(Node node, String place) {
        MappingNode mapping = mapping(node, place);
        if (mapping == null) {
            return null;
        }
        Map<String, Node> f = fields(mapping, place, PREBUILDS_KEYS);
        return new PrebuildsInput(source(node), integer(f.get("instances"), place + ".instances"),
                text(f.get("ttl"), place + ".ttl"), scheduling(f.get("scheduling"), place + ".scheduling"),
                readiness(f.get("readiness"), place + ".readiness"), health(f.get("health"), place + ".health"),
                autoscale(f.get("autoscale"), place + ".autoscale"));
    }

    private PresetsInput.AutoscaleInput autoscale(Node node, String place) {
        MappingNode mapping = mapping(node, place);
        if (mapping == null) {
            return null;
        }
        Map<String, Node> f = fields(mapping, place, AUTOSCALE_KEYS);
        return new PresetsInput.AutoscaleInput(source(node), number(f.get("target_hit_rate"), place + ".target_hit_rate"),
                integer(f.get("min"), place + ".min"), integer(f.get("max"), place + ".max"),
                text(f.get("lookback"), place + ".lookback"));
    }

    private PresetsInput.ReadinessInput readiness(Node node, String place) {
        MappingNode mapping = mapping(node, place);
        if (mapping == null) {
            return null;
        }
        Map<String, Node> f = fields(mapping, place, READINESS_KEYS);
        return new PresetsInput.ReadinessInput(source(node), text(f.get("check"), place + ".check"),
                text(f.get("timeout"), place + ".timeout"));
    }

    private PresetsInput.HealthInput health(Node node, String place) {
        MappingNode mapping = mapping(node, place);
        if (mapping == null) {
            return null;
        }
        Map<String, Node> f = fields(mapping, place, HEALTH_KEYS);
        return new PresetsInput.HealthInput(source(node), text(f.get("interval"), place + ".interval"),
                integer(f.get("unhealthy_after"), place + ".unhealthy_after"));
    }

    private SchedulingInput scheduling(Node node, String place) {
        MappingNode mapping = mapping(node, place);
        if (mapping == null) {
            return null;
        }
        Map<String, Node> f = fields(mapping, place, SCHEDULING_KEYS);
        List<WindowInput> windows = null;
        List<Node> items = list(f.get("schedule"), place + ".schedule");
        if (items != null) {
            windows = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                windows.add(window(items.get(i), place + ".schedule[" + i + "]"));
            }
        }
        return new SchedulingInput(source(node), text(f.get("timezone"), place + ".timezone"), windows);
    }

    private WindowInput window(Node node, String place) {
        MappingNode mapping = mapping(node, place);
        if (mapping == null) {
            return null;
        }
        Map<String, Node> f = fields(mapping, place, WINDOW_KEYS);
        return new WindowInput(source(node), text(f.get("cron"), place + ".cron"),
                integer(f.get("instances"), place + ".instances"));
    }

    // ---- shapes ---------------------------------------------------------------------------------------------

    /**
     * The value nodes of a mapping by key, in file order. Unknown and repeated keys are reported (with a
     * "did you mean" when a known key is close) and left out, so one typo gives one error, not two.
     */
    private Map<String, Node> fields(MappingNode mapping, String place, List<String> allowed) {
        Map<String, Node> fields = new LinkedHashMap<>();
        Map<String, Node> seen = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String key = key(tuple.getKeyNode(), place, seen);
            if (key == null) {
                continue;
            }
            if (!allowed.contains(key)) {
                errors.add(new ValidationError(source(tuple.getKeyNode()), place, unknownKey(key, allowed)));
                continue;
            }
            fields.put(key, tuple.getValueNode());
        }
        return fields;
    }

    /** A mapping key as text, or null (reported) when it is not a single value or repeats an earlier key. */
    private String key(Node keyNode, String place, Map<String, Node> seen) {
        if (!(keyNode instanceof ScalarNode scalar)) {
            errors.add(new ValidationError(source(keyNode), place, "keys must be single values, got " + describe(keyNode)));
            return null;
        }
        String key = scalar.getValue();
        Node first = seen.putIfAbsent(key, keyNode);
        if (first != null) {
            errors.add(new ValidationError(source(keyNode), place,
                    "key '" + key + "' appears more than once (first at " + source(first) + ")"));
            return null;
        }
        return key;
    }

    private MappingNode mapping(Node node, String place) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (node instanceof MappingNode mapping) {
            return mapping;
        }
        errors.add(new ValidationError(source(node), place, "must be a mapping (key: value), got " + describe(node)));
        return null;
    }

    private List<Node> list(Node node, String place) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (node instanceof SequenceNode sequence) {
            return sequence.getValue();
        }
        errors.add(new ValidationError(source(node), place, "must be a list, got " + describe(node)));
        return null;
    }

    private String text(Node node, String place) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (node instanceof ScalarNode scalar) {
            return scalar.getValue();
        }
        errors.add(new ValidationError(source(node), place, "must be a single value, got " + describe(node)));
        return null;
    }

    private Boolean bool(Node node, String place) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (node instanceof ScalarNode scalar && Tag.BOOL.equals(scalar.getTag())) {
            return Boolean.parseBoolean(scalar.getValue().toLowerCase(Locale.ROOT));
        }
        errors.add(new ValidationError(source(node), place, "must be true or false, got " + describe(node)));
        return null;
    }

    private Integer integer(Node node, String place) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (node instanceof ScalarNode scalar && Tag.INT.equals(scalar.getTag())) {
            BigInteger value = parseInt(scalar.getValue());
            if (value != null && value.bitLength() < Integer.SIZE) {
                return value.intValue();
            }
            errors.add(new ValidationError(source(node), place,
                    "must be between 0 and " + PrebuildPolicy.MAX_INSTANCES + ", got " + scalar.getValue()));
            return null;
        }
        errors.add(new ValidationError(source(node), place, "must be a whole number, got " + describe(node)));
        return null;
    }

    /** A number of the core schema (integer or float, {@code .inf} and {@code .nan} included); the range is the validator's. */
    private Double number(Node node, String place) {
        if (node == null || isNull(node)) {
            return null;
        }
        if (node instanceof ScalarNode scalar && Tag.INT.equals(scalar.getTag())) {
            BigInteger value = parseInt(scalar.getValue());
            if (value != null) {
                return value.doubleValue();
            }
        }
        if (node instanceof ScalarNode scalar && Tag.FLOAT.equals(scalar.getTag())) {
            String text = scalar.getValue();
            String lower = text.toLowerCase(Locale.ROOT);
            if (lower.endsWith(".inf")) {
                return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            }
            if (lower.equals(".nan")) {
                return Double.NaN;
            }
            try {
                return Double.parseDouble(text);
            } catch (NumberFormatException e) {
                // falls through to the shape error
            }
        }
        errors.add(new ValidationError(source(node), place, "must be a number, got " + describe(node)));
        return null;
    }

    /** The core schema's integer forms: decimal with an optional sign, {@code 0o} octal, {@code 0x} hex. */
    private static BigInteger parseInt(String text) {
        try {
            if (text.startsWith("0o")) {
                return new BigInteger(text.substring(2), 8);
            }
            if (text.startsWith("0x")) {
                return new BigInteger(text.substring(2), 16);
            }
            return new BigInteger(text.startsWith("+") ? text.substring(1) : text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // ---- places and messages --------------------------------------------------------------------------------

    /** The {@code name} of a mapping, read ahead so that errors inside it can say "template python-dev". */
    private static Optional<String> peekName(Node node) {
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals("name")
                        && tuple.getValueNode() instanceof ScalarNode value && !isNull(value)
                        && !value.getValue().isBlank()) {
                    return Optional.of(value.getValue());
                }
            }
        }
        return Optional.empty();
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    private String source(Node node) {
        return node.getStartMark().map(m -> at(m.getLine())).orElse(sourceName);
    }

    private String at(int zeroBasedLine) {
        return sourceName + ":" + (zeroBasedLine + 1);
    }

    private static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode scalar = (ScalarNode) node;
        String kind = Tag.INT.equals(scalar.getTag()) || Tag.FLOAT.equals(scalar.getTag()) ? "the number "
                : Tag.BOOL.equals(scalar.getTag()) ? "the boolean " : "the text ";
        String value = scalar.getValue();
        if (value.length() > 40) {
            value = value.substring(0, 40) + "…";
        }
        return kind + "'" + value + "'";
    }

    static String unknownKey(String key, List<String> allowed) {
        String closest = null;
        int best = Integer.MAX_VALUE;
        for (String candidate : allowed) {
            int d = distance(key.toLowerCase(Locale.ROOT), candidate);
            if (d < best) {
                best = d;
                closest = candidate;
            }
        }
        // Close means a typo: at most two edits, and fewer than half the key (so "ab" is not "a near miss" of "id").
        if (closest != null && best <= 2 && best * 2 < Math.max(key.length(), 2)) {
            return "unknown key '" + key + "'; did you mean '" + closest + "'?";
        }
        return "unknown key '" + key + "'; expected one of: " + String.join(", ", allowed);
    }

    /** Levenshtein distance with adjacent transpositions (optimal string alignment), so "tempaltes" is one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
