package dev.kiln.runtime.schema;

/** One column of a schema. */
public record Field(String name, ColumnType type, boolean nullable) {
}
