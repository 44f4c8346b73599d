package dev.kiln.data;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Locale;
import java.util.Map;

/**
 * Where DuckDB's JDBC driver finds its native library, checked before the driver is first touched: inside a jar on
 * the class path (the driver then copies it to a temporary file on every run), or beside the jar that holds the
 * driver (Kiln's distribution puts it there: kiln-app/target/ next to kiln.jar, loaded where it lies). When it is in
 * neither place the driver would print a stack trace and fail its class initialisation; Kiln says what is missing
 * and where it looked instead. Platforms the driver has no library name for are left to the driver.
 */
final class DuckDbLibrary {
    private static volatile boolean checked;

    private DuckDbLibrary() {
    }

    static void require() {
        if (checked) {
            return;
        }
        String name = libraryName(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
        boolean inJar = name != null && DuckDbLibrary.class.getResource("/" + name) != null;
        KilnException missing = missing(name, inJar, besideDriverJar(name));
        if (missing != null) {
            throw missing;
        }
        checked = true;
    }

    /** The error when library {@code name} is neither in a jar nor at {@code beside}; null when it can be loaded. */
    static KilnException missing(String name, boolean inJar, Path beside) {
        if (name == null || inJar || beside == null || Files.isRegularFile(beside)) {
            return null;
        }
        return new KilnException(ErrorCode.UNAVAILABLE, "Parquet and JSON are read through DuckDB, whose native library "
                + name + " is neither inside the jar nor beside it (" + beside + "): the build puts it in kiln-app/target/ "
                + "next to kiln.jar, so copy it along with the jar", Map.of("library", name, "looked_in", beside.toString()));
    }

    /** The driver's name for its library on this platform (its DuckDBNative.nativeLibName), or null if it has none. */
    static String libraryName(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String platform = os.startsWith("windows") ? "windows" : os.startsWith("mac") ? "macos" : os.startsWith("linux") ? "linux" : null;
        String arch = switch (osArch.toLowerCase(Locale.ROOT)) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> null;
        };
        return platform == null || arch == null ? null : "libduckdb_java.so_" + platform + "_" + arch;
    }

    /** The library's path beside the jar holding the driver; null when the driver is not in a jar (or has no name). */
    private static Path besideDriverJar(String name) {
        if (name == null) {
            return null;
        }
        try {
            CodeSource source = Class.forName("org.duckdb.DuckDBDriver", false, DuckDbLibrary.class.getClassLoader())
                    .getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return null;
            }
            Path jar = Path.of(source.getLocation().toURI());
            return Files.isRegularFile(jar) ? jar.toAbsolutePath().getParent().resolve(name) : null;
        } catch (ClassNotFoundException | URISyntaxException | RuntimeException e) {
            return null; // the driver then reports for itself
        }
    }
}
