package dev.kiln.app.pipeline.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.app.Poll;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.store.KilnStore;
import dev.kiln.store.PipelineLocks;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineLockGuardTest {
    @TempDir
    Path home;

    @Test
    void holdsRenewsAndReleasesAndASecondHolderIsToldWhoHasIt() throws Exception {
        try (KilnStore store = KilnStore.open(home, null)) {
            Instant firstExpiry;
            try (PipelineLockGuard guard = PipelineLockGuard.hold(store, "credit", "kiln pipeline run", Duration.ofMillis(600))) {
                firstExpiry = guard.lease().expiresAt();
                assertThatThrownBy(() -> PipelineLockGuard.hold(store, "credit", "kiln pipeline watch", Duration.ofMinutes(1)))
                        .isInstanceOfSatisfying(KilnException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                            assertThat(e.getMessage()).contains("credit", "already running", "kiln pipeline run",
                                    "host ", "pid " + ProcessHandle.current().pid(), "since ");
                            assertThat(e.details()).containsEntry("owner", "kiln pipeline run").containsKeys("host", "pid", "since");
                        });
                // renewed in the background: the lease outlives its first expiry and still excludes others
                Instant renewed = Poll.until(() -> guard.lease().expiresAt(), t -> t.isAfter(firstExpiry.plusMillis(300)),
                        Duration.ofSeconds(10));
                assertThat(renewed).isAfter(firstExpiry.plusMillis(300));
                Instant pastFirstExpiry = Poll.until(Instant::now, t -> t.isAfter(firstExpiry.plusMillis(100)), Duration.ofSeconds(5));
                assertThat(pastFirstExpiry).isAfter(firstExpiry);
                assertThat(store.pipelineLocks().tryAcquire("credit", "other", Duration.ofMinutes(1))).isEmpty();
                assertThat(guard.lost()).isFalse();
            }
            assertThat(store.pipelineLocks().holder("credit")).isEmpty();
            assertThat(PipelineLockGuard.tryHold(store, "credit", "x", Duration.ofMinutes(1))).hasValueSatisfying(PipelineLockGuard::close);
        }
    }

    @Test
    void aLostLeaseIsNoticedAndNotReleased() throws Exception {
        try (KilnStore store = KilnStore.open(home, null)) {
            PipelineLockGuard guard = PipelineLockGuard.hold(store, "credit", "slow", Duration.ofMillis(300));
            // Another owner takes the lock over as if this one had stalled past its lease.
            store.pipelineLocks().release(guard.lease());
            PipelineLocks.Lease other = store.pipelineLocks().tryAcquire("credit", "other", Duration.ofMinutes(1)).orElseThrow();
            assertThat(Poll.until(guard::lost, lost -> lost, Duration.ofSeconds(10))).isTrue();
            guard.close();
            assertThat(store.pipelineLocks().holder("credit")).hasValueSatisfying(h -> assertThat(h.owner()).isEqualTo("other"));
            assertThat(store.pipelineLocks().release(other)).isTrue();
        }
    }
}
