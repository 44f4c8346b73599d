package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {
    @Test
    void everyHttpErrorStatusAServerProducesMapsBackToACodeWithThatStatus() {
        for (int status : new int[] {400, 401, 403, 404, 405, 408, 413, 414, 415, 431, 503, 505}) {
            assertThat(ErrorCode.forHttpStatus(status).httpStatus()).as("status %d", status).isEqualTo(status);
        }
        assertThat(ErrorCode.forHttpStatus(418)).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(ErrorCode.forHttpStatus(502)).isEqualTo(ErrorCode.INTERNAL);
    }

    @Test
    void statusesAndExitCodesFollowTheCategoryUnlessTheCodeIsMorePrecise() {
        assertThat(ErrorCode.COLUMN_MISSING.httpStatus()).isEqualTo(400);
        assertThat(ErrorCode.COLUMN_MISSING.exitCode()).isEqualTo(2);
        assertThat(ErrorCode.UNAUTHENTICATED.httpStatus()).isEqualTo(401);
        assertThat(ErrorCode.FORBIDDEN.httpStatus()).isEqualTo(403);
        assertThat(ErrorCode.FORBIDDEN.exitCode()).isEqualTo(7);
        assertThat(ErrorCode.PREDICTION_LOG_FULL.httpStatus()).isEqualTo(503);
        assertThat(ErrorCode.PREDICTION_LOG_FULL.exitCode()).isEqualTo(8);
        assertThat(ErrorCode.PAYLOAD_TOO_LARGE.httpStatus()).isEqualTo(413);
        assertThat(ErrorCode.PAYLOAD_TOO_LARGE.exitCode()).isEqualTo(2);
        // Exit codes 5 and 6 belong to validation and drift verdicts, which are not errors.
        assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::exitCode)).doesNotContain(1, 5, 6);
        assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::wireName)).doesNotHaveDuplicates();
    }

    @Test
    void bothWireShapesCarryTheMessageAndKilnsCarriesCodeAndDetails() {
        KilnException e = KilnException.answer(ErrorCode.PAYLOAD_TOO_LARGE, "too big", Map.of("limit_bytes", 10));
        assertThat(e.getStackTrace()).isEmpty();
        assertThat(e.httpStatus()).isEqualTo(413);
        assertThat(ErrorBody.kiln(e)).isEqualTo(Map.of("error",
                Map.of("code", "payload_too_large", "message", "too big", "details", Map.of("limit_bytes", 10))));
        assertThat(ErrorBody.oip(e)).isEqualTo(Map.of("error", "too big"));
        assertThat(ErrorBody.isOipPath("/v2/models/m/infer")).isTrue();
        assertThat(ErrorBody.isOipPath("/v2x")).isFalse();
        assertThat(ErrorBody.isOipPath("/v1/models/m:predict")).isFalse();
        assertThat(new KilnException(ErrorCode.INTERNAL, "x").getStackTrace()).isNotEmpty();
    }
}
