package dev.kiln.app.cli;

import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.app.promotion.Gates;
import dev.kiln.app.promotion.AdminToken;
import dev.kiln.app.promotion.Promotion;
import dev.kiln.app.promotion.Rollout;
import dev.kiln.app.promotion.RolloutPlan;
import dev.kiln.app.promotion.RolloutResult;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRef;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "rollout", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Roll version VERSION of model NAME out to ALIAS (default production) on a running kiln serve that follows "
                + "it (kiln serve --model NAME=NAME --admin-token-file F), through the gates.",
                "shadow-canary (the default): the candidate first scores copies of live requests as a shadow until it has scored "
                        + "--shadow-requests; it is refused if it agrees with production less than --min-agreement, or if, with "
                        + "--log-dir (the server's prediction log) and feedback, its accuracy is significantly worse (p < 0.05). "
                        + "Then it answers a growing share of requests as a canary (--canary-steps, one per "
                        + "--canary-interval-seconds), which the server rolls back on more errors or slower answers than "
                        + "production. At its last step the alias moves, and the rollout waits until the server answers with it.",
                "direct: the alias moves now, and the rollout waits until the server answers with the new version.",
                "Every step is recorded in the model's history (kiln models history NAME); a refusal, rollback or failure also "
                        + "opens an alert (kiln monitor alerts), and leaves production, the shadow and the canary as they were. "
                        + "--force --reason overrides failed gates or refusing evidence, --skip shadow|canary skips a phase; "
                        + "each forced step is recorded with the reason."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:promoted: the alias moved and the server answers with the version", "2:bad input",
                "3:no such model or version", "4:refused (gates, evidence) or rolled back by the server; production unchanged",
                "7:the server refused the admin token", "8:the server could not be reached, or a phase timed out; undone"})
final class ModelsRollout implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions store;
    @Parameters(index = "0", paramLabel = "NAME")
    String name;
    @Parameters(index = "1", paramLabel = "VERSION")
    int version;
    @Option(names = "--serve", required = true, paramLabel = "URL", description = "the kiln serve to roll out on, e.g. http://127.0.0.1:8080")
    String serve;
    @Option(names = "--admin-token-file", paramLabel = "FILE",
            description = "file holding the server's admin token (default: the " + AdminToken.ENV + " environment variable)")
    Path adminTokenFile;
    @Option(names = "--alias", defaultValue = "production", paramLabel = "ALIAS", description = "the alias the server follows (default: ${DEFAULT-VALUE})")
    String alias;
    @Option(names = "--rollout", defaultValue = "shadow-canary", paramLabel = "KIND", description = "shadow-canary or direct (default: ${DEFAULT-VALUE})")
    String kind;
    @Option(names = "--shadow-requests", defaultValue = "200", paramLabel = "N", description = "requests the shadow scores before its evidence is read (default: ${DEFAULT-VALUE})")
    long shadowRequests;
    @Option(names = "--min-agreement", defaultValue = "0", paramLabel = "X", description = "least share of them on which it must agree with production (default: ${DEFAULT-VALUE}: not checked)")
    double minAgreement;
    @Option(names = "--log-dir", paramLabel = "DIR", description = "the server's prediction log, to compare shadow and production on the feedback received")
    Path logDir;
    @Option(names = "--min-labelled", defaultValue = "0", paramLabel = "N", description = "labelled shadow requests to wait for before comparing (default: ${DEFAULT-VALUE}: whatever arrived)")
    long minLabelled;
    @Option(names = "--canary-steps", defaultValue = "10,50,100", split = ",", paramLabel = "PERCENTS", description = "the canary's shares (default: ${DEFAULT-VALUE})")
    List<Double> canarySteps = new ArrayList<>();
    @Option(names = "--canary-interval-seconds", defaultValue = "60", paramLabel = "S", description = "time between the canary's steps (default: ${DEFAULT-VALUE})")
    double canaryIntervalSeconds;
    @Option(names = "--shadow-wait-seconds", defaultValue = "1800", paramLabel = "S", description = "how long the shadow may take (default: ${DEFAULT-VALUE})")
    long shadowWaitSeconds;
    @Option(names = "--canary-wait-seconds", paramLabel = "S", description = "how long the canary may take (default: 3 intervals per step plus 10 minutes)")
    Long canaryWaitSeconds;
    @Option(names = "--answer-wait-seconds", defaultValue = "120", paramLabel = "S", description = "how long the server may take to answer with the new version (default: ${DEFAULT-VALUE})")
    long answerWaitSeconds;
    @Option(names = "--unavailable-wait-seconds", defaultValue = "120", paramLabel = "S", description = "how long the server may be unreachable before the rollout fails (default: ${DEFAULT-VALUE})")
    long unavailableWaitSeconds;
    @Option(names = "--require", paramLabel = "RULE", description = "extra gate, e.g. roc_auc>=0.70 (repeatable)")
    List<String> require = new ArrayList<>();
    @Option(names = "--min-lift", defaultValue = "0", paramLabel = "X", description = "required lift over the baseline (default: strictly better)")
    double minLift;
    @Option(names = "--max-regression", defaultValue = "0.02", paramLabel = "X", description = "allowed drop against the current holder (default: ${DEFAULT-VALUE})")
    double maxRegression;
    @Option(names = "--skip", paramLabel = "PHASE", split = ",", description = "skip the shadow or the canary (needs --force --reason)")
    List<String> skip = new ArrayList<>();
    @Option(names = "--force", description = "promote despite failed gates or refusing shadow evidence (needs --reason; recorded)")
    boolean force;
    @Option(names = "--reason", paramLabel = "TEXT", description = "why; recorded with every forced step")
    String reason;
    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    /** The environment (tests replace it). */
    Function<String, String> env = System::getenv;
    /** The clock the rollout waits on (tests may replace it). */
    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
        ModelRef.checkName(alias, alias);
        RolloutPlan plan = plan();
        Promotion.Policy gates = new Promotion.Policy(require.stream().map(Gates::parse).toList(), minLift, maxRegression);
        PrintWriter err = spec.commandLine().getErr();
        RolloutResult r;
        try (KilnStore s = store.open()) {
            r = Rollout.run(s, name, alias, version, gates, plan, clock, line -> {
                err.println(line);
                err.flush();
            });
        }
        PrintWriter out = spec.commandLine().getOut();
        if (r.outcome() == RolloutResult.Outcome.PROMOTED) {
            if (json) {
                Reports.json(out, r.toMap());
            } else {
                out.println(name + "@" + alias + ": " + r.from() + " -> " + version + " (" + r.reason() + "; lead time "
                        + r.leadTime().toMillis() + " ms)");
            }
            out.flush();
            return 0;
        }
        if (!json) {
            out.println(name + "@" + alias + " stays " + r.from() + ": " + r.outcome().name().toLowerCase(java.util.Locale.ROOT));
            out.flush();
        }
        ErrorCode code = r.outcome() == RolloutResult.Outcome.FAILED ? r.error() : ErrorCode.CONFLICT;
        throw new KilnException(code, r.reason(), r.toMap());
    }

    private RolloutPlan plan() {
        URI url;
        try {
            url = URI.create(serve.trim());
        } catch (IllegalArgumentException e) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--serve is a URL such as http://127.0.0.1:8080, not '" + serve + "'",
                    Map.of("option", "--serve"));
        }
        AdminToken token = AdminToken.read(adminTokenFile, "--admin-token-file", env);
        Set<RolloutPlan.Phase> skipped = EnumSet.noneOf(RolloutPlan.Phase.class);
        skip.forEach(p -> skipped.add(RolloutPlan.Phase.parse(p, "--skip")));
        if (!(canaryIntervalSeconds > 0)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--canary-interval-seconds must be positive, not " + canaryIntervalSeconds,
                    Map.of("option", "--canary-interval-seconds"));
        }
        Duration interval = Duration.ofMillis(Math.max(1, Math.round(canaryIntervalSeconds * 1000)));
        Duration canaryWait = canaryWaitSeconds == null ? RolloutPlan.canaryWaitFor(canarySteps, interval) : seconds(canaryWaitSeconds, "--canary-wait-seconds");
        return RolloutPlan.defaults(RolloutPlan.Kind.parse(kind, "--rollout"), url, token.value(), token.source())
                .withShadow(shadowRequests, minAgreement, minLabelled, seconds(shadowWaitSeconds, "--shadow-wait-seconds"))
                .withCanary(canarySteps, interval, canaryWait)
                .withWaits(seconds(answerWaitSeconds, "--answer-wait-seconds"), seconds(unavailableWaitSeconds, "--unavailable-wait-seconds"),
                        Duration.ofMillis(500))
                .withLogDir(logDir)
                .withOverride(force, skipped, reason);
    }

    private static Duration seconds(long s, String option) {
        if (s < 1) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " must be at least 1, not " + s, Map.of("option", option));
        }
        return Duration.ofSeconds(s);
    }
}
