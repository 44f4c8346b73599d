package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.app.Poll;
import dev.kiln.app.pipeline.trigger.PipelineLockGuard;
import dev.kiln.store.KilnStore;
import dev.kiln.store.PipelineRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln pipeline watch}: a run to catch up, then a run when a new data file appears; the lock against manual runs. */
class PipelineWatchTest {
    @TempDir
    Path dir;

    @Test
    void aNewFileInTheWatchedDirectoryStartsARunThatPromotesIt() throws Exception {
        Path home = dir.resolve(".kiln");
        Path data = QuickstartCommand.extractDataset(dir.resolve("tmp"));
        List<String> all = Files.readAllLines(data, StandardCharsets.UTF_8);
        Path batches = Files.createDirectories(dir.resolve("batches"));
        write(batches.resolve("a.csv"), all, 0, 600);
        Path file = dir.resolve("kiln.yaml");
        Files.writeString(file, """
                name: credit
                data: batches/
                target: class
                train:
                  algorithms: [baseline, linear]
                gates:
                  max_regression: 0.2
                triggers:
                  data: true
                  poll: 1s
                """);
        CompletableFuture<CliRun> watch = CompletableFuture.supplyAsync(() -> CliRun.of("pipeline", "watch", "--file",
                file.toString(), "--max-runs", "2", "--home", home.toString()));
        List<PipelineRecord> runs = Poll.until(() -> finishedRuns(home), r -> r.size() >= 1 || watch.isDone(), Duration.ofMinutes(2));
        assertThat(runs).as(watch.isDone() ? watch.get().err() + watch.get().out() : "").hasSize(1);
        assertThat(runs.get(0).triggerKind()).isEqualTo("manual");

        // a new file, written beside and moved in (as a producer should); the watcher waits until it is stable
        Path tmp = dir.resolve("b.csv.part");
        write(tmp, all, 600, 1000);
        Files.move(tmp, batches.resolve("b.csv"), StandardCopyOption.ATOMIC_MOVE);
        CliRun done = watch.get(3, TimeUnit.MINUTES);
        assertThat(done.exitCode()).as(done.err() + done.out()).isZero();
        assertThat(done.out()).contains("watching credit (data batches/", "trigger data:", "b.csv", "run started by data",
                "promote: credit@production -> version 2", "stopped");
        List<PipelineRecord> after = finishedRuns(home);
        assertThat(after).hasSize(2);
        assertThat(after.get(0).triggerKind()).isEqualTo("data");
        assertThat(after.get(0).status()).isEqualTo(PipelineRecord.SUCCEEDED);
    }

    @Test
    void aManualRunIsRefusedWhileAnotherHoldsThePipeline() throws Exception {
        Path home = dir.resolve(".kiln");
        QuickstartCommand.extractDataset(dir);
        Path file = dir.resolve("kiln.yaml");
        Files.writeString(file, "name: credit\ndata: credit-g.csv\ntarget: class\ntrain:\n  algorithms: [baseline, linear]\n");
        try (KilnStore s = KilnStore.open(home, null);
             PipelineLockGuard held = PipelineLockGuard.hold(s, "credit", "kiln pipeline watch", Duration.ofMinutes(1))) {
            CliRun run = CliRun.of("pipeline", "run", "--file", file.toString(), "--home", home.toString());
            assertThat(run.exitCode()).isEqualTo(4);
            assertThat(run.err()).contains("kiln pipeline watch", "pid " + ProcessHandle.current().pid());
            assertThat(s.pipelines().runs("credit", 5)).as("nothing ran").isEmpty();
        }
        CliRun after = CliRun.of("pipeline", "run", "--file", file.toString(), "--home", home.toString());
        assertThat(after.exitCode()).as(after.err()).isZero();
    }

    private static List<PipelineRecord> finishedRuns(Path home) {
        if (!Files.exists(home.resolve("kiln.db"))) {
            return List.of();
        }
        try (KilnStore s = KilnStore.open(home, null)) {
            return s.pipelines().runs("credit", 10).stream().filter(r -> r.endedAt() != null).toList();
        }
    }

    private static void write(Path out, List<String> all, int from, int to) throws Exception {
        List<String> rows = new ArrayList<>();
        rows.add(all.get(0));
        rows.addAll(all.subList(1 + from, 1 + to));
        Files.write(out, rows, StandardCharsets.UTF_8);
    }
}
