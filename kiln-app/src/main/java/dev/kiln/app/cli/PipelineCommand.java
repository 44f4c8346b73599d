package dev.kiln.app.cli;

import picocli.CommandLine.Command;

@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = {"A model's loop declared in kiln.yaml: ingest -> validate -> train -> evaluate -> register -> promote, "
                + "each stage cached by the hash of its inputs (data version, its part of the file, Kiln's version), every run "
                + "recorded. Schema: docs/pipeline.md."},
        subcommands = {PipelineInit.class, PipelineRun.class, PipelineStatus.class, PipelineRuns.class, PipelineWatch.class})
final class PipelineCommand {
}
