package org.duckdb;

/**
 * Kiln's replacement for DuckDB's JDBC class of the same name, which the shaded kiln.jar carries instead of the
 * driver's (kiln-app/pom.xml excludes that one; on a class path kiln-data comes before the driver's jar).
 *
 * <p>The driver's version registers a Java Flight Recorder periodic event for DuckDB's memory when its driver class is
 * loaded, whenever the JVM has the jdk.jfr module, recording or not. That starts JFR's metadata repository and
 * instruments the event class: on the 2-core VM, about 0.5 s of CPU and 0.2-0.25 s of wall time, a quarter of a
 * Parquet profile of four rows (`farm-bench -n 10`, bench/speed/README.md), paid by every command that reads Parquet.
 * The driver has no switch for it. Kiln reads DuckDB's memory nowhere, and a user's JFR recording keeps the JVM's own
 * events; only the driver's DuckDB memory event is gone.
 *
 * <p>The driver calls these three methods (duckdb_jdbc 2.0.0.1's {@code DuckDBDriver} and {@code DuckDBConnection});
 * a driver that calls others fails loudly in kiln-data's DuckDB tests ({@code NoSuchMethodError}), never silently.
 */
final class JfrMemoryMonitor {
    private JfrMemoryMonitor() {
    }

    static void init() {
    }

    static void connectionOpened(DuckDBConnection connection) {
    }

    static void connectionClosed(long connection) {
    }
}
