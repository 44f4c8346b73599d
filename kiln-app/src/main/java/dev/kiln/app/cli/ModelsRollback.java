package dev.kiln.app.cli;

import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.app.promotion.Promotion;
import dev.kiln.app.promotion.Rollback;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRef;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = {"Move ALIAS of model NAME back to the version it pointed at before its current one (from the "
                + "registry's history), recorded with the reason, who, and rollback=true.",
                "The gates are not re-run and --force is not needed, even when the previous version scores lower: it "
                        + "already served under the alias. Rolling back twice returns to where it started; to go further "
                        + "back, use 'kiln models alias'."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:rolled back", "2:bad input (no --reason, a bad name)",
                "3:no such model, or the model has no such alias", "4:the alias has no previous holder"})
final class ModelsRollback implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    StoreOptions store;
    @Parameters(index = "0", paramLabel = "NAME")
    String name;
    @Parameters(index = "1", paramLabel = "ALIAS", arity = "0..1", defaultValue = "production",
            description = "the alias to move back (default: ${DEFAULT-VALUE})")
    String alias;
    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why; recorded in the history")
    String reason;
    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() {
        ModelRef.checkName(alias, alias);
        if (reason.isBlank()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--reason must say why (it is recorded in the history)",
                    Map.of("option", "--reason"));
        }
        Rollback.Outcome o;
        try (KilnStore s = store.open()) {
            o = Rollback.run(s.registry(), name, alias, reason, Promotion.actor());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model", o.model());
            r.put("alias", o.alias());
            r.put("from", o.from());
            r.put("to", o.to());
            r.put("rollback", true);
            r.put("reason", o.reason());
            Reports.json(out, r);
        } else {
            out.println(o.model() + "@" + o.alias() + ": " + o.from() + " -> " + o.to() + " (rolled back: " + o.reason() + ")");
        }
        out.flush();
        return 0;
    }
}
