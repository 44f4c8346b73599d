package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.serve.InferenceServer;
import dev.kiln.store.KilnStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A server watching several models never retrains them all from one retrain data file. */
class RetrainPolicyServeTest {
    @TempDir
    Path home;

    private ServeCommand serve(Path rules, String... models) {
        ServeCommand command = new ServeCommand();
        command.env = name -> null;
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--home", home.toString(), "--port", "0",
                "--poll-seconds", "0", "--monitor-rules", rules.toString()));
        for (String m : models) {
            args.add("--model");
            args.add(m);
        }
        new CommandLine(command).parseArgs(args.toArray(String[]::new));
        return command;
    }

    @Test
    void oneDataFileForSeveralServedModelsIsRefusedAndOnePerModelServes() throws Exception {
        Path data = QuickstartCommand.extractDataset(home.resolve("data"));
        CliRun train = CliRun.of("train", "--home", home.toString(), "--data", data.toString(), "--target", "class",
                "--algorithms", "baseline", "--out", home.resolve("bundle").toString());
        assertThat(train.exitCode()).as(train.err()).isZero();
        try (KilnStore s = KilnStore.open(home, null)) {
            s.registry().register("credit", home.resolve("bundle"), null, "test", "one");
            s.registry().register("churn", home.resolve("bundle"), null, "test", "two");
        }
        Path oneFile = Files.writeString(home.resolve("one.json"), """
                {"rules": [{"kind": "error_rate"}], "retrain": {"every": "30d", "data": "%s"}}""".formatted(data));
        assertThatThrownBy(() -> serve(oneFile, "credit=credit:1", "churn=churn:1").start())
                .isInstanceOf(KilnException.class)
                .satisfies(e -> assertThat(((KilnException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("would retrain every served model (churn, credit) from one file")
                .hasMessageContaining("\"data\": {\"churn\": \"churn.csv\", \"credit\": \"credit.csv\"}");

        // One model, or two names for the same model, may share the one file.
        try (InferenceServer server = serve(oneFile, "credit=credit:1", "again=credit:1").start()) {
            assertThat(server.port()).isPositive();
        }
        Path perModel = Files.writeString(home.resolve("per-model.json"), """
                {"rules": [{"kind": "error_rate"}], "retrain": {"every": "30d", "data": {"credit": "%s", "churn": "%s"}}}"""
                .formatted(data, data));
        try (InferenceServer server = serve(perModel, "credit=credit:1", "churn=churn:1").start()) {
            assertThat(server.port()).isPositive();
        }
    }
}
