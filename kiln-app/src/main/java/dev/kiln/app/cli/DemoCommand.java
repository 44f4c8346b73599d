package dev.kiln.app.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true, description = "Guided demonstrations on data shipped with Kiln.",
        subcommands = {DriftDemo.class, AbDemo.class, LoopDemo.class})
final class DemoCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
