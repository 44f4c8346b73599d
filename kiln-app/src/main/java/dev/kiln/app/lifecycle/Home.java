package dev.kiln.app.lifecycle;

import java.nio.file.Path;

/** The Kiln home: {@code --home DIR}, else {@code KILN_HOME}, else {@code ./.kiln}. */
public final class Home {
    private Home() {
    }

    public static Path resolve(Path option) {
        return dev.kiln.store.KilnHome.resolve(option);
    }

    /** Where {@code kiln serve} writes its prediction and feedback logs unless told otherwise ({@code --log-dir}). */
    public static Path predictionLogs(Path home) {
        return home.resolve("logs").resolve("predictions");
    }

    /** A fresh bundle directory under the home, named after the dataset and the time. */
    public static Path newBundleDir(Path home, Path data) {
        return dev.kiln.store.KilnHome.newBundleDir(home, data.getFileName().toString());
    }
}
