package io.warmpool.adapters.provisioner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warmpool.application.port.out.Health;
import io.warmpool.application.port.out.ProvisionRequest;
import io.warmpool.application.port.out.ProvisionResult;
import io.warmpool.application.port.out.Transition;
import io.warmpool.application.port.out.WorkspaceProvisionerPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, hands over, checks and deletes workspaces with the Terraform CLI (issue 16): each workspace is a Terraform
 * workspace, named by its id, in the {@code pg} backend on warmpool's own PostgreSQL, schema
 * {@link TerraformProvisionerConfig#stateSchema()}; every replica therefore sees every state, and Terraform's own
 * lock (a PostgreSQL advisory lock held by the Terraform process's session) protects it.
 *
 * <p><b>Transitions.</b>
 * <ul>
 *   <li>create: {@code workspace new} (an existing one is taken as is: a retried create), {@code apply}, then
 *       {@code output -json}: the non-sensitive outputs become the workspace's outputs (strings as they are, other
 *       values as JSON), plus {@value #VARIABLES_OUTPUT}, the variables the create set, so that a claim can apply
 *       again with the same ones;</li>
 *   <li>claim (R12): {@code apply} again with the create's variables, the claim's parameters over them, and the new
 *       {@code owner} and {@code workspace_name}; its non-sensitive outputs are merged over the create's;</li>
 *   <li>check (R10/R11), only when the module declares an output {@code ready} or {@code healthy}:
 *       {@code apply -refresh-only}, then the output: {@code ready} false is {@code starting}, {@code healthy}
 *       false {@code unhealthy};</li>
 *   <li>delete: {@code destroy}, then {@code workspace delete} (a workspace already gone is fine).</li>
 * </ul>
 * Variables reach Terraform as {@code TF_VAR_<name>} in its environment, only for variables the module declares
 * ({@code variable "<name>"} blocks of its {@code *.tf} and {@code *.tf.json} files): the parameters, and
 * {@code workspace_id}, {@code workspace_name} and {@code owner}. A create or claim with a parameter the module does
 * not declare fails permanently, naming it (R5); a delete ignores it.
 *
 * <p><b>Environment.</b> Every process gets the service's environment without {@code WARMPOOL_*}, {@code TF_VAR_*}
 * and {@code PG_*}, then {@code TF_IN_AUTOMATION=1}, {@code TF_INPUT=0}, {@code TF_CLI_CONFIG_FILE} (generated
 * under the work dir, with the shared {@code plugin_cache_dir}), {@code PG_CONN_STR} (the backend connection, with
 * its password: never on a command line nor in a log), {@code PG_SCHEMA_NAME} and {@code TF_WORKSPACE}.
 *
 * <p><b>Modules.</b> A workspace is applied from its template version's own module ({@code terraform: {module: DIR}}
 * in the presets file, found through {@link TerraformModules}), else from
 * {@link TerraformProvisionerConfig#module()}; neither is a permanent failure naming the preset. A relative module
 * path is resolved against the service's working directory.
 *
 * <p><b>Init.</b> Each module is copied to {@code <work dir>/modules/<sha-256 of its files>} and {@code init} runs
 * there once per content (the first transition after a change); every transition then runs with {@code -chdir} on
 * that copy, selecting its workspace by {@code TF_WORKSPACE}, so concurrent processes share one init. The variables
 * and outputs a module declares are read from that copy.
 *
 * <p><b>Failures.</b> Terraform exits 1 on every error; the first {@code Error: <summary>} line of stderr says which:
 * variable validation, undeclared or missing variables and configuration errors are permanent (R5), anything else
 * (provider and API errors, a lock held elsewhere) transient. The build log holds each step's command line (never
 * the environment) and the bounded tails of its stdout and stderr, except the stdout of {@code output -json}, which
 * holds sensitive values. A transition running longer than {@link TerraformProvisionerConfig#timeout()} has its
 * process tree killed (transient); the state lock dies with the process's database session, so no
 * {@code force-unlock} is ever needed.
 */
public final class TerraformProvisioner implements WorkspaceProvisionerPort, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TerraformProvisioner.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The output carrying the variables a create set (JSON object), read back by a claim. */
    public static final String VARIABLES_OUTPUT = "terraform_variables";
    private static final int ERROR_TAIL_CHARS = 1000;
    private static final Pattern VARIABLE = Pattern.compile("(?m)^\\s*variable\\s+\"([A-Za-z_][A-Za-z0-9_-]*)\"\\s*\\{");
    private static final Pattern OUTPUT = Pattern.compile("(?m)^\\s*output\\s+\"([A-Za-z_][A-Za-z0-9_-]*)\"\\s*\\{");
    private static final Pattern ERROR_SUMMARY = Pattern.compile("(?m)^(?:│\\s*)?Error: (.+)$");
    /** Error summaries of Terraform that no retry can fix: the module or the values given to it are wrong. */
    private static final List<String> PERMANENT_ERRORS = List.of(
            "Invalid value for variable", "Value for undeclared variable", "No value for required variable",
            "Invalid variable value", "Unsupported argument", "Missing required argument", "Unsupported block type",
            "Reference to undeclared", "Unsupported attribute", "Invalid reference", "Invalid expression",
            "Argument or block definition required", "Incorrect attribute value type", "Invalid function argument",
            "Call to unknown function", "Variables not allowed", "Missing newline after argument", "Invalid character",
            "Unclosed configuration block", "Duplicate", "Unsuitable value type", "Invalid for_each argument",
            "Invalid count argument", "Unreadable module directory", "Module not installed", "Unknown variable",
            "Invalid template interpolation value", "Unsupported Terraform Core version", "Failed to query available provider packages");

    private final TerraformProvisionerConfig config;
    private final TerraformModules modules;
    /** What the default module declares ({@code null} without one): decides {@link #supports} for checks. */
    private final Set<String> defaultVariables;
    private final Set<String> defaultOutputs;
    private final ExecutorService lane;
    private final ExecutorService claimLane;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private final Object initLock = new Object();
    /** The current copy of each module source seen, by its absolute path. */
    private final Map<Path, Module> copies = new java.util.HashMap<>();
    /** The copies {@code init} has run in. */
    private final Set<Path> initializedDirs = new java.util.HashSet<>();
    private volatile boolean closed;

    /** With the default module only ({@link TerraformModules#NONE}). */
    public TerraformProvisioner(TerraformProvisionerConfig config) {
        this(config, TerraformModules.NONE);
    }

    /**
     * Reads the default module's variable and output names; starts no process until the first request.
     *
     * @param modules the module of a preset's template version, when it names one
     */
    public TerraformProvisioner(TerraformProvisionerConfig config, TerraformModules modules) {
        this.config = Objects.requireNonNull(config, "config");
        this.modules = Objects.requireNonNull(modules, "modules");
        if (config.module() != null) {
            if (!Files.isDirectory(config.module())) {
                throw new IllegalArgumentException("terraform-module " + config.module() + " is not a directory");
            }
            this.defaultVariables = declared(config.module(), VARIABLE, "variable");
            this.defaultOutputs = declared(config.module(), OUTPUT, "output");
        } else {
            this.defaultVariables = null;
            this.defaultOutputs = null;
        }
        this.lane = Executors.newFixedThreadPool(config.maxConcurrent(), daemonThreads("warmpool-terraform-"));
        this.claimLane = Executors.newFixedThreadPool(config.maxConcurrent(), daemonThreads("warmpool-terraform-claim-"));
    }

    /** The variables the default module declares (empty without one). */
    public Set<String> declaredVariables() {
        return defaultVariables == null ? Set.of() : defaultVariables;
    }

    /**
     * Checks when the default module declares an output {@code ready} or {@code healthy}, or when there is no default
     * module (a template's own module may declare them: a check of one that does not fails permanently, naming it).
     */
    @Override
    public boolean supports(Transition transition) {
        return switch (Objects.requireNonNull(transition, "transition")) {
            case CREATE, DELETE, CLAIM -> true;
            case CHECK -> defaultOutputs == null || checkable(defaultOutputs);
        };
    }

    private static boolean checkable(Set<String> outputs) {
        return outputs.contains("ready") || outputs.contains("healthy");
    }

    @Override
    public CompletionStage<ProvisionResult> provision(ProvisionRequest request) {
        Objects.requireNonNull(request, "request");
        if (!supports(request.transition())) {
            return CompletableFuture.completedFuture(Unsupported.answer(request.transition(), "",
                    uncheckable(config.module())));
        }
        CompletableFuture<ProvisionResult> result = new CompletableFuture<>();
        if (closed) {
            result.complete(stopped());
            return result;
        }
        try {
            (request.transition() == Transition.CLAIM ? claimLane : lane).execute(() -> {
                ProvisionResult r;
                try {
                    r = closed ? stopped() : run(request);
                } catch (RuntimeException e) {
                    LOG.warn("terraform provisioner error: " + e);
                    r = new ProvisionResult.Failed("terraform provisioner error: " + e.getClass().getSimpleName()
                            + ": " + e.getMessage(), false, "");
                }
                result.complete(closed && !(r instanceof ProvisionResult.Succeeded) ? stopped() : r);
            });
        } catch (RejectedExecutionException e) {
            result.complete(stopped());
        }
        return result;
    }

    /** Stops: no new process starts; running ones are killed and their requests complete as unavailable. */
    @Override
    public void close() {
        closed = true;
        lane.shutdown();
        claimLane.shutdown();
        for (Process process : List.copyOf(running)) {
            CommandProvisioner.killTree(process, config.killGracePeriod());
        }
        pumps.shutdown();
    }

    private static String uncheckable(Path module) {
        return "the terraform module " + module + " declares no output 'ready' or 'healthy', so it"
                + " cannot say whether a workspace is ready";
    }

    /** The module source of {@code request}'s template version, else the default; {@code null} when neither. */
    private Path source(ProvisionRequest request) {
        Optional<String> own = modules.moduleOf(request.preset());
        if (own.isPresent()) {
            return Path.of(own.get()).toAbsolutePath().normalize();
        }
        return config.module() == null ? null : config.module().toAbsolutePath().normalize();
    }

    private ProvisionResult run(ProvisionRequest request) {
        long deadline = System.nanoTime() + config.timeout().toNanos();
        Job job = new Job(deadline);
        Path source;
        try {
            source = source(request);
        } catch (RuntimeException e) {
            // the template's module could not be read (the database): try again later
            return new ProvisionResult.Unavailable("cannot find the terraform module of " + request.preset() + ": "
                    + e.getMessage());
        }
        if (source == null) {
            return new ProvisionResult.Failed("template " + request.preset().template() + " version "
                    + request.preset().version() + " names no terraform module (terraform: {module: DIR} in the"
                    + " presets file) and the service has no --terraform-module", true, "");
        }
        if (!Files.isDirectory(source)) {
            return new ProvisionResult.Failed("the terraform module " + source + " of template "
                    + request.preset().template() + " version " + request.preset().version()
                    + " is not a directory on this replica", true, "");
        }
        Module module;
        try {
            module = prepared(source);
        } catch (StepFailed e) {
            return e.result(job);
        }
        if (request.transition() == Transition.CREATE || request.transition() == Transition.CLAIM) {
            Set<String> undeclared = new TreeSet<>(request.parameters().keySet());
            undeclared.removeAll(module.variables());
            if (!undeclared.isEmpty()) {
                return undeclaredFailure(source, undeclared);
            }
        }
        if (request.transition() == Transition.CHECK && !checkable(module.outputs())) {
            return Unsupported.answer(Transition.CHECK, "", uncheckable(source));
        }
        String workspace = request.workspace().text();
        try {
            initialized(module, job);
            return switch (request.transition()) {
                case CREATE -> create(request, module, workspace, job);
                case CLAIM -> claim(request, module, workspace, job);
                case CHECK -> check(module, workspace, job, request);
                case DELETE -> delete(request, module, workspace, job);
            };
        } catch (StepFailed e) {
            return e.result(job);
        }
    }

    /** Serialises this replica's {@code workspace new}: the pg backend lets one workspace be created at a time. */
    private final java.util.concurrent.locks.ReentrantLock workspaceCreation = new java.util.concurrent.locks.ReentrantLock();

    /** How long to wait before asking again for the pg backend's workspace-creation lock. */
    static final Duration CREATION_LOCK_RETRY = Duration.ofMillis(500);

    /**
     * {@code workspace new}. The pg backend takes one lock for every workspace creation (and {@code init}) with a
     * non-blocking try, and does not honour {@code -lock-timeout} for it: concurrent creates, here or on another
     * replica, fail at once with "Already locked for workspace creation". That is contention, not a failure of the
     * preset — so this replica creates one at a time, and a lock held elsewhere is asked for again every
     * {@link #CREATION_LOCK_RETRY} until the lock timeout.
     */
    private void newWorkspace(Path dir, String workspace, Job job) {
        // TF_WORKSPACE must name the workspace being created (Terraform refuses any other override).
        creating("terraform workspace new", () -> job.step(dir, workspace, Map.of(), true, "workspace", "new",
                "-no-color", "-lock-timeout=" + seconds(config.lockTimeout()), workspace), true);
    }

    /**
     * Runs {@code step} holding this replica's workspace-creation lock, asking again while the backend's lock is held
     * elsewhere ({@code Already locked}), until the lock timeout; any other failure throws at once.
     *
     * @param existsIsFine whether "already exists" counts as done (a retried create)
     */
    private void creating(String what, java.util.function.Supplier<Step> step, boolean existsIsFine) {
        long deadline = System.nanoTime() + config.lockTimeout().toNanos();
        workspaceCreation.lock();
        try {
            while (true) {
                Step done = step.get();
                String err = done.err.text();
                if (done.exit == 0 || existsIsFine && err.contains("already exists")) {
                    return;
                }
                if (!err.contains("Already locked") || System.nanoTime() - deadline > 0) {
                    throw done.failure(what);
                }
                try {
                    Thread.sleep(CREATION_LOCK_RETRY.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw done.failure(what);
                }
            }
        } finally {
            workspaceCreation.unlock();
        }
    }

    private ProvisionResult create(ProvisionRequest request, Module module, String workspace, Job job) {
        Path dir = module.dir();
        Map<String, String> variables = variables(module, request.parameters(), request);
        newWorkspace(dir, workspace, job);
        apply(dir, workspace, variables, job);
        Map<String, String> outputs = new TreeMap<>(outputs(dir, workspace, job));
        Map<String, String> set = new TreeMap<>(variables);
        set.keySet().removeAll(List.of("owner", "workspace_name", "workspace_id"));
        outputs.put(VARIABLES_OUTPUT, json(set));
        return new ProvisionResult.Succeeded(outputs, job.log());
    }

    private ProvisionResult claim(ProvisionRequest request, Module module, String workspace, Job job) {
        Path dir = module.dir();
        Map<String, String> parameters = new TreeMap<>(createVariables(request.outputs()));
        parameters.putAll(request.parameters());
        apply(dir, workspace, variables(module, parameters, request), job);
        return new ProvisionResult.Succeeded(outputs(dir, workspace, job), job.log());
    }

    private ProvisionResult check(Module module, String workspace, Job job, ProvisionRequest request) {
        Path dir = module.dir();
        Map<String, String> parameters = new TreeMap<>(createVariables(request.outputs()));
        parameters.putAll(request.parameters());
        parameters.keySet().retainAll(module.variables());
        List<String> args = new ArrayList<>(List.of("apply", "-refresh-only", "-auto-approve", "-input=false",
                "-no-color", "-lock-timeout=" + seconds(config.lockTimeout())));
        Step refreshed = job.step(dir, workspace, variables(module, parameters, request), true, args.toArray(String[]::new));
        if (refreshed.exit != 0) {
            throw refreshed.failure("terraform apply -refresh-only");
        }
        Map<String, String> outputs = outputs(dir, workspace, job);
        if (module.outputs().contains("healthy") && "false".equals(outputs.get("healthy"))) {
            return ProvisionResult.Checked.of(Health.UNHEALTHY, job.log());
        }
        if (module.outputs().contains("ready") && !"true".equals(outputs.get("ready"))) {
            return ProvisionResult.Checked.of(Health.STARTING, job.log());
        }
        return ProvisionResult.Checked.of(Health.READY, job.log());
    }

    private ProvisionResult delete(ProvisionRequest request, Module module, String workspace, Job job) {
        Path dir = module.dir();
        Map<String, String> parameters = new TreeMap<>(createVariables(request.outputs()));
        parameters.putAll(request.parameters());
        parameters.keySet().retainAll(module.variables());
        Step destroyed = job.step(dir, workspace, variables(module, parameters, request), true, "destroy", "-auto-approve",
                "-input=false", "-no-color", "-lock-timeout=" + seconds(config.lockTimeout()));
        if (destroyed.exit != 0) {
            throw destroyed.failure("terraform destroy");
        }
        Step removed = job.step(dir, "default", Map.of(), true, "workspace", "delete", "-no-color",
                "-lock-timeout=" + seconds(config.lockTimeout()), workspace);
        if (removed.exit != 0 && !removed.err.text().contains("doesn't exist")
                && !removed.err.text().contains("does not exist")) {
            throw removed.failure("terraform workspace delete");
        }
        return new ProvisionResult.Succeeded(Map.of(), job.log());
    }

    private void apply(Path dir, String workspace, Map<String, String> variables, Job job) {
        Step applied = job.step(dir, workspace, variables, true, "apply", "-auto-approve", "-input=false",
                "-no-color", "-lock-timeout=" + seconds(config.lockTimeout()));
        if (applied.exit != 0) {
            throw applied.failure("terraform apply");
        }
    }

    /** {@code output -json}: the non-sensitive outputs, strings as they are, other values as JSON. */
    private Map<String, String> outputs(Path dir, String workspace, Job job) {
        Step read = job.step(dir, workspace, Map.of(), false, "output", "-json", "-no-color");
        if (read.exit != 0) {
            throw read.failure("terraform output");
        }
        if (read.out.truncated()) {
            throw new StepFailed("terraform output -json printed more than " + config.outputLimitBytes()
                    + " bytes; keep the module's outputs small", false);
        }
        Map<String, String> outputs = new LinkedHashMap<>();
        try {
            JsonNode all = JSON.readTree(read.out.text());
            if (all != null) {
                all.fields().forEachRemaining(e -> {
                    JsonNode o = e.getValue();
                    if (o.path("sensitive").asBoolean(false)) {
                        return;
                    }
                    JsonNode value = o.path("value");
                    outputs.put(e.getKey(), value.isTextual() ? value.asText() : value.toString());
                });
            }
        } catch (IOException e) {
            throw new StepFailed("terraform output -json did not print JSON", false);
        }
        return outputs;
    }

    /** The variables to set: the parameters, and workspace_id, workspace_name, owner when the module declares them. */
    private static Map<String, String> variables(Module module, Map<String, String> parameters, ProvisionRequest request) {
        Map<String, String> variables = new TreeMap<>(parameters);
        putIfDeclared(module, variables, "workspace_id", request.workspace().text());
        putIfDeclared(module, variables, "workspace_name", request.workspaceName());
        putIfDeclared(module, variables, "owner", request.owner());
        return variables;
    }

    private static void putIfDeclared(Module module, Map<String, String> variables, String name, String value) {
        if (module.variables().contains(name) && value != null) {
            variables.put(name, value);
        }
    }

    private static ProvisionResult undeclaredFailure(Path module, Set<String> undeclared) {
        return new ProvisionResult.Failed("the terraform module " + module + " declares no variable for the"
                + " parameter" + (undeclared.size() > 1 ? "s " : " ") + String.join(", ", undeclared), true, "");
    }

    private static Map<String, String> createVariables(Map<String, String> outputs) {
        String text = outputs.get(VARIABLES_OUTPUT);
        if (text == null) {
            return Map.of();
        }
        try {
            Map<String, String> values = new TreeMap<>();
            JSON.readTree(text).fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
            return values;
        } catch (IOException e) {
            return Map.of();
        }
    }

    private static String json(Map<String, String> values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String seconds(Duration d) {
        return Math.max(1, d.toSeconds()) + "s";
    }

    /**
     * A module ready to run: its initialized copy and what it declares.
     *
     * @param dir       the copy under the work dir, where every step runs ({@code -chdir})
     * @param variables the {@code variable} blocks of its root files
     * @param outputs   the {@code output} blocks of its root files
     */
    private record Module(Path dir, Set<String> variables, Set<String> outputs) {
    }

    /** The copy of {@code source} for its current content, and what it declares; runs no process. */
    private Module prepared(Path source) {
        synchronized (initLock) {
            String hash;
            try {
                hash = contentHash(source);
            } catch (UncheckedIOException e) {
                throw new StepFailed(e.getMessage(), true);
            }
            Path dir = config.workDir().resolve("modules").resolve(hash);
            Module known = copies.get(source);
            if (known != null && known.dir().equals(dir)) {
                return known;
            }
            try {
                Files.createDirectories(config.workDir().resolve("plugin-cache"));
                writeCliConfig();
                if (!Files.isDirectory(dir.resolve(".terraform"))) {
                    copyModule(source, dir);
                }
            } catch (IOException e) {
                throw new StepFailed("cannot prepare " + dir + ": " + e.getMessage(), false);
            }
            Module module;
            try {
                module = new Module(dir, declared(dir, VARIABLE, "variable"), declared(dir, OUTPUT, "output"));
            } catch (IllegalArgumentException e) {
                throw new StepFailed(e.getMessage(), true);
            }
            copies.put(source, module);
            return module;
        }
    }

    /** Runs {@code init} in the module's copy the first time; copies of earlier contents are then removed. */
    private void initialized(Module module, Job job) {
        synchronized (initLock) {
            if (initializedDirs.contains(module.dir())) {
                return;
            }
            Path dir = module.dir();
            // init creates the backend's default workspace: the same creation lock as workspace new
            creating("terraform init", () -> job.step(dir, "default", Map.of(), true, "init", "-input=false", "-no-color"),
                    false);
            initializedDirs.add(dir);
            Set<Path> keep = new java.util.HashSet<>();
            copies.values().forEach(m -> keep.add(m.dir()));
            removeOtherCopies(dir.getParent(), keep);
            initializedDirs.retainAll(keep);
        }
    }

    private void writeCliConfig() throws IOException {
        Path cache = config.workDir().resolve("plugin-cache").toAbsolutePath();
        String text = "plugin_cache_dir = \"" + cache.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n"
                + "disable_checkpoint = true\n";
        Path file = cliConfigFile();
        if (!Files.exists(file) || !Files.readString(file).equals(text)) {
            Files.writeString(file, text);
        }
    }

    private Path cliConfigFile() {
        return config.workDir().resolve("terraformrc").toAbsolutePath();
    }

    /** Copies of earlier contents are of no use once their module's current content is initialized. */
    private static void removeOtherCopies(Path modulesDir, Set<Path> keep) {
        try (Stream<Path> copies = Files.list(modulesDir)) {
            copies.filter(p -> !keep.contains(p)).forEach(TerraformProvisioner::deleteTree);
        } catch (IOException e) {
            LOG.atDebug().log(() -> "cannot list " + modulesDir + ": " + e.getMessage());
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a later start tries again
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }

    /** The module's files, without Terraform's own {@code .terraform*} and local state files. */
    private static List<Path> moduleFiles(Path module) {
        try (Stream<Path> all = Files.walk(module)) {
            return all.filter(Files::isRegularFile)
                    .filter(p -> {
                        Path rel = module.relativize(p);
                        for (Path part : rel) {
                            if (part.toString().startsWith(".terraform")) {
                                return false;
                            }
                        }
                        String name = p.getFileName().toString();
                        return !name.endsWith(".tfstate") && !name.endsWith(".tfstate.backup");
                    })
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the terraform module " + module + ": " + e.getMessage(), e);
        }
    }

    private static String contentHash(Path module) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path file : moduleFiles(module)) {
                digest.update(module.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(Files.readAllBytes(file));
                digest.update((byte) 0);
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the terraform module " + module + ": " + e.getMessage(), e);
        }
    }

    /**
     * The override file written into every copy: whatever backend the module declares, or none, its states live in
     * the {@code pg} backend (configured from the environment) — never in a local file one replica alone can see.
     */
    static final String BACKEND_OVERRIDE_FILE = "zz_warmpool_backend_override.tf";
    private static final String BACKEND_OVERRIDE = """
            # Written by warmpool into its copy of the module: every workspace's state lives in the pg backend on
            # warmpool's database (PG_CONN_STR, PG_SCHEMA_NAME from the environment), shared by every replica.
            terraform {
              backend "pg" {}
            }
            """;

    private static void copyModule(Path module, Path into) throws IOException {
        Path partial = into.resolveSibling(into.getFileName() + ".partial");
        deleteTree(partial);
        for (Path file : moduleFiles(module)) {
            Path target = partial.resolve(module.relativize(file).toString());
            Files.createDirectories(target.getParent());
            Files.copy(file, target);
        }
        Files.createDirectories(partial);
        Files.writeString(partial.resolve(BACKEND_OVERRIDE_FILE), BACKEND_OVERRIDE);
        deleteTree(into);
        Files.move(partial, into);
    }

    /** The names of {@code kind} blocks ({@code variable}, {@code output}) in the module's root {@code .tf(.json)} files. */
    static Set<String> declared(Path module, Pattern pattern, String kind) {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(module)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".tf")) {
                    Matcher m = pattern.matcher(Files.readString(file));
                    while (m.find()) {
                        names.add(m.group(1));
                    }
                } else if (name.endsWith(".tf.json")) {
                    JsonNode blocks = JSON.readTree(file.toFile()).path(kind);
                    blocks.fieldNames().forEachRemaining(names::add);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the terraform module " + module + ": " + e.getMessage(), e);
        }
        return Set.copyOf(names);
    }

    private ProvisionResult stopped() {
        return new ProvisionResult.Unavailable("terraform provisioner is stopped");
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    static String clip(String text) {
        return text.length() <= ERROR_TAIL_CHARS ? text : "…" + text.substring(text.length() - ERROR_TAIL_CHARS);
    }

    /** Whether Terraform's stderr names an error no retry can fix. */
    static boolean permanent(String stderr) {
        Matcher m = ERROR_SUMMARY.matcher(stderr);
        while (m.find()) {
            String summary = m.group(1).strip();
            if (PERMANENT_ERRORS.stream().anyMatch(summary::startsWith)) {
                return true;
            }
        }
        return false;
    }

    /** A step that ended the transition. */
    private static final class StepFailed extends RuntimeException {
        final boolean permanent;
        /** The CLI could not be started at all: the provisioner is misconfigured, which says nothing of the preset (R3). */
        final boolean unavailable;

        StepFailed(String message, boolean permanent) {
            this(message, permanent, false);
        }

        StepFailed(String message, boolean permanent, boolean unavailable) {
            super(message, null, false, false);
            this.permanent = permanent;
            this.unavailable = unavailable;
        }

        ProvisionResult result(Job job) {
            return unavailable ? new ProvisionResult.Unavailable(getMessage())
                    : new ProvisionResult.Failed(getMessage(), permanent, job.log());
        }
    }

    /** One finished process. */
    private final class Step {
        final String command;
        final int exit;
        final BoundedTail out;
        final BoundedTail err;

        Step(String command, int exit, BoundedTail out, BoundedTail err) {
            this.command = command;
            this.exit = exit;
            this.out = out;
            this.err = err;
        }

        StepFailed failure(String what) {
            String tail = clip(err.text().strip());
            return new StepFailed(what + " exited with code " + exit + (tail.isEmpty() ? "" : ": " + tail),
                    permanent(err.text()));
        }
    }

    /** The steps of one transition, under one deadline; collects the build log. */
    private final class Job {
        final long deadline;
        final StringBuilder log = new StringBuilder();

        Job(long deadline) {
            this.deadline = deadline;
        }

        String log() {
            return log.toString();
        }

        /** Runs one Terraform command; {@code logStdout} false keeps its stdout (sensitive values) out of the log. */
        Step step(Path dir, String workspace, Map<String, String> variables, boolean logStdout, String... args) {
            if (closed) {
                throw new StepFailed("terraform provisioner is stopped", false);
            }
            List<String> argv = new ArrayList<>();
            argv.add(config.binary());
            argv.add("-chdir=" + dir.toAbsolutePath());
            argv.addAll(List.of(args));
            String shown = "terraform " + String.join(" ", args);
            ProcessBuilder builder = new ProcessBuilder(argv);
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(n -> n.startsWith("WARMPOOL_") || n.startsWith("TF_VAR_") || n.startsWith("PG_")
                    || n.equals("TF_WORKSPACE") || n.equals("TF_DATA_DIR") || n.equals("TF_CLI_ARGS")
                    || n.startsWith("TF_CLI_ARGS_"));
            env.put("TF_IN_AUTOMATION", "1");
            env.put("TF_INPUT", "0");
            env.put("TF_CLI_CONFIG_FILE", cliConfigFile().toString());
            env.put("PG_CONN_STR", config.backend().get());
            env.put("PG_SCHEMA_NAME", config.stateSchema());
            env.put("TF_WORKSPACE", workspace);
            variables.forEach((name, value) -> env.put("TF_VAR_" + name, value));
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            BoundedTail out = new BoundedTail(config.outputLimitBytes());
            BoundedTail err = new BoundedTail(config.outputLimitBytes());
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                LOG.warn("cannot start " + config.binary() + ": " + e.getMessage());
                throw new StepFailed("cannot start " + config.binary() + ": " + e.getMessage(), false, true);
            }
            running.add(process);
            try {
                Future<?> outPump = lanePump(process.getInputStream(), out);
                Future<?> errPump = lanePump(process.getErrorStream(), err);
                long remaining = deadline - System.nanoTime();
                boolean exited;
                try {
                    exited = remaining > 0 && process.waitFor(remaining, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    CommandProvisioner.killTree(process, config.killGracePeriod());
                    throw new StepFailed("interrupted while " + shown + " ran", false);
                }
                if (!exited) {
                    LOG.warn(shown + " timed out after " + config.timeout() + "; killing its process tree");
                    CommandProvisioner.killTree(process, config.killGracePeriod());
                    await(outPump, errPump);
                    append(shown, "killed after timeout " + config.timeout(), logStdout, out, err);
                    throw new StepFailed(shown + " timed out after " + config.timeout() + "; process tree killed", false);
                }
                await(outPump, errPump);
                append(shown, "exit code " + process.exitValue(), logStdout, out, err);
                return new Step(shown, process.exitValue(), out, err);
            } finally {
                running.remove(process);
            }
        }

        private void append(String shown, String status, boolean logStdout, BoundedTail out, BoundedTail err) {
            log.append("$ ").append(shown).append('\n').append(status).append('\n');
            log.append("--- stdout (").append(out.total()).append(" bytes")
                    .append(out.truncated() ? ", last " + config.outputLimitBytes() + " kept" : "").append(") ---\n")
                    .append(logStdout ? out.text() : "(not logged: it holds the outputs' values, sensitive ones too)\n");
            log.append("--- stderr (").append(err.total()).append(" bytes")
                    .append(err.truncated() ? ", last " + config.outputLimitBytes() + " kept" : "").append(") ---\n")
                    .append(err.text()).append('\n');
        }

        private void await(Future<?> a, Future<?> b) {
            try {
                a.get(config.killGracePeriod().toMillis(), TimeUnit.MILLISECONDS);
                b.get(config.killGracePeriod().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
                // what was read is all there is
            }
        }
    }

    private final ExecutorService pumps = Executors.newCachedThreadPool(daemonThreads("warmpool-terraform-io-"));

    private Future<?> lanePump(InputStream stream, BoundedTail into) {
        return pumps.submit(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = stream) {
                for (int n; (n = in.read(buffer)) != -1; ) {
                    into.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // closed under us: what we have is all there is
            }
        });
    }
}
