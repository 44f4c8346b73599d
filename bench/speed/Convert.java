import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * Writes a CSV file as Parquet or JSON lines through the DuckDB that kiln.jar carries, for run.sh's formats step: the
 * same rows and values (DuckDB reads the CSV's numbers as DOUBLE, correctly rounded as Kiln reads them, and the yes/no
 * label as text: its sniffer would make yes/no a BOOLEAN, written false/true, were DOUBLE and VARCHAR not the only
 * types it may choose), so the formats are compared on the same data. Order is kept (one thread).
 * Usage: java -cp kiln-app/target/kiln.jar bench/speed/Convert.java IN.csv OUT.parquet|OUT.jsonl
 */
public class Convert {
    public static void main(String[] args) throws Exception {
        String in = args[0].replace("'", "''");
        String out = args[1].replace("'", "''");
        String format = out.endsWith(".parquet") ? "PARQUET" : "JSON";
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("SET threads = 1");
            s.execute("COPY (SELECT * FROM read_csv('" + in + "', auto_type_candidates = ['DOUBLE', 'VARCHAR'])) TO '" + out + "' (FORMAT " + format + ")");
        }
    }
}
