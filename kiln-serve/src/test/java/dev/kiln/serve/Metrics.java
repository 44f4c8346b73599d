package dev.kiln.serve;

import static org.assertj.core.api.Assertions.assertThat;

/** A scrape of {@code /metrics}, read the simple way (one sample per line). */
record Metrics(String text) {
    static Metrics scrape(String base) {
        Fixtures.Reply r = Fixtures.get(base, "/metrics");
        assertThat(r.status()).isEqualTo(200);
        return new Metrics(r.text());
    }

    double requests(String model, String version, String outcome) {
        return sample("kiln_requests_total", "model=\"" + model + "\"", "version=\"" + version + "\"", "outcome=\"" + outcome + "\"");
    }

    /** The sum over every version and outcome of a model. */
    double requests(String model) {
        return sample("kiln_requests_total", "model=\"" + model + "\"");
    }

    double latencyCount(String model) {
        return sample("kiln_request_seconds_count", "model=\"" + model + "\"");
    }

    /** Sum of the samples of {@code metric} whose labels contain every one of {@code labels}. */
    double sample(String metric, String... labels) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (!line.startsWith(metric + "{")) {
                continue;
            }
            String labelPart = line.substring(metric.length(), line.lastIndexOf('}') + 1);
            boolean all = true;
            for (String l : labels) {
                all &= labelPart.contains(l);
            }
            if (all) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf('}') + 1).trim().split(" ")[0]);
            }
        }
        return sum;
    }
}
