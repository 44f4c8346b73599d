package dev.kiln.app.cli;

import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.app.lifecycle.Tracking;
import dev.kiln.app.promotion.Promotion;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Explanation;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.bundle.Checksums;
import dev.kiln.runtime.io.AtomicFiles;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelVersion;
import dev.kiln.train.TrainOptions;
import dev.kiln.train.TrainingReport;
import dev.kiln.train.eval.CostMatrix;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"Kiln's main job on real data shipped with it: profile the German credit data, train the "
                + "baseline and every candidate, compare them on held-out rows, price the errors with the "
                + "dataset's cost matrix, write the chosen model's bundle and score a sample applicant.",
                "Everything is written under the Kiln home (default ./.kiln)."})
final class QuickstartCommand implements Callable<Integer> {
    static final String DATASET = "credit-g.csv";
    static final String MODEL = "credit";
    /** The dataset's documented costs: 'good' predicted for a bad customer costs 5, 'bad' for a good one 1. */
    static final CostMatrix CREDIT_COSTS = new CostMatrix(1.0, 5.0);
    /** The credit data's sensitive attributes (its provenance note): sex and marital status, age, foreign worker. */
    static final List<String> SENSITIVE = List.of("personal_status", "age", "foreign_worker");

    @Spec
    CommandSpec spec;

    @Mixin
    StoreOptions store;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Override
    public Integer call() throws IOException {
        Path kilnHome = store.home();
        Path data = extractDataset(kilnHome.resolve("quickstart"));
        Path bundle = kilnHome.resolve("bundles").resolve("credit-quickstart");
        TrainOptions options = new TrainOptions(data, "class", null, null, null, 0.2, 0.2, seed,
                TrainOptions.ALL_ALGORITHMS, List.of(), "bad", CREDIT_COSTS, bundle, true, SENSITIVE);
        Tracking.Tracked tracked;
        ModelVersion version;
        Promotion.Outcome promotion;
        try (KilnStore s = store.open(); Progress progress = new Progress("quickstart", !json)) {
            tracked = Tracking.train(s, "quickstart", options, progress);
            version = s.registry().register(MODEL, Path.of(tracked.report().bundle()), tracked.run().id(), Promotion.actor(),
                    "kiln quickstart");
            promotion = Promotion.moveAlias(s.registry(), MODEL, "production", version.version(), Promotion.Policy.defaults(),
                    false, "kiln quickstart");
        }
        KilnModel model = KilnModel.load(Path.of(tracked.report().bundle()));
        Map<String, Object> applicant = sampleApplicant();
        Result r = new Result(data, tracked, version, promotion, model, applicant, model.predict(applicant), model.explain(applicant));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Reports.json(out, json(r));
        } else {
            print(out, r);
        }
        out.flush();
        return 0;
    }

    /** What the quickstart did: the run, the registered version and its promotion, and a sample applicant scored. */
    private record Result(Path data, Tracking.Tracked tracked, ModelVersion version, Promotion.Outcome promotion, KilnModel model,
                          Map<String, Object> applicant, Prediction prediction, Explanation why) {
        TrainingReport report() {
            return tracked.report();
        }
    }

    private static Map<String, Object> json(Result r) {
        Map<String, Object> result = new LinkedHashMap<>(Tracking.withoutProfile(r.report()));
        result.put("profile", r.report().profile());
        Map<String, Object> registry = new LinkedHashMap<>();
        registry.put("name", r.version().model());
        registry.put("version", r.version().version());
        registry.put("production", r.promotion().moved());
        registry.put("checks", r.promotion().checks());
        result.put("run_id", r.tracked().run().id());
        result.put("registered", registry);
        result.put("sample", Map.of("input", r.applicant(), "prediction", r.prediction().prediction(),
                "probabilities", r.prediction().probabilities(), "explanation", r.why().toMap()));
        return result;
    }

    private static void print(PrintWriter out, Result r) {
        out.println("== 1. The data: German credit (1000 applicants, target 'class' good/bad) ==");
        out.print(Reports.profile(r.report().profile()));
        out.println();
        out.println("== 2. Candidates against the baseline ==");
        out.print(Reports.summary(r.report()));
        out.print(Reports.leaderboard(r.report()));
        out.println("chosen: " + r.report().chosen() + " (best validation " + r.report().selectionMetric()
                + "; test metrics are reported once, after the choice)");
        out.println();
        out.println("Confusion matrix on test rows at the cost-minimising threshold:");
        out.print(Reports.confusion(r.report()));
        out.println();
        out.println("== 3. The business view ==");
        out.print(Reports.business(r.report()));
        out.println();
        out.println("== 3b. Fairness: the chosen model on groups of test applicants ==");
        out.print(Reports.slices(r.report()));
        out.println();
        out.println("== 4. The bundle ==");
        out.println("bundle: " + r.report().bundle());
        out.println("  (manifest.json, pipeline.json, estimator.json, profile.json, reference_sketch.json; SHA-256 of each file in the manifest)");
        out.println();
        out.println("== 5. Tracked and registered ==");
        out.println("run: " + r.tracked().run().id() + " (kiln runs show " + r.tracked().run().id() + ")");
        out.println("registered: " + r.version().model() + ":" + r.version().version());
        out.print(Reports.gates(r.promotion().checks()));
        out.println(r.promotion().moved()
                ? MODEL + "@production -> version " + r.version().version() + (r.promotion().from() == null ? "" : " (was " + r.promotion().from() + ")")
                : MODEL + "@production stays at version " + r.promotion().from() + ": the new version failed its gates");
        out.println("(kiln models history " + MODEL + ", kiln lineage " + MODEL + ", kiln models card " + MODEL + ")");
        out.println();
        out.println("== 6. A sample prediction, explained (Java: KilnModel.load(path).predict(row), .explain(row)) ==");
        out.println("applicant: " + r.applicant());
        out.printf(java.util.Locale.ROOT, "prediction: %s  (P(bad) = %.3f, threshold %.3f)%n", r.prediction().prediction(),
                r.prediction().probabilities().get("bad"), r.model().decisionThreshold());
        out.print(Reports.reasons(r.why(), r.applicant(), 5));
        out.println();
        out.println("Next: ./kiln predict --model " + r.report().bundle() + " --input " + r.data() + " --output predictions.csv [--explain]");
        out.println("      ./kiln serve --model credit=credit --monitor    (HTTP inference that watches itself)");
        out.println("      ./kiln demo drift                               (the monitoring loop on two years of real data)");
        out.println("      ./kiln server                                   (then open http://127.0.0.1:" + dev.kiln.app.server.ApiServer.DEFAULT_PORT
                + ": the web UI of these runs and models)");
    }

    /** Copies the shipped dataset under the home (atomically), unless an identical copy is there. */
    static Path extractDataset(Path dir) throws IOException {
        byte[] bytes;
        try (InputStream in = QuickstartCommand.class.getResourceAsStream("/dev/kiln/app/quickstart/" + DATASET)) {
            if (in == null) {
                throw new KilnException(ErrorCode.INTERNAL, "the quickstart dataset is missing from this build");
            }
            bytes = in.readAllBytes();
        }
        Files.createDirectories(dir);
        Path target = dir.resolve(DATASET);
        if (Files.isRegularFile(target) && Checksums.sha256(target).equals(Checksums.sha256(bytes))) {
            return target;
        }
        AtomicFiles.write(target, bytes);
        return target;
    }

    /** A new applicant, as an application would pass it: plain Java values keyed by column name. */
    static Map<String, Object> sampleApplicant() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("checking_status", "<0");
        row.put("duration", 36);
        row.put("credit_history", "existing paid");
        row.put("purpose", "used car");
        row.put("credit_amount", 9000);
        row.put("savings_status", "<100");
        row.put("employment", "1<=X<4");
        row.put("installment_commitment", 4);
        row.put("personal_status", "male single");
        row.put("other_parties", "none");
        row.put("residence_since", 2);
        row.put("property_magnitude", "car");
        row.put("age", 28);
        row.put("other_payment_plans", "none");
        row.put("housing", "rent");
        row.put("existing_credits", 1);
        row.put("job", "skilled");
        row.put("num_dependents", 1);
        row.put("own_telephone", "none");
        row.put("foreign_worker", "yes");
        return row;
    }
}
