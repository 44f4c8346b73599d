package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Small helpers shared by the tests. */
final class Fixtures {
    private Fixtures() {
    }

    static Path write(Path dir, String name, String content) {
        return write(dir, name, content.getBytes(StandardCharsets.UTF_8));
    }

    static Path write(Path dir, String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DataFrame csv(String content) {
        return DataReader.readCsv(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), "test.csv",
                ReadOptions.defaults());
    }

    static Path resource(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }

    /** Asserts a KilnException with the given code and returns an assertion on its message. */
    static AbstractThrowableAssert<?, ? extends Throwable> assertKiln(ThrowingCallable call, ErrorCode code) {
        return assertThatThrownBy(call)
                .isInstanceOf(KilnException.class)
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(((KilnException) e).code()).isEqualTo(code));
    }
}
