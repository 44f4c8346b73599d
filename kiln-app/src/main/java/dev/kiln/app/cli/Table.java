package dev.kiln.app.cli;

import dev.kiln.runtime.text.TextTable;

/** The commands' plain-text table: the runtime's {@link TextTable}, which kiln-spark's commands render with too. */
final class Table extends TextTable {
    Table(String... header) {
        super(header);
    }
}
