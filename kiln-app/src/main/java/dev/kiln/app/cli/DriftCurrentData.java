package dev.kiln.app.cli;

import dev.kiln.data.ReadOptions;
import dev.kiln.data.Sketcher;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.schema.ColumnType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The current data of {@code kiln drift}, sketched with the reference's column types so both sides are read alike,
 * with two allowances a type check would not make: an integer column holding decimals is read as a number (drift
 * compares numeric kinds as numbers), and a column whose values do not fit its reference type is read as categories
 * and reported as a type problem, while every other column is still compared.
 */
final class DriftCurrentData {
    private DriftCurrentData() {
    }

    /** The sketch, and the columns whose values did not fit the reference's type, with what did not fit. */
    record Sketched(DatasetSketch sketch, Map<String, String> typeProblems) {
    }

    static Sketched sketch(Path data, Map<String, ColumnType> referenceTypes) {
        Map<String, ColumnType> types = new LinkedHashMap<>();
        referenceTypes.forEach((name, type) -> types.put(name, type == ColumnType.INTEGER ? ColumnType.NUMERIC : type));
        Map<String, String> problems = new LinkedHashMap<>();
        while (true) {
            try {
                return new Sketched(Sketcher.sketch(data, ReadOptions.defaults().withTypes(types).withoutChecksum()), problems);
            } catch (KilnException e) {
                Object column = e.details() == null ? null : e.details().get("column");
                // Each retry reads the file again; it happens once per column that changed type, not per value.
                if (e.code() != ErrorCode.DATA_MALFORMED || !(column instanceof String name) || problems.containsKey(name)
                        || types.get(name) == null || types.get(name) == ColumnType.CATEGORICAL) {
                    throw e;
                }
                problems.put(name, e.getMessage());
                types.put(name, ColumnType.CATEGORICAL);
            }
        }
    }
}
