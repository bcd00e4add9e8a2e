package io.warmpool.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code warmpool completion bash|zsh} (issue 18): the scripts are generated, are valid shell, and complete in a real
 * bash (the completion function called as bash calls it) and in a real interactive zsh (driven through a
 * pseudo-terminal with zsh's own {@code zpty}: {@code warmpool cl<TAB>} becomes {@code warmpool claim}). Without zsh
 * the zsh part is skipped with a loud message, and fails when {@value #REQUIRE_ZSH} is set (CI sets it).
 */
class CliCompletionTest {

    static final String REQUIRE_ZSH = "WARMPOOL_REQUIRE_ZSH";

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
    }

    /** Runs a program to its end (at most 60 s), its output kept in files so a large one cannot block it. */
    Result run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("%s did not finish within 60 s; output: %s; errors: %s", command, Files.readString(out), Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    Path script(String shell) throws IOException {
        CliRun run = CliRun.of(new String[] {"completion", shell});
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).contains("_complete_warmpool", "complete -F _complete_warmpool");
        return Files.writeString(dir.resolve("warmpool." + shell), run.out());
    }

    /** What bash's completion function offers for {@code line} (the word under the cursor is its last). */
    List<String> bashCompletes(Path script, String line) throws IOException, InterruptedException {
        List<String> words = new ArrayList<>(List.of(line.split(" ", -1)));
        String array = String.join(" ", words.stream().map(w -> "'" + w + "'").toList());
        Result r = run(List.of("bash", "--norc", "--noprofile", "-c", "source \"$1\" && COMP_WORDS=(" + array + ")"
                + " && COMP_CWORD=" + (words.size() - 1) + " && COMP_LINE='" + line + "' && COMP_POINT=${#COMP_LINE}"
                + " && _complete_warmpool warmpool \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\" 2>/dev/null;"
                + " printf '%s\\n' \"${COMPREPLY[@]}\"", "bash", script.toString()));
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out().lines().filter(l -> !l.isBlank()).map(String::strip).toList();
    }

    @Test
    void bothScripts_areValidBash() throws Exception {
        for (String shell : List.of("bash", "zsh")) {
            Result r = run(List.of("bash", "-n", script(shell).toString()));
            assertThat(r.exit()).as(shell + ": " + r.err()).isZero();
        }
    }

    @Test
    void inBash_theScriptCompletesCommandsOptionsAndChoices() throws Exception {
        Path script = script("bash");

        assertThat(bashCompletes(script, "warmpool cl")).containsExactly("claim");
        assertThat(bashCompletes(script, "warmpool presets ")).containsExactlyInAnyOrder("apply", "resume", "invalidate");
        assertThat(bashCompletes(script, "warmpool status --output ")).containsExactlyInAnyOrder("table", "json");
        assertThat(bashCompletes(script, "warmpool completion ")).containsExactlyInAnyOrder("bash", "zsh");
        // run's setting flags are added at start-up; the script has them too
        assertThat(bashCompletes(script, "warmpool run --reconcile-i")).containsExactly("--reconcile-interval");

        Result registered = run(List.of("bash", "--norc", "--noprofile", "-c", "source \"$1\" && complete -p warmpool",
                "bash", script.toString()));
        assertThat(registered.out()).contains("-F _complete_warmpool", "warmpool");
    }

    @Test
    void inZsh_theScriptCompletesInARealInteractiveShell() throws Exception {
        if (run(List.of("sh", "-c", "command -v zsh")).exit() != 0) {
            String message = "zsh is not installed: the zsh completion test is SKIPPED (apt-get install zsh; CI sets "
                    + REQUIRE_ZSH + "=1 and installs it)";
            System.err.println("!!! " + message);
            if (System.getenv(REQUIRE_ZSH) != null) {
                fail(message + ", but " + REQUIRE_ZSH + " is set");
            }
            Assumptions.abort(message);
        }
        Path script = script("zsh");
        assertThat(run(List.of("zsh", "-n", script.toString())).exit()).isZero();

        Path home = Files.createDirectories(dir.resolve("zdotdir"));
        Files.writeString(home.resolve(".zshrc"), "PROMPT='> '\n"
                + "autoload -U compinit && compinit -u -d " + home.resolve(".zcompdump") + "\n"
                + "source " + script + "\n");
        // zpty runs an interactive zsh on a pseudo-terminal; -r -m reads its screen output until the pattern matches
        // (a completion that never comes leaves it waiting: the 60 s limit above fails the test).
        Path drive = Files.writeString(dir.resolve("drive.zsh"), """
                zmodload zsh/zpty || exit 3
                zpty z "ZDOTDIR=$1 zsh -i"
                zpty -w -n z $'warmpool cl\\t'
                zpty -r -m z out '*warmpool claim*' || exit 1
                zpty -w -n z $'\\x15warmpool status --output j\\t'
                zpty -r -m z out '*--output json*' || exit 1
                zpty -d z
                print completed
                """);
        Result r = run(List.of("zsh", "-f", drive.toString(), home.toString()));

        assertThat(r.exit()).as("zsh: %s %s", r.out(), r.err()).isZero();
        assertThat(r.out()).contains("completed");
    }
}
