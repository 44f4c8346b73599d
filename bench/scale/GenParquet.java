import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * Writes N rows x 20 numeric columns (x0..x19, N(0,1) by Box-Muller) and a yes/no label (a fixed linear score plus
 * noise) as Parquet, through the DuckDB that kiln.jar carries. One DuckDB thread and a fixed seed: the same arguments
 * give the same rows. SHIFT is added to x0..x4 (a drifted copy for the drift step).
 * Usage: java -cp kiln-app/target/kiln.jar bench/scale/GenParquet.java OUT N SEED SHIFT
 */
public class GenParquet {
    public static void main(String[] args) throws Exception {
        String out = args[0];
        long n = Long.parseLong(args[1]);
        double seed = Double.parseDouble(args[2]);
        double shift = Double.parseDouble(args[3]);
        StringBuilder xs = new StringBuilder();
        for (int j = 0; j < 20; j++) {
            xs.append(j == 0 ? "" : ", ").append("sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())")
                    .append(j < 5 ? " + " + shift : "").append(" AS x").append(j);
        }
        String score = "x0 - 0.8 * x1 + 0.6 * x2 - 0.4 * x3 + 0.3 * x4 + 0.2 * x5";
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("SET threads = 1");
            s.execute("SELECT setseed(" + seed + ")");
            s.execute("COPY (SELECT * EXCLUDE (noise), CASE WHEN " + score + " + noise > 0 THEN 'yes' ELSE 'no' END AS label "
                    + "FROM (SELECT " + xs + ", sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS noise FROM range(" + n
                    + "))) TO '" + out.replace("'", "''") + "' (FORMAT PARQUET)");
        }
    }
}
