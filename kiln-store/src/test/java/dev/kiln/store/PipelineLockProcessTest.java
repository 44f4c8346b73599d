package dev.kiln.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline lock across JVMs on one SQLite Kiln home: one holder at a time, and a killed holder's lock taken over. */
@Tag("slow")
class PipelineLockProcessTest {
    @TempDir
    Path dir;

    private Process worker(String name, String... args) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", cp, PipelineLockWorker.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile()).start();
    }

    private List<String> output(String name) throws IOException {
        Path out = dir.resolve(name + ".out");
        return Files.exists(out) ? Files.readAllLines(out) : List.of();
    }

    private void awaitLine(String name, String prefix, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (output(name).stream().noneMatch(l -> l.startsWith(prefix))) {
            if (!p.isAlive()) {
                throw new AssertionError(name + " exited early: " + String.join("\n", output(name)));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " printed no '" + prefix + "' in time: " + String.join("\n", output(name)));
            }
            Thread.sleep(10);
        }
    }

    @Test
    void twoProcessesRacingForOneLockNeverHoldItAtOnce() throws Exception {
        Path home = dir.resolve("home");
        Path go = dir.resolve("go");
        Path marker = dir.resolve("holding");
        try (KilnStore s = KilnStore.open(home, null)) {
            assertThat(s.pipelineLocks().holder("credit")).isEmpty();
        }
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ps.add(worker("race" + i, "race", home.toString(), go.toString(), "credit", marker.toString(), "40"));
        }
        for (int i = 0; i < 2; i++) {
            awaitLine("race" + i, "ready", ps.get(i));
        }
        Files.createFile(go);
        for (int i = 0; i < 2; i++) {
            assertThat(ps.get(i).waitFor(120, TimeUnit.SECONDS)).as("race" + i + " finished").isTrue();
            assertThat(ps.get(i).exitValue()).as(String.join("\n", output("race" + i))).isZero();
            assertThat(output("race" + i)).filteredOn("held"::equals).hasSize(40);
            assertThat(output("race" + i)).doesNotContain("overlap");
        }
        try (KilnStore s = KilnStore.open(home, null)) {
            assertThat(s.pipelineLocks().holder("credit")).isEmpty();
        }
    }

    @Test
    void theLockOfAKilledProcessIsTakenOverAtOnce() throws Exception {
        Path home = dir.resolve("home");
        try (KilnStore s = KilnStore.open(home, null)) {
            s.tracking().experiment("warm-up");
        }
        Process p = worker("hold", "hold", home.toString(), "credit");
        awaitLine("hold", "held ", p);
        try (KilnStore s = KilnStore.open(home, null)) {
            assertThat(s.pipelineLocks().holder("credit")).hasValueSatisfying(h -> assertThat(h.pid()).isEqualTo(p.pid()));
            assertThat(s.pipelineLocks().tryAcquire("credit", "watch", Duration.ofMinutes(1))).isEmpty();
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(s.pipelineLocks().holder("credit")).isEmpty();
            assertThat(s.pipelineLocks().tryAcquire("credit", "watch", Duration.ofMinutes(1))).isPresent();
        }
    }
}
