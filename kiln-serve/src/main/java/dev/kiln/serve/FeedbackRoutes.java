package dev.kiln.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.serve.ModelHost.Served;
import dev.kiln.serve.http.Bodies;
import dev.kiln.serve.http.Exchange;
import dev.kiln.serve.http.Reply;
import dev.kiln.serve.http.RequestIds;
import dev.kiln.serve.traffic.Bandit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code POST /v1/models/{name}:feedback}: {@code {"request_id", "label"}} or {@code {"request_id", "reward"}} (exactly
 * one), optionally {@code "row"}, appended to the model's feedback log and answered 202; a reward for a name routed
 * by a bandit is credited to the arm that answered ({@code kiln_bandit_rewards_total}, {@code kiln_bandit_mean_reward}).
 */
final class FeedbackRoutes {
    private final ServeState state;
    /** Per model and version: the counter of rewards credited to a bandit arm, with the gauge of its mean reward. */
    private final Map<String, Counter> banditRewards = new ConcurrentHashMap<>();

    FeedbackRoutes(ServeState state) {
        this.state = state;
    }

    Object feedback(Exchange x) {
        String name = x.param("name");
        Served s = state.serve(x, null);
        JsonNode body = Bodies.json(x.ctx());
        JsonNode requestId = body.get("request_id");
        if (requestId == null || !requestId.isTextual() || !RequestIds.valid(requestId.asText())) {
            throw Bodies.badRequest(ErrorCode.INVALID_ARGUMENT, "feedback needs \"request_id\": the id of the request it is about "
                    + "(1 to 128 visible characters)", Map.of("field", "request_id"));
        }
        JsonNode label = body.get("label");
        JsonNode reward = body.get("reward");
        JsonNode row = body.get("row");
        check(label, reward, row);
        PredictionLog log = state.log;
        if (log == null) {
            throw KilnException.answer(ErrorCode.PREDICTION_LOG_DISABLED, "this server keeps no prediction log, so it takes no feedback",
                    Map.of("model", name));
        }
        ModelHost models = state.models;
        if (reward != null && models.hasBandits() && models.bandit(s.name()).isPresent()
                && !(reward.asDouble() >= 0 && reward.asDouble() <= 1)) {
            throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "\"reward\" must be from 0 to 1 for model '" + name + "', which routes "
                    + "through a bandit, not " + reward, Map.of("field", "reward"));
        }
        if (!log.offerFeedback(s.name(), s.version(), requestId.asText(), row == null ? null : row.asInt(), label,
                reward == null ? null : reward.asDouble(), x.requestId())) {
            x.ctx().header("Retry-After", "1");
            throw KilnException.answer(ErrorCode.PREDICTION_LOG_FULL, "the prediction log is full; send the feedback again later",
                    Map.of("model", name));
        }
        if (reward != null && models.hasBandits()) {
            credit(s, requestId, body.get("model_version"), reward.asDouble());
        }
        return new Reply(202, Map.of("accepted", true));
    }

    /** Exactly one of label (a single value) and reward (a finite number); row, if given, a row index. */
    private static void check(JsonNode label, JsonNode reward, JsonNode row) {
        if ((label == null) == (reward == null)) {
            throw Bodies.badRequest(ErrorCode.INVALID_ARGUMENT, "feedback needs exactly one of \"label\" and \"reward\"",
                    Map.of("field", label == null ? "label" : "reward"));
        }
        if (label != null && (label.isNull() || label.isContainerNode())) {
            throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "\"label\" must be a single value (string, number or boolean)",
                    Map.of("field", "label"));
        }
        if (reward != null && (!reward.isNumber() || !Double.isFinite(reward.asDouble()))) {
            throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "\"reward\" must be a finite number, not " + reward, Map.of("field", "reward"));
        }
        if (row != null && !(row.isIntegralNumber() && row.canConvertToInt() && row.asInt() >= 0)) {
            throw Bodies.badRequest(ErrorCode.INVALID_ARGUMENT, "\"row\" must be a row index (an integer from 0), not " + row,
                    Map.of("field", "row"));
        }
    }

    /** Credits a reward to the bandit arm named by {@code modelVersion}, else to the one remembered for the request. */
    private void credit(Served model, JsonNode requestId, JsonNode modelVersion, double reward) {
        ModelHost models = state.models;
        ModelHost.Slot slot = models.slot(model.name());
        Bandit bandit = slot == null ? null : slot.bandit;
        if (bandit == null) {
            return;
        }
        String version = bandit.reward(requestId.asText(), modelVersion != null && modelVersion.isTextual() ? modelVersion.asText() : null,
                reward);
        String name = model.name();
        String v = version == null ? "" : version;
        banditRewards.computeIfAbsent(name + '\u0000' + v, k -> {
            if (version != null) {
                Gauge.builder("kiln.bandit.mean.reward", () -> models.bandit(name).map(b -> {
                    Bandit.Arm arm = b.arm(version);
                    return arm == null ? Double.NaN : b.posteriors().get(b.arms().indexOf(arm)).mean();
                }).orElse(Double.NaN)).description("Posterior mean reward of a bandit arm").tag("model", name).tag("version", version)
                        .register(state.meters.registry());
            }
            return Counter.builder("kiln.bandit.rewards").description("Rewards credited to bandit arms (version \"\": to none)")
                    .tag("model", name).tag("version", v).register(state.meters.registry());
        }).increment();
    }
}
