package dev.kiln.spark.cli;

import org.apache.spark.sql.SparkSession;

/** The Spark session a {@code kiln spark} command runs in. */
final class Sessions {
    /** The master when neither --master nor spark-submit names one: every core of this machine. */
    static final String LOCAL = "local[*]";

    private Sessions() {
    }

    /**
     * A session and whether this command started it (and so stops it): a session the JVM has already (an application
     * that embeds the CLI, a test) is reused, whatever --master says.
     */
    record Started(SparkSession spark, boolean owned) implements AutoCloseable {
        @Override
        public void close() {
            if (owned) {
                spark.stop();
            }
        }
    }

    /**
     * The session for {@code master} (null: what spark-submit set, else {@link #LOCAL}). A local session runs without
     * the web UI (nobody looks at it during a command), on the loopback and, unless logging is configured, logs warnings
     * only.
     */
    static Started start(String master, String appName) {
        SparkSession existing = SparkSession.getActiveSession().isDefined() ? SparkSession.getActiveSession().get()
                : SparkSession.getDefaultSession().isDefined() ? SparkSession.getDefaultSession().get() : null;
        if (existing != null) {
            // Spark has one session per JVM: a builder would hand back this one, which is not ours to stop.
            return new Started(existing, false);
        }
        String chosen = master != null ? master : System.getProperty("spark.master", LOCAL);
        SparkSession.Builder builder = SparkSession.builder().appName(appName).master(chosen);
        if (chosen.startsWith("local")) {
            quietLogging();
            if (System.getProperty("spark.ui.enabled") == null) {
                builder.config("spark.ui.enabled", "false");
            }
            if (System.getProperty("spark.driver.host") == null && System.getenv("SPARK_LOCAL_IP") == null) {
                // A local master talks to itself: on the loopback, not on whatever address the host name resolves to.
                builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
            }
        }
        return new Started(builder.getOrCreate(), true);
    }

    /** Spark logs INFO by default: dozens of lines per command. Warnings only, unless a log4j2 configuration is named. */
    private static void quietLogging() {
        if (System.getProperty("log4j2.configurationFile") == null && System.getProperty("log4j.configurationFile") == null) {
            java.net.URL quiet = Sessions.class.getResource("/dev/kiln/spark/log4j2-local.properties");
            if (quiet != null) {
                System.setProperty("log4j2.configurationFile", quiet.toString());
            }
        }
    }
}
