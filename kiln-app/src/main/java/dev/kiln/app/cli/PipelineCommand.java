package dev.kiln.app.cli;

import picocli.CommandLine.Command;

/** Its verbs are listed in {@link Cli#VERBS}, which adds them when the command line is built. */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = {"A model's loop declared in kiln.yaml: ingest -> validate -> train -> evaluate -> register -> promote, "
                + "each stage cached by the hash of its inputs (data version, its part of the file, Kiln's version), every run "
                + "recorded. Schema: docs/pipeline.md."})
final class PipelineCommand {
}
