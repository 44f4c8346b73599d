package dev.kiln.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.bundle.BundleReader;
import dev.kiln.runtime.bundle.Checksums;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several JVMs on one SQLite Kiln home at once, and one killed in the middle of registering. */
@Tag("slow")
class MultiProcessTest {
    @TempDir
    Path dir;

    private Process worker(String name, String... args) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", cp, StoreWorker.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile()).start();
    }

    private List<String> output(String name) throws IOException {
        Path out = dir.resolve(name + ".out");
        return Files.exists(out) ? Files.readAllLines(out) : List.of();
    }

    private void awaitLine(String name, String prefix, int count, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (output(name).stream().filter(l -> l.startsWith(prefix)).count() < count) {
            if (!p.isAlive()) {
                throw new AssertionError(name + " exited early: " + String.join("\n", output(name)));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " printed no '" + prefix + "' in time: " + String.join("\n", output(name)));
            }
            Thread.sleep(10);
        }
    }

    private List<Process> startAll(int n, String prefix, java.util.function.IntFunction<String[]> args) throws Exception {
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ps.add(worker(prefix + i, args.apply(i)));
        }
        for (int i = 0; i < n; i++) {
            awaitLine(prefix + i, "ready", 1, ps.get(i));
        }
        return ps;
    }

    private void finishAll(List<Process> ps, String prefix) throws Exception {
        for (int i = 0; i < ps.size(); i++) {
            assertThat(ps.get(i).waitFor(90, TimeUnit.SECONDS)).as(prefix + i + " finished").isTrue();
            assertThat(ps.get(i).exitValue()).as(String.join("\n", output(prefix + i))).isZero();
        }
    }

    @Test
    void fourProcessesRegisteringAtOnceGetVersionsOneToFour() throws Exception {
        Path home = dir.resolve("home");
        Path go = dir.resolve("go");
        Path bundle = TestBundles.write(dir.resolve("bundle"), 0);
        try (KilnStore s = KilnStore.open(home, null)) {
            s.tracking().experiment("warm-up");
        }
        List<Process> ps = startAll(4, "reg", i -> new String[] {"register", home.toString(), go.toString(), "credit", bundle.toString()});
        Files.createFile(go);
        finishAll(ps, "reg");
        List<Integer> printed = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            output("reg" + i).stream().filter(l -> l.startsWith("version ")).forEach(l -> printed.add(Integer.parseInt(l.substring(8))));
        }
        assertThat(printed).containsExactlyInAnyOrder(1, 2, 3, 4);
        try (KilnStore s = KilnStore.open(home, null)) {
            assertThat(s.registry().versions("credit")).extracting(ModelVersion::version).containsExactly(1, 2, 3, 4);
            assertThat(s.registry().history("credit")).extracting(ModelEvent::type)
                    .containsExactly("model_created", "version_registered", "version_registered", "version_registered", "version_registered");
        }
    }

    @Test
    void twoProcessesOpeningAnEmptyHomeMigrateItOnce() throws Exception {
        Path home = dir.resolve("empty-home");
        Path go = dir.resolve("go");
        List<Process> ps = startAll(2, "open", i -> new String[] {"open", home.toString(), go.toString()});
        Files.createFile(go);
        finishAll(ps, "open");
        assertThat(output("open0")).anyMatch(l -> l.startsWith("opened "));
        assertThat(output("open1")).anyMatch(l -> l.startsWith("opened "));
        try (KilnStore s = KilnStore.open(home, null)) {
            assertThat(StoreContract.migrations(s)).containsExactlyElementsOf(KilnStore.MIGRATIONS);
        }
    }

    @Test
    void aProcessKilledWhileRegisteringLeavesAConsistentStore() throws Exception {
        Path home = dir.resolve("home");
        Path go = dir.resolve("go");
        Files.createFile(go);
        // Two workers in turn, each killed at a random moment after it has registered a few versions.
        java.util.Random random = new java.util.Random();
        List<String> runIds = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            String name = "loop" + round;
            Process p = worker(name, "loop", home.toString(), go.toString(), "credit", dir.resolve("work" + round).toString());
            awaitLine(name, "version ", 2, p);
            Thread.sleep(random.nextInt(40));
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            runIds.add(output(name).stream().filter(l -> l.startsWith("run ")).findFirst().orElseThrow().substring(4));
        }
        String runId = runIds.get(0);
        try (KilnStore s = KilnStore.open(home, null)) {
            assertThat(s.tracking().run(runId).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
            assertThat(s.tracking().reapDeadRuns()).isEqualTo(2);
            for (String id : runIds) {
                Run reaped = s.tracking().run(id).orElseThrow();
                assertThat(reaped.status()).isEqualTo(RunStatus.KILLED);
                assertThat(reaped.endedAt()).isNotNull();
                assertThat(reaped.latestMetrics()).containsKey("i");
            }

            List<ModelVersion> versions = s.registry().versions("credit");
            assertThat(versions).extracting(ModelVersion::version)
                    .isEqualTo(IntStream.rangeClosed(1, versions.size()).boxed().toList());
            assertThat(versions.size()).isGreaterThanOrEqualTo(4);
            for (ModelVersion v : versions) {
                Path b = s.registry().bundlePath(v);
                assertThat(Checksums.sha256(b.resolve("manifest.json"))).isEqualTo(v.bundleSha256());
                assertThat(BundleReader.read(b).manifest().algorithm()).isEqualTo("linear");
            }
            assertThat(s.registry().model("credit").orElseThrow().latestVersion()).isEqualTo(versions.size());
            // the store still takes writes
            assertThat(s.registry().register("credit", TestBundles.write(dir.resolve("after"), 0.5), null, "t", null).version())
                    .isEqualTo(versions.size() + 1);
        }
    }
}
