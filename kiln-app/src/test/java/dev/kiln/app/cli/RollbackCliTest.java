package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kiln models rollback: the alias back to its previous holder, recorded, without the gates. */
class RollbackCliTest {
    @TempDir
    Path home;

    private CliRun kiln(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--home");
        all.add(home.toString());
        return CliRun.of(all.toArray(String[]::new));
    }

    private void trainAndRegister(Path data, String algorithm, String model) {
        CliRun run = kiln("train", "--data", data.toString(), "--target", "class", "--algorithms", algorithm, "--register", model);
        assertThat(run.exitCode()).as(run.err()).isZero();
    }

    private JsonNode lastAliasMove(String model) throws IOException {
        JsonNode last = null;
        for (JsonNode e : BadInputTest.json(kiln("models", "history", model, "--json").out())) {
            if (e.get("type").asText().equals("alias_set")) {
                last = e;
            }
        }
        return last;
    }

    @Test
    void rollsProductionBackToAWeakerPreviousHolderWithoutForceAndRecordsIt() throws IOException {
        Path data = QuickstartCommand.extractDataset(home.resolve("data"));
        trainAndRegister(data, "baseline", "credit");
        trainAndRegister(data, "linear", "credit");
        assertThat(kiln("models", "alias", "credit", "production", "1", "--force", "--reason", "first").exitCode()).isZero();
        CliRun promote = kiln("models", "alias", "credit", "production", "2");
        assertThat(promote.exitCode()).as(promote.err()).isZero();
        assertThat(kiln("models", "alias", "credit", "production", "1").exitCode())
                .as("moving production to the baseline by hand fails the gates").isEqualTo(4);

        CliRun rollback = kiln("models", "rollback", "credit", "--reason", "complaints after 2");
        assertThat(rollback.exitCode()).as(rollback.err()).isZero();
        assertThat(rollback.out()).contains("credit@production: 2 -> 1").contains("complaints after 2");
        assertThat(BadInputTest.json(kiln("models", "show", "credit", "--json").out()).get("version").asInt()).isEqualTo(1);
        JsonNode move = lastAliasMove("credit");
        assertThat(move.get("version").asInt()).isEqualTo(1);
        assertThat(move.get("alias").asText()).isEqualTo("production");
        assertThat(move.get("reason").asText()).isEqualTo("complaints after 2");
        assertThat(move.get("actor").asText()).isEqualTo(System.getProperty("user.name"));
        assertThat(move.get("details").get("rollback").asBoolean()).isTrue();
        assertThat(move.get("details").get("from").asInt()).isEqualTo(2);

        // Rolling back the rollback returns to 2; --json; the alias named explicitly.
        CliRun again = kiln("models", "rollback", "credit", "production", "--reason", "false alarm", "--json");
        assertThat(again.exitCode()).as(again.err()).isZero();
        JsonNode r = BadInputTest.json(again.out());
        assertThat(r.get("from").asInt()).isEqualTo(1);
        assertThat(r.get("to").asInt()).isEqualTo(2);
        assertThat(r.get("rollback").asBoolean()).isTrue();
        assertThat(BadInputTest.json(kiln("models", "show", "credit", "--json").out()).get("version").asInt()).isEqualTo(2);
    }

    @Test
    void noAliasNoPreviousHolderNoReasonAreClearErrors() throws IOException {
        Path data = QuickstartCommand.extractDataset(home.resolve("data"));
        trainAndRegister(data, "baseline", "credit");
        CliRun noAlias = kiln("models", "rollback", "credit", "staging", "--reason", "x");
        assertThat(noAlias.exitCode()).isEqualTo(3);
        assertThat(noAlias.err()).contains("no alias 'staging'");

        assertThat(kiln("models", "alias", "credit", "staging", "1").exitCode()).isZero();
        assertThat(kiln("models", "alias", "credit", "staging", "1").exitCode()).isZero();
        CliRun first = kiln("models", "rollback", "credit", "staging", "--reason", "x");
        assertThat(first.exitCode()).isEqualTo(4);
        assertThat(first.err()).contains("credit@staging has no previous holder");
        CliRun firstJson = kiln("models", "rollback", "credit", "staging", "--reason", "x", "--json");
        assertThat(BadInputTest.json(firstJson.out()).get("error").get("code").asText()).isEqualTo("conflict");

        CliRun noReason = kiln("models", "rollback", "credit", "staging");
        assertThat(noReason.exitCode()).isEqualTo(2);
        assertThat(noReason.err()).contains("--reason");
        CliRun noModel = kiln("models", "rollback", "nosuch", "--reason", "x");
        assertThat(noModel.exitCode()).isEqualTo(3);
        assertThat(noModel.err()).contains("nosuch");
        assertThat(CliRun.of("models", "--help").out()).contains("rollback");
    }
}
