package dev.kiln.app.cli;

import dev.kiln.app.lifecycle.StoreOptions;
import dev.kiln.app.pipeline.PipelineFile;
import dev.kiln.app.pipeline.PipelineRunner;
import dev.kiln.app.pipeline.PipelineSpec;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.io.AtomicFiles;
import dev.kiln.serve.InferenceServer;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelRef;
import dev.kiln.store.ModelVersion;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "loop", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The loop that runs itself, on real data: Seattle's daily weather (NOAA, 2012-2015, shipped with Kiln).",
                "A pipeline (kiln.yaml under HOME/demo/loop) trains on 2012-2013 and promotes; kiln serve follows the alias. "
                        + "2014-2015 is replayed in date order, one request a day, each day's weather sent as feedback a week "
                        + "later. Every week the accuracy on the labels that arrived is checked; when it has dropped, an alert "
                        + "opens and the pipeline runs on the last year of labelled days: the candidate is validated, gated "
                        + "against production on the same rows, then shadowed on live traffic (the recent days sent again), "
                        + "canaried and promoted, or refused.",
                "Prints accuracy per quarter for the looping model next to the model never retrained, and every promotion "
                        + "and refusal with its reason."})
final class LoopDemo implements Callable<Integer> {
    static final String MODEL = "seattle-loop";

    @Spec
    CommandSpec spec;

    @Mixin
    StoreOptions store;

    @Option(names = "--label-delay-days", defaultValue = "7", paramLabel = "N", description = "labels arrive N days late (default: ${DEFAULT-VALUE})")
    int labelDelayDays;

    @Option(names = "--allowed-drop", defaultValue = "0.05", paramLabel = "X",
            description = "accuracy drop (over the last 28 labelled days, against the test accuracy) that opens the alert (default: ${DEFAULT-VALUE})")
    double allowedDrop;

    @Option(names = "--shadow-requests", defaultValue = "100", paramLabel = "N",
            description = "live requests a candidate's shadow scores before its canary (default: ${DEFAULT-VALUE})")
    int shadowRequests;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path home = store.home();
        Path dir = home.resolve("demo").resolve("loop");
        List<String> lines = new String(DriftDemo.resource(), StandardCharsets.UTF_8).lines().toList();
        String header = lines.get(0);
        List<LoopReplay.Day> history = new ArrayList<>();
        List<LoopReplay.Day> replay = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            LoopReplay.Day day = day(header, line);
            (line.startsWith("2012") || line.startsWith("2013") ? history : replay).add(day);
        }
        Path recent = dir.resolve("recent.csv");
        List<String> initial = new ArrayList<>(List.of(header));
        history.forEach(d -> initial.add(d.line()));
        DriftDemo.write(dir, "recent.csv", initial);
        Path file = dir.resolve("kiln.yaml");
        AtomicFiles.writeOrFail(file, o -> o.write(pipelineFile("  rollout: direct\n").getBytes(StandardCharsets.UTF_8)));
        PipelineSpec pipeline = PipelineFile.load(file);
        Path token = dir.resolve("admin.token");
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        AtomicFiles.writeOrFail(token, o -> o.write(HexFormat.of().formatHex(secret).getBytes(StandardCharsets.US_ASCII)));

        List<LoopReplay.Quarter> quarters;
        List<LoopReplay.Event> events;
        ModelVersion first;
        try (KilnStore s = store.open()) {
            say(out, "== 1. The pipeline trains on 2012-2013 (" + history.size() + " days) and promotes ==");
            PipelineRunner.Result r = PipelineRunner.run(s, pipeline, new PipelineRunner.Trigger("manual", "kiln demo loop: first training"),
                    null, "kiln-demo-loop", null, st -> say(out, "  " + st.line()));
            say(out, "  " + r.status() + ": " + r.outcome());
            first = s.registry().resolve(ModelRef.parse(MODEL));
            KilnModel frozen = KilnModel.load(s.registry().bundlePath(first));

            ServeCommand serve = new ServeCommand();
            List<String> args = new ArrayList<>(List.of("--model", MODEL + "=" + MODEL, "--port", "0", "--poll-seconds", "1",
                    "--admin-token-file", token.toString(), "--home", home.toString()));
            if (store.url() != null) {
                args.addAll(List.of("--store", store.url()));
            }
            new CommandLine(serve).parseArgs(args.toArray(String[]::new));
            try (InferenceServer server = serve.start()) {
                // From now on each candidate goes live through the server: shadowed on traffic, canaried, then promoted.
                String rollout = """
                          rollout: shadow-canary
                        rollout:
                          serve: http://127.0.0.1:%d
                          admin_token_file: admin.token
                          shadow_requests: %d
                          canary_steps: [50, 100]
                          canary_interval_seconds: 1
                          max_wait: 5m
                        """.formatted(server.port(), shadowRequests);
                AtomicFiles.writeOrFail(file, o -> o.write(pipelineFile(rollout).getBytes(StandardCharsets.UTF_8)));
                pipeline = PipelineFile.load(file);
                say(out, "\n== 2. kiln serve follows " + MODEL + "@production on port " + server.port() + "; replaying 2014-2015 ("
                        + replay.size() + " days), labels " + labelDelayDays + " days late ==");
                LoopReplay loop = new LoopReplay(s, pipeline, recent, server.port(), header,
                        new LoopReplay.Settings(labelDelayDays, 7, 28, allowedDrop, 365, 28), line -> say(out, line));
                quarters = loop.run(history, replay, frozen);
                events = loop.events;
            }
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("first_version", first.version());
            m.put("quarters", quarters);
            m.put("events", events);
            Reports.json(out, m);
        } else {
            out.println("\n== 3. Accuracy per quarter: the looping model against " + MODEL + ":" + first.version() + " never retrained ==");
            Table t = new Table("quarter", "days", "looping", "never retrained", "versions serving");
            for (LoopReplay.Quarter q : quarters) {
                t.row(q.quarter(), q.days(), String.format(Locale.ROOT, "%.3f", q.looping()),
                        String.format(Locale.ROOT, "%.3f", q.frozen()), String.join(", ", q.versions()));
            }
            out.print(t.render());
            out.println("\n== 4. What the loop decided ==");
            Table e = new Table("date", "trigger", "outcome", "version", "why");
            for (LoopReplay.Event ev : events) {
                e.row(ev.date(), ev.trigger(), ev.status(), ev.version() == null ? "" : ev.version(), ev.outcome());
            }
            out.print(events.isEmpty() ? "no alert opened\n" : e.render());
            out.println("Next: ./kiln pipeline runs " + MODEL + "   ./kiln models history " + MODEL);
        }
        out.flush();
        return 0;
    }

    private static String pipelineFile(String rollout) {
        return """
                # kiln demo loop: Seattle's weather, retrained on the last year when monitoring sees accuracy drop.
                name: %s
                data: recent.csv
                target: weather
                train:
                  algorithms: [baseline, gbdt]
                  warm_start: true                # production's trees continued: it keeps every class it knows
                  exclude: [date]
                  split: time
                  time_column: date
                  seed: 0
                  configurations: 4             # a search bounded by its size, not the clock: the same models on any machine
                gates:
                  max_regression: 0.02
                promote:
                  alias: production
                %s""".formatted(MODEL, rollout);
    }

    private static LoopReplay.Day day(String header, String line) {
        String[] names = header.split(",");
        String[] cells = line.split(",", -1);
        Map<String, Object> inputs = new LinkedHashMap<>();
        String label = null;
        String date = null;
        for (int i = 0; i < names.length; i++) {
            switch (names[i]) {
                case "weather" -> label = cells[i];
                case "date" -> {
                    date = cells[i];
                    inputs.put("date", cells[i]);
                }
                default -> inputs.put(names[i], Double.parseDouble(cells[i]));
            }
        }
        return new LoopReplay.Day(date, inputs, label, line);
    }

    private void say(PrintWriter out, String line) {
        if (!json) {
            out.println(line);
            out.flush();
        }
    }
}
