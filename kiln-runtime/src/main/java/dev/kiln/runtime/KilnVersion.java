package dev.kiln.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of Kiln that is running, from the build. */
public final class KilnVersion {
    private static final String VERSION = load();

    private KilnVersion() {
    }

    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = KilnVersion.class.getResourceAsStream("kiln-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
