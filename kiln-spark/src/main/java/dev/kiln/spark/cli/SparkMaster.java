package dev.kiln.spark.cli;

import picocli.CommandLine.Option;

/** {@code --master}, which every {@code kiln spark} command takes, and the session it starts. */
final class SparkMaster {
    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[*] (the default, unless spark-submit set one), local[N], spark://HOST:PORT, yarn, ...")
    String master;

    /** The session for --master (see {@link Sessions#start}), named {@code appName}. */
    Sessions.Started start(String appName) {
        return Sessions.start(master, appName);
    }
}
