package io.warmpool.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The test side of {@code src/test/scripts/scripted-provisioner.sh}, the command provisioner of the suite: what
 * each create call of a preset does ({@link #plan}), which calls were made ({@link #calls}), and the workspaces
 * that exist as directories ({@link #workspaces}) — the real resources, counted apart from the database.
 */
public final class ScriptedProvisioner {

    /** One create call, as the script recorded it. */
    public record Call(int number, String word, String workspace, long pid) {
    }

    private final Path root;

    public ScriptedProvisioner(Path root) {
        this.root = root.toAbsolutePath();
        try {
            Files.createDirectories(this.root.resolve("plan"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds {@code --provisioner command} and its argv settings to a replica. */
    public ServiceProcess.Builder configure(ServiceProcess.Builder replica) {
        Path script = Logs.script("scripted-provisioner.sh");
        return replica.setting("provisioner", "command")
                .setting("command-create", argv(script, "create"))
                .setting("command-delete", argv(script, "delete"));
    }

    private String argv(Path script, String action) {
        return "[\"bash\", \"" + script + "\", \"" + action + "\", \"" + root + "\"]";
    }

    /**
     * What the create calls of {@code template/preset} do, one word per call in order, the last repeating:
     * {@code ok}, {@code ok:<seconds>}, {@code fail}, {@code hang}. Read at each call, so it can be changed while
     * the services run (calls already started keep their word).
     */
    public void plan(String template, String preset, String words) {
        try {
            Path f = root.resolve("plan").resolve(template + "--" + preset);
            Path tmp = Files.writeString(f.resolveSibling(f.getFileName() + ".tmp"), words + "\n");
            Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The create calls of {@code template/preset} so far, in order. */
    public List<Call> calls(String template, String preset) {
        Path f = root.resolve("calls").resolve(template + "--" + preset);
        List<Call> out = new ArrayList<>();
        try {
            if (!Files.exists(f)) {
                return out;
            }
            for (String line : Files.readAllLines(f)) {
                String[] p = line.trim().split(" ");
                if (p.length == 4) {
                    out.add(new Call(Integer.parseInt(p[0]), p[1], p[2], Long.parseLong(p[3])));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The workspace ids of {@code template/preset} that exist as directories now. */
    public Set<String> workspaces(String template, String preset) {
        Path d = root.resolve("ws").resolve(template + "--" + preset);
        Set<String> out = new TreeSet<>();
        if (!Files.isDirectory(d)) {
            return out;
        }
        try (Stream<Path> s = Files.list(d)) {
            s.forEach(p -> out.add(p.getFileName().toString()));
        } catch (IOException e) {
            // a directory removed while listing: take what was read
        }
        return out;
    }

    /**
     * Kills scripts still sleeping (the orphans of a killed service: nothing else ends them). Only processes whose
     * pid the script recorded and that still run {@code sleep} or {@code bash}.
     *
     * @return how many were killed
     */
    public int killOrphans() {
        Path pids = root.resolve("pids");
        int killed = 0;
        if (!Files.isDirectory(pids)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(pids)) {
            for (Path p : s.toList()) {
                long pid = Long.parseLong(p.getFileName().toString());
                var handle = ProcessHandle.of(pid);
                if (handle.isPresent() && handle.get().isAlive() && handle.get().info().command()
                        .map(c -> c.endsWith("/sleep") || c.endsWith("/bash")).orElse(false)) {
                    handle.get().descendants().forEach(ProcessHandle::destroyForcibly);
                    handle.get().destroyForcibly();
                    killed++;
                }
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return killed;
    }
}
