package dev.kiln.monitor.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.KilnException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A retrain policy's data: one file for the watched model, or one file per registered model. */
class RetrainDataTest {
    @Test
    void oneFileServesWhicheverModelTheRulesWatch() {
        AlertRules r = AlertRules.parse("{\"rules\": [{\"kind\": \"error_rate\"}], \"retrain\": {\"every\": \"1d\", \"data\": \"x.csv\"}}",
                Path.of("/srv"));
        assertThat(r.retrain().oneFileForAnyModel()).isTrue();
        assertThat(r.retrain().dataFor("credit")).isEqualTo(Path.of("/srv/x.csv"));
    }

    @Test
    void perModelFilesGoOnlyToTheirModel() {
        AlertRules r = AlertRules.parse("{\"rules\": [{\"kind\": \"error_rate\"}], \"retrain\": {\"every\": \"1d\", "
                + "\"data\": {\"credit\": \"credit.csv\", \"churn\": \"/data/churn.csv\"}}}", Path.of("/srv"));
        assertThat(r.retrain().oneFileForAnyModel()).isFalse();
        assertThat(r.retrain().data()).isNull();
        assertThat(r.retrain().dataFor("credit")).isEqualTo(Path.of("/srv/credit.csv"));
        assertThat(r.retrain().dataFor("churn")).isEqualTo(Path.of("/data/churn.csv"));
        assertThat(r.retrain().dataFor("other")).isNull();
    }

    @Test
    void anEmptyOrNonTextDataIsAnErrorWithItsPath() {
        assertThatThrownBy(() -> AlertRules.parse("{\"rules\": [{\"kind\": \"error_rate\"}], \"retrain\": {\"every\": \"1d\", "
                + "\"data\": {}}}", null)).isInstanceOf(KilnException.class).hasMessageContaining("$.retrain.data");
        assertThatThrownBy(() -> AlertRules.parse("{\"rules\": [{\"kind\": \"error_rate\"}], \"retrain\": {\"every\": \"1d\", "
                + "\"data\": {\"credit\": 3}}}", null)).isInstanceOf(KilnException.class).hasMessageContaining("$.retrain.data.credit");
    }
}
