package dev.kiln.app.cli;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.serve.http.HostCheck;
import dev.kiln.runtime.KilnException;
import java.util.Map;

/**
 * Whether {@code kiln serve} may listen where it was asked to. Without an inference token every model route is open,
 * which is fine on loopback and a hole anywhere else: a non-loopback {@code --host} needs a token, or the explicit
 * {@code --insecure-no-token}.
 */
final class ServeExposure {
    static final String INSECURE_FLAG = "--insecure-no-token";

    private ServeExposure() {
    }

    /** Refuses (invalid_argument, before anything is loaded or bound) an unprotected non-loopback address. */
    static void check(String host, String inferenceToken, boolean insecureNoToken) {
        if (inferenceToken != null || insecureNoToken || HostCheck.isLoopback(host)) {
            return;
        }
        throw new KilnException(ErrorCode.INVALID_ARGUMENT, "refusing to serve on " + host + " without a token: every model "
                + "route would be open to the network. Pass --token-file PATH (or set " + ServeCommand.TOKEN_ENV + "), or, "
                + "to serve it open on purpose, " + INSECURE_FLAG + "; or leave out --host to listen on 127.0.0.1 only",
                Map.of("host", host));
    }

}
