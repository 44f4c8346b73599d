package dev.kiln.app.cli;

import dev.kiln.app.pipeline.PipelineFile;
import dev.kiln.app.pipeline.StarterFile;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.io.AtomicFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Write a commented starter kiln.yaml for a data file and its target column.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:written", "2:bad input (no such column; the file exists without --force)", "3:the data file is missing"})
final class PipelineInit implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "the training data (CSV, Parquet or JSON lines)")
    Path data;

    @Option(names = "--target", required = true, paramLabel = "COLUMN", description = "the column to predict")
    String target;

    @Option(names = "--name", paramLabel = "NAME", description = "the model's name (default: the data file's name)")
    String name;

    @Option(names = {"--file", "-f"}, defaultValue = PipelineFile.DEFAULT_NAME, paramLabel = "FILE",
            description = "where to write (default: ${DEFAULT-VALUE})")
    Path file;

    @Option(names = "--force", description = "replace an existing file")
    boolean force;

    @Override
    public Integer call() {
        Path out = file.toAbsolutePath().normalize();
        if (Files.exists(out) && !force) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, out + " exists; use --force to replace it", Map.of("file", out.toString()));
        }
        Path dataFile = data.toAbsolutePath().normalize();
        String model = name != null ? name : dataFile.getFileName().toString().replaceFirst("\\.[^.]*$", "")
                .toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_-]", "-").replaceAll("^[^a-z0-9]+", "");
        Path dir = out.getParent();
        String relative = dataFile.startsWith(dir) ? dir.relativize(dataFile).toString() : dataFile.toString();
        String text = StarterFile.text(model.isEmpty() ? "model" : model, relative, dataFile, target);
        PipelineFile.parse(text, out); // what init writes always loads
        AtomicFiles.writeOrFail(out, o -> o.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        PrintWriter w = spec.commandLine().getOut();
        w.println("wrote " + out + " (model " + model + ", target " + target + ")");
        w.println("run it with: kiln pipeline run" + (out.getFileName().toString().equals(PipelineFile.DEFAULT_NAME)
                && out.getParent().equals(Path.of("").toAbsolutePath()) ? "" : " --file " + out));
        w.flush();
        return 0;
    }
}
