package dev.kiln.kafka;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where a prediction log goes to or comes from in Kafka: {@code kafka://HOST:PORT[,HOST:PORT...]/TOPIC}, optionally
 * followed by {@code ?name=value&...} client settings passed through to the producer or consumer as Kafka names them
 * ({@code ?delivery.timeout.ms=5000&security.protocol=SSL}, values URL-encoded). The brokers are the bootstrap list;
 * {@code [v6:address]:PORT} is taken too.
 *
 * @param text    the URI as given (settings included), for messages
 * @param brokers the bootstrap brokers, {@code HOST:PORT} each
 * @param topic   the topic every kind of record goes to
 * @param settings client settings, in the order given
 */
public record KafkaUri(String text, List<String> brokers, String topic, Map<String, String> settings) {
    public static final String SCHEME = "kafka://";
    /** Kafka's legal topic names (at most 249 characters of these). */
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+\\]");
    /** Settings Kiln owns: where to connect and how bytes are (de)serialized. */
    private static final Set<String> OWN = Set.of("bootstrap.servers", "key.serializer", "value.serializer",
            "key.deserializer", "value.deserializer");

    public KafkaUri {
        brokers = List.copyOf(brokers);
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** True when {@code text} names Kafka at all (then {@link #parse} says what is wrong with it, if anything). */
    public static boolean isKafka(String text) {
        return text != null && text.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    /** Parses {@code text}, given as {@code option}; a malformed URI is an INVALID_ARGUMENT naming the option. */
    public static KafkaUri parse(String text, String option) {
        if (!isKafka(text)) {
            throw bad(text, option, "it does not start with " + SCHEME);
        }
        String rest = text.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            throw bad(text, option, "no /TOPIC after the brokers");
        }
        List<String> brokers = new ArrayList<>();
        for (String broker : rest.substring(0, slash).split(",", -1)) {
            brokers.add(broker(broker, text, option));
        }
        String path = rest.substring(slash + 1);
        int question = path.indexOf('?');
        String topic = question < 0 ? path : path.substring(0, question);
        if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw bad(text, option, "'" + topic + "' is not a topic name (1 to 249 of letters, digits, '.', '_' and '-')");
        }
        Map<String, String> settings = new LinkedHashMap<>();
        if (question >= 0) {
            for (String pair : path.substring(question + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                if (eq <= 0 || !name.matches("[a-z0-9.]+")) {
                    throw bad(text, option, "'" + pair + "' is not a client setting: use name=value, as Kafka names them");
                }
                if (OWN.contains(name)) {
                    throw bad(text, option, "'" + name + "' is Kiln's to set");
                }
                settings.put(name, URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return new KafkaUri(text, brokers, topic, settings);
    }

    private static String broker(String broker, String text, String option) {
        int colon = broker.lastIndexOf(':');
        String host = colon < 0 ? "" : broker.substring(0, colon);
        if (colon < 0 || !HOST.matcher(host).matches()) {
            throw bad(text, option, "'" + broker + "' is not HOST:PORT");
        }
        String port = broker.substring(colon + 1);
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 1 || p > 65535 || !port.matches("\\d+")) {
            throw bad(text, option, "'" + port + "' in '" + broker + "' is not a port (1 to 65535)");
        }
        return host.toLowerCase(Locale.ROOT) + ":" + p;
    }

    private static KilnException bad(String text, String option, String why) {
        return new KilnException(ErrorCode.INVALID_ARGUMENT, option + " '" + text + "' is not a Kafka URI: " + why
                + " (use " + SCHEME + "HOST:PORT[,HOST:PORT]/TOPIC)", Map.of("option", option));
    }

    /** The bootstrap list as Kafka's {@code bootstrap.servers} takes it. */
    public String bootstrap() {
        return String.join(",", brokers);
    }

    /** The URI without its settings (which may hold secrets), for messages. */
    public String address() {
        return SCHEME + bootstrap() + "/" + topic;
    }
}
