package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.app.promotion.LiveEvidence;
import dev.kiln.store.KilnStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kiln models alias through the gates as a new user meets them (issue 18, point 5): the business cost is a metric a
 * gate can bound, the holder is scored on the candidate's rows, live evidence counts, and the table is recorded.
 */
class PromotionGatesCliTest {
    @TempDir
    Path home;

    private Path creditG() throws IOException {
        return QuickstartCommand.extractDataset(home.resolve("data"));
    }

    private JsonNode train(Path data, String algorithms, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("train", "--home", home.toString(), "--data", data.toString(),
                "--target", "class", "--algorithms", algorithms, "--register", "credit", "--json", "--budget", "0"));
        args.addAll(List.of(more));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.err()).isZero();
        return BadInputTest.json(run.out());
    }

    private CliRun kiln(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(2, "--home");
        all.add(3, home.toString());
        return CliRun.of(all.toArray(String[]::new));
    }

    private JsonNode lastAliasSet() throws IOException {
        JsonNode history = BadInputTest.json(kiln("models", "history", "credit", "--json").out());
        JsonNode last = null;
        for (JsonNode e : history) {
            if (e.get("type").asText().equals("alias_set")) {
                last = e;
            }
        }
        return last;
    }

    @Test
    void theBusinessCostIsAGateAndAnUnknownMetricIsAnError() throws IOException {
        JsonNode trained = train(creditG(), "linear", "--positive-class", "bad", "--cost-fp", "1", "--cost-fn", "5");
        double cost = trained.get("business").get("costPer1000").asDouble();

        // The cost is a test metric of the registered version, so a rule can bound it: a worse cost than allowed is refused.
        CliRun tooCostly = kiln("models", "alias", "credit", "production", "1", "--require", "cost_per_1000<=" + (cost - 1));
        assertThat(tooCostly.exitCode()).as(tooCostly.err()).isEqualTo(4);
        assertThat(tooCostly.out()).contains("cost_per_1000").contains("FAIL").contains(String.format(java.util.Locale.ROOT, "%.4f", cost));
        assertThat(tooCostly.err()).contains("gate_failed").contains("cost_per_1000");

        CliRun typo = kiln("models", "alias", "credit", "production", "1", "--require", "cost_per_100<=700");
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).contains("invalid_argument").contains("'cost_per_100 <= 700.0000'").contains("unknown metric 'cost_per_100'")
                .contains("roc_auc, pr_auc, log_loss, brier, accuracy, precision, recall, f1, cost_per_1000")
                .contains("fairness.<column>.<gap>");

        // A typo in a gate tag blocks nothing silently: the move is refused as invalid, naming the tag.
        assertThat(kiln("models", "tag", "credit", "gate.roc_acu", ">=0.7").exitCode()).isZero();
        CliRun badTag = kiln("models", "alias", "credit", "production", "1");
        assertThat(badTag.exitCode()).isEqualTo(2);
        assertThat(badTag.err()).contains("model tag 'gate.roc_acu'").contains("unknown metric 'roc_acu'");
        assertThat(kiln("models", "tag", "credit", "gate.roc_acu", "--remove").exitCode()).isZero();

        CliRun ok = kiln("models", "alias", "credit", "production", "1", "--require", "cost_per_1000<=" + (cost + 1), "--json");
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        JsonNode checks = BadInputTest.json(ok.out()).get("checks");
        assertThat(checks.get(0).get("name").asText()).isEqualTo("cost_per_1000");
        assertThat(checks.get(0).get("value").asDouble()).isEqualTo(cost);
        assertThat(checks.get(0).has("holder_value")).as("no holder yet (JSON leaves out what is null)").isFalse();
        // The table is the move's evidence in the history.
        JsonNode recorded = lastAliasSet().get("details").get("checks");
        assertThat(recorded.toString()).contains("cost_per_1000").contains("lift over baseline").contains("live evidence");

        // Without a cost matrix the cost is not a metric of the model: the rule says so.
        train(creditG(), "linear");
        CliRun noCost = kiln("models", "alias", "credit", "production", "2", "--require", "cost_per_1000<=700");
        assertThat(noCost.exitCode()).isEqualTo(2);
        assertThat(noCost.err()).contains("trained without a cost matrix");
    }

    @Test
    void theHolderIsScoredOnTheCandidatesRowsNotJudgedByItsOldTestFigure() throws IOException {
        Path old = creditG();
        train(old, "gbdt");
        assertThat(kiln("models", "alias", "credit", "production", "1").exitCode()).isZero();
        Path drifted = dev.kiln.app.promotion.HeadToHeadTest.drift(old, home.resolve("data/credit-new.csv"));
        train(drifted, "linear");

        double holderOld = BadInputTest.json(kiln("models", "show", "credit:1", "--json").out()).get("metrics").get("roc_auc").asDouble();
        double candidateOwn = BadInputTest.json(kiln("models", "show", "credit:2", "--json").out()).get("metrics").get("roc_auc").asDouble();
        assertThat(candidateOwn).as("the old comparison (new rows vs old rows) would have refused it").isLessThan(holderOld - 0.02);

        CliRun promote = kiln("models", "alias", "credit", "production", "2");
        assertThat(promote.exitCode()).as(promote.out() + promote.err()).isZero();
        assertThat(promote.out()).contains("holder v1 on the same 200 test rows").contains("credit@production: 1 -> 2");
        JsonNode vsHolder = null;
        for (JsonNode c : lastAliasSet().get("details").get("checks")) {
            if (c.get("name").asText().equals("roc_auc vs current holder")) {
                vsHolder = c;
            }
        }
        assertThat(vsHolder.get("value").asDouble()).isEqualTo(candidateOwn);
        assertThat(vsHolder.get("holder_value").asDouble()).as("the holder on the new rows").isLessThan(candidateOwn)
                .isNotEqualTo(holderOld);
        assertThat(lastAliasSet().get("details").get("head_to_head").get("rows").asInt()).isEqualTo(200);

        // Data that changed since the candidate was trained is never compared: the check fails saying so.
        train(old, "linear");
        Files.writeString(old, Files.readString(old).replace("radio/tv", "radio"));
        CliRun changed = kiln("models", "alias", "credit", "production", "3", "--max-regression", "1");
        assertThat(changed.exitCode()).isEqualTo(4);
        assertThat(changed.out()).contains("holder v2 scored on the candidate's test rows: the candidate's training data")
                .contains("has changed since it was trained");
        Files.delete(old);
        CliRun gone = kiln("models", "alias", "credit", "production", "3", "--max-regression", "1");
        assertThat(gone.exitCode()).isEqualTo(4);
        assertThat(gone.out()).contains("is not there any more");
        CliRun forced = kiln("models", "alias", "credit", "production", "3", "--max-regression", "1", "--force", "--reason", "data archived");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(lastAliasSet().get("details").get("failed_checks").toString()).contains("roc_auc vs current holder");
    }

    @Test
    void significantlyWorseLiveEvidenceBlocksTheMoveUntilForcedWithAReason() throws IOException {
        Path data = creditG();
        train(data, "linear");
        assertThat(kiln("models", "alias", "credit", "production", "1").exitCode()).isZero();
        train(data, "gbdt");
        try (KilnStore s = KilnStore.open(home, null)) {
            s.registry().recordEvent("credit", LiveEvidence.EVENT_TYPE, 2, null, "rollout", "shadow on live traffic",
                    new LiveEvidence("shadow", 2000, 0.81, "accuracy", 0.680, 0.835, 400L, 0.0003, true).toDetails());
        }
        CliRun refused = kiln("models", "alias", "credit", "production", "2", "--max-regression", "1");
        assertThat(refused.exitCode()).isEqualTo(4);
        assertThat(refused.out()).contains("live evidence (shadow)").contains("0.6800").contains("0.8350")
                .contains("significantly worse: accuracy 0.6800 vs production 0.8350, 400 labelled, p = 0.0003, agreement 0.810");
        assertThat(refused.err()).contains("gate_failed").contains("live evidence (shadow)");

        CliRun forced = kiln("models", "alias", "credit", "production", "2", "--max-regression", "1", "--force", "--reason",
                "shadow sample was a holiday");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(forced.out()).contains("FORCED");
        JsonNode details = lastAliasSet().get("details");
        assertThat(details.get("forced").asBoolean()).isTrue();
        assertThat(details.get("failed_checks").toString()).isEqualTo("[\"live evidence (shadow)\"]");
        assertThat(lastAliasSet().get("reason").asText()).isEqualTo("shadow sample was a holiday");
        assertThat(details.get("checks").toString()).contains("p = 0.0003");
    }
}
