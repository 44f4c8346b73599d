package dev.kiln.runtime.schema;

import java.util.List;
import java.util.Optional;

/** An ordered list of fields. */
public record Schema(List<Field> fields) {
    public Schema {
        fields = List.copyOf(fields);
    }

    public Optional<Field> field(String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    public List<String> names() {
        return fields.stream().map(Field::name).toList();
    }
}
