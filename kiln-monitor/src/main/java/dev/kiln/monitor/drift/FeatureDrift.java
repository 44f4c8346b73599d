package dev.kiln.monitor.drift;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Drift of one feature. Statistics that do not apply are null (and left out of JSON): KS for
 * categorical features, chi-square and unseen share for numeric ones, and any test when one side has
 * no present values.
 *
 * @param type {@code "numeric"} (numeric, integer, boolean, datetime) or {@code "categorical"}
 *     (categorical, text)
 * @param referenceCount present values in the reference
 * @param currentCount present values in the current data
 * @param reasons why the feature is flagged (empty when it is not)
 */
public record FeatureDrift(
        @JsonProperty("name") String name,
        @JsonProperty("type") String type,
        @JsonProperty("reference_count") long referenceCount,
        @JsonProperty("current_count") long currentCount,
        @JsonProperty("reference_missing_share") double referenceMissingShare,
        @JsonProperty("current_missing_share") double currentMissingShare,
        @JsonProperty("ks_statistic") Double ksStatistic,
        @JsonProperty("ks_p_value") Double ksPValue,
        @JsonProperty("ks_method") String ksMethod,
        @JsonProperty("psi") Double psi,
        @JsonProperty("chi_square") Double chiSquare,
        @JsonProperty("chi_square_dof") Integer chiSquareDof,
        @JsonProperty("chi_square_p_value") Double chiSquarePValue,
        @JsonProperty("unseen_share") Double unseenShare,
        @JsonProperty("drift") boolean drift,
        @JsonProperty("reasons") List<String> reasons) {

    public static final String NUMERIC = "numeric";
    public static final String CATEGORICAL = "categorical";

    public FeatureDrift {
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
    }
}
