package dev.kiln.spark.cli;

import dev.kiln.runtime.ErrorBody;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnVersion;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code kiln spark} commands, with errors worded and exit codes given as {@code kiln}'s own (kiln-app's
 * {@code Cli}): {@code error [code]: message} on stderr (or the JSON error body on stdout with {@code --json}) and the
 * code's exit code.
 */
@Command(name = "kiln spark", mixinStandardHelpOptions = true, versionProvider = SparkCli.Version.class,
        description = {"Kiln on Apache Spark: the same bundles, on data that does not fit one machine.",
                "Run by ./kiln spark on an embedded local Spark (--master local[*] unless --master says otherwise), or "
                        + "by spark-submit --class dev.kiln.spark.SparkMain kiln-spark.jar on a cluster."},
        subcommands = {PredictJob.class, ValidateJob.class, DriftJob.class, ProfileJob.class, TrainJob.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success (rows that could not be scored are reported in the output's kiln_error column)",
                "1:internal error (a bug; run with KILN_DEBUG=1 for the stack trace)",
                "2:bad input or usage (file, format, column, option)",
                "3:not found (input, bundle, registered model, version or alias)",
                "4:conflict (the output exists: --overwrite replaces it)",
                "5:validation failed (kiln spark validate; --fail-on says from which status)",
                "6:drift found and --fail-on-drift given (kiln spark drift)",
                "10:the Spark job failed"})
public final class SparkCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs {@code args} and returns the exit code. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The command line, its output and errors on the process's streams (tests set their own writers). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SparkCli());
        cl.setExecutionExceptionHandler(SparkCli::handle);
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("error [invalid_argument]: " + ex.getMessage());
            ex.getCommandLine().usage(err);
            return ErrorCode.INVALID_ARGUMENT.exitCode();
        });
        return cl;
    }

    private static int handle(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        KilnException failed = ex instanceof KilnException k ? k : SparkErrors.jobFailure(ex);
        KilnException ke = failed != null ? failed
                : new KilnException(ErrorCode.INTERNAL, "unexpected " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
        boolean json = hasJson(parsed);
        if (json) {
            try {
                cl.getOut().println(Json.mapper().writeValueAsString(ErrorBody.kiln(ke)));
            } catch (Exception ignored) {
                cl.getErr().println("error [" + ke.code().wireName() + "]: " + ke.getMessage());
            }
        } else {
            cl.getErr().println("error [" + ke.code().wireName() + "]: " + ke.getMessage());
        }
        if (System.getenv("KILN_DEBUG") != null) {
            ex.printStackTrace(cl.getErr());
        } else if (failed == null) {
            cl.getErr().println("(this is a bug in Kiln; run with KILN_DEBUG=1 to see the stack trace)");
        }
        cl.getErr().flush();
        cl.getOut().flush();
        return failed != null ? ke.code().exitCode() : 1;
    }

    private static boolean hasJson(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--json")) {
                return true;
            }
        }
        return false;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"kiln spark " + KilnVersion.get() + " (Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION() + ")"};
        }
    }
}
