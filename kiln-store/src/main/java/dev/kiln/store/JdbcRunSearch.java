package dev.kiln.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finding runs at scale: {@link TrackingStore#search} as one page query (the total counted alongside) whose filter and order run in
 * the database ({@link RunSearchSql}) over {@code latest_metrics}, {@code run_params} and {@code run_tags} and their
 * by-name indexes; then params, tags and latest metrics for the page's runs only. Also the keys a run table can
 * show ({@link #columns}) and the experiments with their run counts.
 */
final class JdbcRunSearch {
    private static final String FROM = " FROM runs r JOIN experiments e ON e.id = r.experiment_id";
    /** Attributes every run has: no "missing last" term needed to order by them. */
    private static final Set<String> NEVER_NULL = Set.of("start_time", "run_id", "status", "experiment");

    private final Db db;

    JdbcRunSearch(Db db) {
        this.db = db;
    }

    RunPage search(RunSearch search) {
        RunSearchSql sql = new RunSearchSql(db.dialect());
        return db.read(c -> {
            List<Object> whereArgs = new ArrayList<>();
            StringBuilder where = new StringBuilder(" WHERE ");
            if (search.experiment() != null) {
                where.append("r.experiment_id = ? AND ");
                whereArgs.add(JdbcTrackingStore.experimentId(c, search.experiment()));
            }
            RunSearchSql.Part filter = sql.where(search.filter());
            where.append(filter.sql());
            whereArgs.addAll(filter.args());

            long offset = search.offset();

            StringBuilder joins = new StringBuilder();
            List<Object> args = new ArrayList<>();
            List<String> terms = new ArrayList<>();
            for (int i = 0; i < search.orderBy().size(); i++) {
                RunOrder order = search.orderBy().get(i);
                RunKey key = order.key();
                String col;
                boolean nullable;
                if (key.kind() == RunKey.Kind.ATTRIBUTE) {
                    col = key.name().equals("status") ? "r.status" : RunSearchSql.attribute(key.name());
                    nullable = !NEVER_NULL.contains(key.name());
                } else {
                    String alias = "o" + i;
                    joins.append(" LEFT JOIN ").append(RunSearchSql.table(key)).append(' ').append(alias)
                            .append(" ON ").append(alias).append(".run_id = r.id AND ").append(alias).append(".name = ?");
                    args.add(key.name());
                    col = alias + ".value";
                    nullable = true;
                }
                if (nullable) {
                    terms.add("CASE WHEN " + col + " IS NULL THEN 1 ELSE 0 END");
                }
                terms.add((key.isNumeric() ? col : sql.textOrder(col)) + (order.ascending() ? " ASC" : " DESC"));
            }
            terms.add("r.seq DESC");
            args.addAll(whereArgs);
            args.add(search.pageSize());
            args.add(offset);
            long[] total = {-1};
            String order = " ORDER BY " + String.join(", ", terms) + " LIMIT ? OFFSET ?";
            List<JdbcTrackingStore.RunRow> rows;
            if (search.filter() instanceof RunFilter.All) {
                // No filter: counting is an index count, and the page can stop after its runs when the order has an index.
                total[0] = Db.one(c, "SELECT COUNT(*)" + FROM + where, rs -> rs.getLong(1), whereArgs.toArray()).orElse(0L);
                rows = Db.list(c, "SELECT " + JdbcTrackingStore.RUN_COLUMNS + FROM + joins + where + order, JdbcTrackingStore::runRow,
                        args.toArray());
            } else {
                // One pass: the total comes with the page (a window over every matching run), so the filter runs once.
                rows = Db.list(c, "SELECT " + JdbcTrackingStore.RUN_COLUMNS + ", COUNT(*) OVER () AS total" + FROM + joins + where + order,
                        rs -> {
                            total[0] = rs.getLong("total");
                            return JdbcTrackingStore.runRow(rs);
                        }, args.toArray());
            }
            if (rows.isEmpty()) {
                // past the end (or nothing matches): no row carried the total
                long count = Db.one(c, "SELECT COUNT(*)" + FROM + where, rs -> rs.getLong(1), whereArgs.toArray()).orElse(0L);
                return new RunPage(List.of(), count, null);
            }
            List<Run> runs = JdbcTrackingStore.withDetails(c, rows);
            long seen = offset + runs.size();
            return new RunPage(runs, total[0], seen < total[0] ? RunSearch.token(seen) : null);
        });
    }

    RunColumns columns(String experiment) {
        return db.read(c -> {
            Long id = experiment == null ? null : JdbcTrackingStore.experimentId(c, experiment);
            return new RunColumns(keys(c, "run_params", id), keys(c, "latest_metrics", id), keys(c, "run_tags", id));
        });
    }

    /**
     * The distinct names in {@code table}, walked through its by-name index one name at a time (a loose index
     * scan: as many steps as names, not as many as rows), then kept when a run of the experiment has them. A name
     * that none of a large experiment's runs has costs a lookup per run of it.
     */
    private static List<String> keys(Connection c, String table, Long experimentId) throws SQLException {
        String names = "WITH RECURSIVE k(name) AS (SELECT CAST(MIN(name) AS TEXT) FROM " + table
                + " UNION ALL SELECT CAST((SELECT MIN(t.name) FROM " + table + " t WHERE t.name > k.name) AS TEXT) FROM k "
                + "WHERE k.name IS NOT NULL) SELECT name FROM k WHERE name IS NOT NULL";
        List<String> out;
        if (experimentId == null) {
            out = Db.list(c, names, rs -> rs.getString(1));
        } else {
            // Per name: the experiment's runs, stopping at the first that has it (a key lookup each), so a name most
            // runs have costs one or two lookups; a join would have PostgreSQL hash every row of the table.
            out = Db.list(c, names.replace("SELECT name FROM k WHERE name IS NOT NULL", "SELECT name FROM k WHERE name IS NOT NULL "
                    + "AND EXISTS (SELECT 1 FROM runs r WHERE r.experiment_id = ? AND EXISTS (SELECT 1 FROM " + table
                    + " x WHERE x.run_id = r.id AND x.name = k.name))"), rs -> rs.getString(1), experimentId);
        }
        return out.stream().sorted().toList();
    }

    List<ExperimentSummary> experiments() {
        return db.read(c -> Db.list(c, "SELECT e.id, e.name, e.created_at, COUNT(r.seq) AS runs, MAX(r.started_at) AS last_run "
                + "FROM experiments e LEFT JOIN runs r ON r.experiment_id = e.id GROUP BY e.id, e.name, e.created_at ORDER BY e.name",
                rs -> {
                    Long last = Db.nullableLong(rs, "last_run");
                    return new ExperimentSummary(rs.getLong("id"), rs.getString("name"), Instant.ofEpochMilli(rs.getLong("created_at")),
                            rs.getLong("runs"), last == null ? null : Instant.ofEpochMilli(last));
                }));
    }
}
