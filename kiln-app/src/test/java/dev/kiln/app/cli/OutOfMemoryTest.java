package dev.kiln.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A command out of Java heap ends with what happened and how to give it more memory, not a stack trace. */
class OutOfMemoryTest {
    @TempDir
    Path dir;

    @Test
    void theErrorNamesTheDataTheHeapAndHowToGiveMore() throws Exception {
        Path data = dir.resolve("big.csv");
        Files.write(data, new byte[3 * 1024 * 1024]);
        KilnException e = OutOfMemory.error("kiln train", data, 512L * 1024 * 1024);
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.code().exitCode()).isEqualTo(8);
        assertThat(e.getMessage()).contains("kiln train ran out of memory", "limit is 512 MB", "big.csv is 3 MB",
                "KILN_JAVA_OPTS=-Xmx1g");
        assertThat(OutOfMemory.error("kiln data profile", null, 3L * 1024 * 1024 * 1024).getMessage())
                .contains("limit is 3072 MB", "KILN_JAVA_OPTS=-Xmx6g").doesNotContain(" is -");
    }

    /** A command of the real CLI tree that runs out of heap while it works. */
    @CommandLine.Command(name = "hungry")
    static final class Hungry implements Callable<Integer> {
        @CommandLine.Option(names = "--data")
        Path data;

        @Override
        public Integer call() {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    @Test
    void theCliAnswersOutOfMemoryWithTheErrorAndExitCode8() throws Exception {
        Path data = dir.resolve("d.csv");
        Files.writeString(data, "a,b\n1,2\n");
        CommandLine cl = Cli.commandLine();
        cl.addSubcommand("hungry", new Hungry());
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        int code = cl.execute("hungry", "--data", data.toString());
        assertThat(code).isEqualTo(8);
        assertThat(err.toString()).startsWith("error [unavailable]: kiln hungry ran out of memory")
                .contains("d.csv is 0 MB", "KILN_JAVA_OPTS=-Xmx").doesNotContain("OutOfMemoryError", "\tat ");
    }
}
