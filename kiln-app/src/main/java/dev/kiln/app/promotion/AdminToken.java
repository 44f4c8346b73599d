package dev.kiln.app.promotion;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code kiln serve}'s admin token as a client (a rollout) reads it: from a file, else from the environment variable
 * the server reads too. Never from a command line.
 *
 * @param value  the token
 * @param source where it came from, for messages (never the token itself)
 */
public record AdminToken(String value, String source) {
    /** The environment variable {@code kiln serve} and its clients read the admin token from. */
    public static final String ENV = "KILN_SERVE_ADMIN_TOKEN";

    /**
     * The token in {@code file} when given, else in {@link #ENV}; {@code fileOption} names where the file was given
     * ({@code --admin-token-file}, {@code kiln.yaml: rollout.admin_token_file}) in the message of a refusal.
     */
    public static AdminToken read(Path file, String fileOption, Function<String, String> env) {
        if (file != null) {
            try {
                return new AdminToken(Files.readString(file).strip(), fileOption + " " + file);
            } catch (IOException | RuntimeException e) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot read " + fileOption + " " + file + ": " + e.getMessage(),
                        Map.of("path", file.toString(), "option", fileOption));
            }
        }
        String t = env.apply(ENV);
        if (t == null || t.isBlank()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "a rollout changes the server through its admin routes: give "
                    + fileOption + " FILE or set " + ENV, Map.of("option", fileOption));
        }
        return new AdminToken(t.strip(), "$" + ENV);
    }
}
