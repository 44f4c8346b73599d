package dev.kiln.app.cli;

import dev.kiln.serve.InferenceServer;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;

/**
 * A real {@code kiln serve} in this JVM for tests outside the CLI's package (the API's and the browser's): the
 * command's own start, with its heartbeat interval shortened; bundles with columns x1, x2 to serve; live traffic.
 */
public final class InProcessServe {
    private InProcessServe() {
    }

    /** {@code kiln serve ARGS} started (not waiting for a signal): close the server to stop it, as a SIGTERM would. */
    public static InferenceServer start(Duration heartbeat, String... args) {
        ServeCommand command = new ServeCommand();
        command.env = name -> null;
        command.heartbeatEvery = heartbeat;
        new CommandLine(command).parseArgs(args);
        return command.start();
    }

    /** A bundle that learnt y from x1 (classes good, bad). */
    public static Path goodBundle() {
        return RolloutBundles.good();
    }

    /** Another bundle with the same columns and classes, that learnt from x2. */
    public static Path otherBundle() {
        return RolloutBundles.wrong();
    }

    /** Scoring requests to {@code credit} on the server at {@code port} on a background thread until closed. */
    public static AutoCloseable traffic(int port) {
        return new LiveTraffic(port, false, null);
    }

    /** Scoring requests answered 200 so far by {@code traffic}. */
    public static long answered(AutoCloseable traffic) {
        return ((LiveTraffic) traffic).answered.get();
    }
}
