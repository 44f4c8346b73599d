package dev.kiln.app.pipeline.trigger;

import java.util.ArrayList;
import java.util.List;

/** What one look at a data source found, compared with the state the last reported change left. */
public sealed interface DataChange {
    /** Nothing changed. */
    record None() implements DataChange {
    }

    /** Files were added, changed or removed, and every one of them is stable: the pipeline may read them. */
    record Changed(List<String> added, List<String> modified, List<String> removed) implements DataChange {
        public Changed {
            added = List.copyOf(added);
            modified = List.copyOf(modified);
            removed = List.copyOf(removed);
        }

        /** "2 new (a.csv, b.csv), 1 changed (c.csv)", for a trigger's reason. */
        public String describe() {
            List<String> parts = new ArrayList<>();
            part(parts, added, "new");
            part(parts, modified, "changed");
            part(parts, removed, "removed");
            return String.join(", ", parts);
        }

        private static void part(List<String> parts, List<String> files, String what) {
            if (!files.isEmpty()) {
                String shown = String.join(", ", files.subList(0, Math.min(5, files.size())))
                        + (files.size() > 5 ? ", …" : "");
                parts.add(files.size() + " " + what + " (" + shown + ")");
            }
        }
    }

    /** Files changed but some are still being written (their size or time moved, or they are very recent): wait. */
    record Settling(List<String> files) implements DataChange {
        public Settling {
            files = List.copyOf(files);
        }
    }

    /** The source cannot be read or is gone: a problem to report, not a reason to run. */
    record Problem(String message) implements DataChange {
    }
}
