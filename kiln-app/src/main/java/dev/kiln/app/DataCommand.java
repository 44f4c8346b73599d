package dev.kiln.app;

import dev.kiln.data.DataReader;
import dev.kiln.data.Profiler;
import dev.kiln.runtime.profile.DatasetProfile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "data", mixinStandardHelpOptions = true, description = "Look at data before training on it.",
        subcommands = {DataCommand.Profile.class})
final class DataCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "profile", mixinStandardHelpOptions = true,
            description = "Profile a dataset (CSV, Parquet, JSON lines): per column type, missing, distinct, "
                    + "min/max/mean/std, quantiles, histogram, top categories. The dataset version is the SHA-256 of its bytes.")
    static final class Profile implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "the dataset file")
        Path path;

        @Option(names = "--json", description = "print the full profile as JSON")
        boolean json;

        @Override
        public Integer call() {
            DatasetProfile profile = Profiler.profile(DataReader.read(path));
            var out = spec.commandLine().getOut();
            if (json) {
                Reports.json(out, profile);
            } else {
                out.print(Reports.profile(profile));
                out.println("dataset version (sha256): " + profile.sha256());
            }
            out.flush();
            return 0;
        }
    }
}
