package io.warmpool.distribution;

import static io.warmpool.distribution.Repo.at;
import static io.warmpool.distribution.Repo.optional;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warmpool.bootstrap.config.ConfigException;
import io.warmpool.bootstrap.wiring.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/kubernetes/: every manifest parses, and the essentials hold together — 2 replicas, probes on /healthz and
 * /readyz at the container's port, every secret and config map referenced exists with the key asked for, the
 * Service and the PodDisruptionBudget select the Deployment's pods, and what the Deployment gives warmpool (flags,
 * WARMPOOL_* variables, the configuration file) is accepted by warmpool's own configuration loader.
 * No cluster here: {@code kubectl apply --dry-run=server} is the one check this cannot make.
 */
class KubernetesManifestsTest {

    private static final Path DIR = Repo.path("deploy/kubernetes");
    /** Variables the Deployment sets that are not settings: the downward API's and the launcher's. */
    private static final Set<String> OTHER_VARIABLES = Set.of("POD_NAMESPACE", "POD_IP", "JAVA_OPTS");

    private static final Map<String, Map<String, Object>> BY_KIND = new LinkedHashMap<>();

    @BeforeAll
    static void load() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object doc : Repo.yamlDocuments(f)) {
                    Map<String, Object> m = map(doc);
                    String kind = at(m, "kind");
                    assertThat(BY_KIND.put(kind, m)).as("one %s in %s", kind, DIR).isNull();
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Object>) o;
    }

    private static Map<String, Object> kind(String kind) {
        assertThat(BY_KIND).as("kinds in %s", DIR).containsKey(kind);
        return BY_KIND.get(kind);
    }

    private static Map<String, Object> podSpec() {
        return map(at(kind("Deployment"), "spec", "template", "spec"));
    }

    private static Map<String, Object> container() {
        List<Object> containers = list(podSpec().get("containers"));
        assertThat(containers).hasSize(1);
        return map(containers.get(0));
    }

    @Test
    void everyManifestIsListedInTheKustomization_andEveryKindIsThere() throws IOException {
        List<Object> resources = list(at(kind("Kustomization"), "resources"));
        List<String> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).sorted().toList();
        }
        assertThat(resources).containsExactlyInAnyOrderElementsOf(files);
        assertThat(BY_KIND.keySet()).contains("Deployment", "Service", "Secret", "PodDisruptionBudget", "ConfigMap");
        BY_KIND.forEach((kind, m) -> {
            if (!kind.equals("Kustomization")) {
                assertThat((String) at(m, "metadata", "name")).as(kind).isEqualTo("warmpool");
                assertThat((String) at(m, "apiVersion")).as(kind).isNotBlank();
            }
        });
    }

    @Test
    void theDeployment_runsTwoReplicasOfThisVersionsImage() {
        Map<String, Object> deployment = kind("Deployment");
        assertThat((Object) at(deployment, "spec", "replicas")).isEqualTo(2);
        assertThat((String) at(container(), "image"))
                .isEqualTo("warmpool:" + System.getProperty("warmpool.version", "0.1.0-SNAPSHOT"));
        Map<String, Object> selector = map(at(deployment, "spec", "selector", "matchLabels"));
        assertThat(map(at(deployment, "spec", "template", "metadata", "labels"))).containsAllEntriesOf(selector);
    }

    @Test
    void probes_areLivenessOnHealthz_readinessOnReadyz_atTheContainersPort() {
        Map<String, Object> c = container();
        Map<String, Object> ports = new HashMap<>();
        for (Object p : list(c.get("ports"))) {
            ports.put(at(p, "name"), at(p, "containerPort"));
        }
        assertThat(ports).containsEntry("http", 8080);
        Map<String, String> paths = Map.of("livenessProbe", "/healthz", "readinessProbe", "/readyz", "startupProbe", "/healthz");
        paths.forEach((probe, path) -> {
            assertThat((String) at(c, probe, "httpGet", "path")).as(probe).isEqualTo(path);
            Object port = at(c, probe, "httpGet", "port");
            assertThat(port instanceof String name ? ports.get(name) : port).as(probe + " port").isEqualTo(8080);
        });
    }

    @Test
    void secretsAndConfigMaps_referencedByTheDeployment_existWithTheirKeys() {
        Map<String, Object> secretData = map(at(kind("Secret"), "stringData"));
        List<String> secretKeys = new ArrayList<>();
        for (Object e : list(container().get("env"))) {
            optional(e, "valueFrom", "secretKeyRef").ifPresent(ref -> {
                assertThat((String) at(ref, "name")).isEqualTo(at(kind("Secret"), "metadata", "name"));
                String key = at(ref, "key");
                assertThat(secretData).as("the Secret's keys").containsKey(key);
                secretKeys.add(key);
            });
        }
        assertThat(secretKeys).as("the token and the database password come from the Secret")
                .containsExactlyInAnyOrder("token", "db-password");
        assertThat(variables()).containsKeys("WARMPOOL_TOKEN", "WARMPOOL_DB_PASSWORD");
        for (Object v : list(podSpec().get("volumes"))) {
            optional(v, "configMap", "name").ifPresent(name ->
                    assertThat(name).isEqualTo(at(kind("ConfigMap"), "metadata", "name")));
        }
        assertThat(map(at(kind("ConfigMap"), "data"))).containsKey("warmpool.yaml");
    }

    @Test
    void theServiceAndThePodDisruptionBudget_selectTheDeploymentsPods() {
        Map<String, Object> podLabels = map(at(kind("Deployment"), "spec", "template", "metadata", "labels"));
        Map<String, Object> serviceSelector = map(at(kind("Service"), "spec", "selector"));
        assertThat(serviceSelector).isNotEmpty();
        assertThat(podLabels).containsAllEntriesOf(serviceSelector);
        Map<String, Object> pdb = kind("PodDisruptionBudget");
        assertThat((Object) at(pdb, "spec", "minAvailable")).isEqualTo(1);
        Map<String, Object> pdbSelector = map(at(pdb, "spec", "selector", "matchLabels"));
        assertThat(pdbSelector).isEqualTo(at(kind("Deployment"), "spec", "selector", "matchLabels"));
        Object servicePort = list(at(kind("Service"), "spec", "ports")).get(0);
        assertThat((Object) at(servicePort, "targetPort")).isEqualTo("http");
    }

    @Test
    void thePod_runsAsNonRoot_onAReadOnlyRoot_withTheStateDirOnAnEmptyDir() {
        Map<String, Object> pod = podSpec();
        assertThat((Object) at(pod, "securityContext", "runAsNonRoot")).isEqualTo(true);
        assertThat((Integer) at(pod, "securityContext", "runAsUser")).isPositive();
        Map<String, Object> c = container();
        assertThat((Object) at(c, "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
        assertThat((Object) at(c, "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(list(at(c, "securityContext", "capabilities", "drop"))).contains("ALL");
        Set<String> emptyDirs = new java.util.HashSet<>();
        for (Object v : list(pod.get("volumes"))) {
            if (map(v).containsKey("emptyDir")) {
                emptyDirs.add(at(v, "name"));
            }
        }
        List<String> writable = new ArrayList<>();
        for (Object m : list(c.get("volumeMounts"))) {
            if (emptyDirs.contains((String) at(m, "name"))) {
                writable.add(at(m, "mountPath"));
            }
        }
        String stateDir = flags().get("state-dir");
        assertThat(writable).as("emptyDir mounts").contains("/tmp")
                .anySatisfy(mount -> assertThat(stateDir).startsWith(mount + "/"));
    }

    @Test
    void theStopFitsTheGracePeriod() {
        Map<String, Object> pod = podSpec();
        int grace = at(pod, "terminationGracePeriodSeconds");
        // The pass in progress, then the workers' jobs, each within the stop bound, then the database: and the preStop pause.
        long needed = 2 * Settings.STOP_BOUND.toSeconds() + 5 + 5;
        assertThat(grace).isGreaterThanOrEqualTo((int) needed);
    }

    @Test
    void everyFlagVariableAndFileKey_theDeploymentGives_isAValidWarmpoolSetting(@TempDir Path tmp) throws IOException {
        List<Object> args = list(container().get("args"));
        assertThat(args.get(0)).isEqualTo("run");
        Map<String, String> flags = flags();
        assertThat(flags).containsEntry("http-addr", "0.0.0.0:8080").containsKeys("allowed-hosts", "state-dir", "config");
        Map<String, String> env = new LinkedHashMap<>();
        variables().forEach((name, value) -> {
            if (!OTHER_VARIABLES.contains(name)) {
                assertThat(Repo.settingOfVariable(name)).as(name + " is a warmpool setting").isPresent();
                env.put(name, value);
            }
        });
        Path config = tmp.resolve("warmpool.yaml");
        assertThat(flags.get("config")).as("--config is the ConfigMap's file")
                .isEqualTo(configMapMount() + "/warmpool.yaml");
        Files.writeString(config, (String) at(kind("ConfigMap"), "data", "warmpool.yaml"));

        Settings s = Repo.settings(flags, env, config);

        assertThat(s.dbUrl()).isPresent();
        assertThat(s.token()).isPresent();
        assertThat(s.dbPassword()).isPresent();
        assertThat(s.publicUrl()).contains("http://warmpool.warmpool.svc:8080");
        assertThat(s.http().allowedHosts()).contains("warmpool", "localhost", "10.1.2.3",
                "warmpool.warmpool.svc.cluster.local");
    }

    @Test
    void theSettingsCheck_refusesWhatWarmpoolRefuses(@TempDir Path tmp) throws IOException {
        // The check above can fail: a misspelled key in the file, a bad value in the environment.
        Path config = tmp.resolve("warmpool.yaml");
        Files.writeString(config, "reconcile-intervall: 15s\n");
        assertThatThrownBy(() -> Repo.settings(Map.of(), Map.of(), config))
                .isInstanceOf(ConfigException.class).hasMessageContaining("reconcile-intervall");
        assertThatThrownBy(() -> Repo.settings(Map.of("http-addr", "0.0.0.0:80800"), Map.of(), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http-addr");
        assertThatThrownBy(() -> Repo.runFlags(List.of("--http-adress", "x"), "planted"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("--http-adress is not a warmpool setting");
    }

    private static String configMapMount() {
        String volume = null;
        for (Object v : list(podSpec().get("volumes"))) {
            if (optional(v, "configMap").isPresent()) {
                volume = at(v, "name");
            }
        }
        for (Object m : list(container().get("volumeMounts"))) {
            if (at(m, "name").equals(volume)) {
                return at(m, "mountPath");
            }
        }
        throw new AssertionError("the ConfigMap is not mounted");
    }

    /** The Deployment's flags after {@code run}, with {@code $(VAR)} expanded as the kubelet does. */
    private static Map<String, String> flags() {
        List<String> args = new ArrayList<>();
        Map<String, String> vars = variables();
        for (Object a : list(container().get("args")).subList(1, list(container().get("args")).size())) {
            args.add(expand(String.valueOf(a), vars, "args"));
        }
        return Repo.runFlags(args, "deployment.yaml args");
    }

    /**
     * The container's variables in order, as the pod would see them: {@code fieldRef}s with sample values, a
     * {@code secretKeyRef} with the Secret's value, and {@code $(VAR)} expanded from the variables before it.
     */
    private static Map<String, String> variables() {
        Map<String, Object> secretData = map(at(kind("Secret"), "stringData"));
        Map<String, String> sample = Map.of("metadata.namespace", "warmpool", "status.podIP", "10.1.2.3");
        Map<String, String> vars = new LinkedHashMap<>();
        for (Object e : list(container().get("env"))) {
            String name = at(e, "name");
            String value;
            if (map(e).containsKey("value")) {
                value = expand(String.valueOf((Object) at(e, "value")), vars, name);
            } else if (optional(e, "valueFrom", "fieldRef").isPresent()) {
                String field = at(e, "valueFrom", "fieldRef", "fieldPath");
                assertThat(sample).as("a field the test knows").containsKey(field);
                value = sample.get(field);
            } else {
                value = String.valueOf(secretData.get((String) at(e, "valueFrom", "secretKeyRef", "key")));
            }
            assertThat(vars.put(name, value)).as(name + " is set once").isNull();
        }
        return vars;
    }

    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    /** {@code $(VAR)} of a variable defined before, as Kubernetes expands it; an undefined one is a mistake here. */
    private static String expand(String text, Map<String, String> vars, String where) {
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            assertThat(vars).as("$(" + m.group(1) + ") in " + where + " is defined before").containsKey(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(vars.get(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }
}
