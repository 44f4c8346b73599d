package dev.kiln.data.validate;

import dev.kiln.runtime.validate.Expectations;
import dev.kiln.runtime.validate.ValidationOptions;
import dev.kiln.runtime.validate.ValidationReport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.data.Profiler;
import dev.kiln.data.ReadOptions;
import dev.kiln.runtime.validate.ValidationReport.ColumnReport;
import dev.kiln.runtime.validate.ValidationReport.Example;
import dev.kiln.runtime.validate.ValidationReport.Kind;
import dev.kiln.runtime.validate.ValidationReport.Status;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidatorTest {
    private static final String TRAINING = """
            age,income,city,joined,label
            20,100.5,paris,2020-01-01,yes
            30,200.0,rome,2020-06-01,no
            40,,paris,2021-01-01,yes
            50,400.25,oslo,2021-06-01,no
            60,500.0,rome,2022-01-01,yes
            """;

    private static final List<Field> FIELDS = List.of(new Field("age", ColumnType.INTEGER, false),
            new Field("income", ColumnType.NUMERIC, true), new Field("city", ColumnType.CATEGORICAL, false),
            new Field("joined", ColumnType.DATETIME, false));

    @TempDir
    Path dir;

    private static DataFrame csv(String text, boolean asText) {
        ReadOptions options = asText ? ReadOptions.defaults().withOtherColumns(ColumnType.TEXT) : ReadOptions.defaults();
        return DataReader.readCsv(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "mem.csv", options);
    }

    private static Expectations expected() {
        DatasetProfile profile = Profiler.profile(csv(TRAINING, false));
        return Expectations.of(FIELDS, profile, Map.of("city", Set.of("paris", "rome")), "label");
    }

    private static ColumnReport column(ValidationReport r, String name) {
        return r.columns().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void trainingDataItselfPasses() {
        ValidationReport r = Validator.validate(csv(TRAINING, true), expected(), ValidationOptions.defaults());
        assertThat(r.status()).isEqualTo(Status.PASS);
        assertThat(r.rows()).isEqualTo(5);
        assertThat(r.extraColumns()).containsExactly("label");
        assertThat(r.missingColumns()).isEmpty();
        assertThat(r.summary().rowsClean()).isEqualTo(5);
        assertThat(column(r, "city").knownCategories()).isEqualTo(3); // vocabulary united with the profile
        assertThat(column(r, "city").knownCategoriesComplete()).isTrue();
    }

    @Test
    void typedFramesAreCheckedLikeText() {
        ValidationReport r = Validator.validate(csv(TRAINING, false), expected(), null);
        assertThat(r.status()).isEqualTo(Status.PASS);
        assertThat(column(r, "joined").counts().valid()).isEqualTo(5);
    }

    @Test
    void aBooleanCellIsShownInItsFilesWords() {
        String data = "age,income,city,joined\nyes,150,paris,2020-02-01\nNo,150,rome,2020-02-01\n";
        ValidationReport r = Validator.validate(csv(data, false), expected(), ValidationOptions.defaults());
        assertThat(issue(column(r, "age"), Kind.INVALID_TYPE).examples())
                .containsExactly(new Example(1, "yes"), new Example(2, "No"));
    }

    @Test
    void eachKindOfIssueIsCountedWithRowsAndValues() {
        String data = """
                age,income,city,joined,extra
                25,150,paris,2020-02-01,a
                abc,150,rome,2020-02-01,b
                99,150,berlin,2020-02-01,c
                30.5,,madrid,not a date,d
                35,,berlin,2019-01-01,e
                """;
        ValidationReport r = Validator.validate(csv(data, true), expected(), ValidationOptions.defaults());
        assertThat(r.status()).isEqualTo(Status.FAIL);
        assertThat(r.extraColumns()).containsExactly("extra");

        ColumnReport age = column(r, "age");
        assertThat(age.status()).isEqualTo(Status.FAIL);
        assertThat(age.counts().invalidType()).isEqualTo(2);
        assertThat(age.counts().outOfRange()).isEqualTo(1);
        assertThat(age.counts().valid()).isEqualTo(2);
        assertThat(issue(age, Kind.INVALID_TYPE).examples()).containsExactly(new Example(2, "abc"), new Example(4, "30.5"));
        assertThat(issue(age, Kind.OUT_OF_RANGE).examples()).containsExactly(new Example(3, "99"));
        assertThat(issue(age, Kind.OUT_OF_RANGE).message()).contains("[20, 60]");

        ColumnReport city = column(r, "city");
        assertThat(city.status()).isEqualTo(Status.WARN);
        assertThat(city.counts().newCategory()).isEqualTo(3);
        assertThat(issue(city, Kind.NEW_CATEGORY).distinctValues()).isEqualTo(2);
        assertThat(issue(city, Kind.NEW_CATEGORY).examples()).extracting(Example::row).containsExactly(3L, 4L, 5L);

        ColumnReport income = column(r, "income");
        assertThat(income.counts().missing()).isEqualTo(2);
        assertThat(income.missingRate()).isEqualTo(0.4);
        assertThat(income.trainingMissingRate()).isEqualTo(0.2);
        assertThat(issue(income, Kind.MISSING_RATE_JUMP).examples()).extracting(Example::row).containsExactly(4L, 5L);

        ColumnReport joined = column(r, "joined");
        assertThat(joined.counts().invalidType()).isEqualTo(1);
        assertThat(joined.counts().outOfRange()).isEqualTo(1);

        // rows 2 and 4 have a type violation; 3 and 5 only warnings; 1 is clean
        assertThat(r.summary().rowsFailing()).isEqualTo(2);
        assertThat(r.summary().rowsWithWarnings()).isEqualTo(2);
        assertThat(r.summary().rowsClean()).isEqualTo(1);
        assertThat(r.summary().issues()).containsEntry(Kind.INVALID_TYPE, 3L).containsEntry(Kind.NEW_CATEGORY, 3L)
                .containsEntry(Kind.MISSING_RATE_JUMP, 1L);
    }

    /**
     * A file is read typed, and only the columns whose numbers cannot stand for their text are read again as text:
     * the counts are those of reading every column as text (examples show numbers in canonical form).
     */
    @Test
    void aFileIsCheckedFromItsNumbersWithTheCountsOfItsText() throws IOException {
        String data = """
                age,income,city,joined,zip
                25,150.50,paris,2020-02-01,007
                31,1e3,rome,2020-02-01,012
                99,,berlin,2020-02-01,007
                40,NA,007,not a date,1
                35,-1e9,berlin,2019-01-01,2
                """;
        List<Field> fields = List.of(new Field("age", ColumnType.INTEGER, false),
                new Field("income", ColumnType.NUMERIC, true), new Field("city", ColumnType.CATEGORICAL, false),
                new Field("joined", ColumnType.DATETIME, false), new Field("zip", ColumnType.CATEGORICAL, false));
        DatasetProfile profile = Profiler.profile(csv(TRAINING, false));
        Expectations expected = Expectations.of(fields, profile, Map.of("city", Set.of("paris", "rome"),
                "zip", Set.of("007", "012")), "label");
        Path file = dir.resolve("data.csv");
        Files.writeString(file, data);

        ValidationReport typed = Validator.validate(file, expected, ValidationOptions.defaults());
        ValidationReport text = Validator.validate(csv(data, true), expected, ValidationOptions.defaults());
        assertThat(typed.status()).isEqualTo(text.status());
        assertThat(typed.summary()).isEqualTo(text.summary());
        for (Field field : fields) {
            assertThat(column(typed, field.name()).counts()).as(field.name()).isEqualTo(column(text, field.name()).counts());
        }
        // zip holds numbers but the model reads categories: checked as written, so 007 is known and 1 is not.
        assertThat(column(typed, "zip").counts().newCategory()).isEqualTo(2);
        assertThat(issue(column(typed, "zip"), Kind.NEW_CATEGORY).examples()).containsExactly(new Example(4, "1"),
                new Example(5, "2"));
        // income was checked from its numbers: an out-of-range value shows in canonical form.
        assertThat(issue(column(typed, "income"), Kind.OUT_OF_RANGE).examples()).containsExactly(new Example(2, "1000"),
                new Example(5, "-1000000000"));
        assertThat(Validator.checkedFromNumbers(ColumnType.NUMERIC, csv(data, false).column("income"))).isTrue();
        assertThat(Validator.checkedFromNumbers(ColumnType.CATEGORICAL, csv(data, false).column("zip"))).isFalse();
    }

    @Test
    void aMissingColumnFailsEveryRowAndWarningsAloneWarn() {
        String data = """
                age,income,joined
                25,150,2020-02-01
                26,150,2020-02-01
                """;
        ValidationReport r = Validator.validate(csv(data, true), expected(), null);
        assertThat(r.status()).isEqualTo(Status.FAIL);
        assertThat(r.missingColumns()).containsExactly("city");
        assertThat(column(r, "city").present()).isFalse();
        assertThat(column(r, "city").counts().absent()).isEqualTo(2);
        assertThat(r.summary().rowsFailing()).isEqualTo(2);

        String warn = """
                age,income,city,joined
                25,9999,paris,2020-02-01
                """;
        ValidationReport w = Validator.validate(csv(warn, true), expected(), null);
        assertThat(w.status()).isEqualTo(Status.WARN);
        assertThat(w.summary().rowsWithWarnings()).isEqualTo(1);
    }

    @Test
    void missingRateThresholdIsAnOption() {
        String data = """
                age,income,city,joined
                25,,paris,2020-02-01
                26,150,paris,2020-02-01
                27,150,paris,2020-02-01
                """;
        // 33% missing against 20% in training: a 13-point jump
        assertThat(Validator.validate(csv(data, true), expected(), null).status()).isEqualTo(Status.WARN);
        assertThat(Validator.validate(csv(data, true), expected(), new ValidationOptions(0.2, 5)).status()).isEqualTo(Status.PASS);
        assertThatThrownBy(() -> new ValidationOptions(1.5, 5)).isInstanceOf(KilnException.class);
    }

    @Test
    void examplesAreCappedAndJsonKeysAreSnakeCase() throws IOException {
        StringBuilder data = new StringBuilder("age,income,city,joined\n");
        for (int i = 0; i < 12; i++) {
            data.append("x").append(i).append(",1,paris,2020-02-01\n");
        }
        Path file = Files.writeString(dir.resolve("bad.csv"), data);
        ValidationReport r = Validator.validate(file, expected(), null);
        assertThat(issue(column(r, "age"), Kind.INVALID_TYPE).count()).isEqualTo(12);
        assertThat(issue(column(r, "age"), Kind.INVALID_TYPE).examples()).hasSize(5);
        assertThat(r.datasetSha256()).hasSize(64);

        JsonNode json = Json.mapper().readTree(Json.mapper().writeValueAsString(r));
        assertThat(json.get("status").asText()).isEqualTo("fail");
        assertThat(json.get("summary").get("rows_failing").asLong()).isEqualTo(12);
        assertThat(json.get("summary").get("issues").get("invalid_type").asLong()).isEqualTo(12);
        JsonNode age = json.get("columns").get(0);
        assertThat(age.get("counts").get("invalid_type").asLong()).isEqualTo(12);
        assertThat(age.get("issues").get(0).get("kind").asText()).isEqualTo("invalid_type");
        assertThat(age.get("issues").get(0).get("examples").get(0).get("row").asLong()).isEqualTo(1);
        assertThat(json.get("thresholds").get("missing_rate_jump").asDouble()).isEqualTo(0.05);
        assertThat(json.has("row_numbers")).isTrue();
    }

    private static ValidationReport.Issue issue(ColumnReport c, Kind kind) {
        return c.issues().stream().filter(i -> i.kind() == kind).findFirst().orElseThrow();
    }

    @Test
    void aBundlesReferenceSketchMakesTheListOfKnownCategoriesComplete() {
        // 25 rare cities seen once each: beyond the profile's top 20 and below the one-hot vocabulary's two-sighting bar.
        StringBuilder csv = new StringBuilder("city\n");
        for (int i = 0; i < 25; i++) {
            csv.append("town").append(i).append('\n');
        }
        DataFrame training = DataReader.readCsv(new ByteArrayInputStream(csv.toString().getBytes(StandardCharsets.UTF_8)),
                "train.csv", ReadOptions.defaults().withTypes(Map.of("city", ColumnType.CATEGORICAL)));
        var fields = List.of(new Field("city", ColumnType.CATEGORICAL, true));
        var pipeline = new dev.kiln.runtime.features.FeaturePipeline(List.of(
                new dev.kiln.runtime.features.FeatureTransform.OneHot("city", List.of(), null, false)));
        var manifest = new dev.kiln.runtime.bundle.BundleManifest("1.1", dev.kiln.runtime.Task.REGRESSION, "y", List.of(), null,
                null, new dev.kiln.runtime.schema.Schema(fields), "baseline", Map.of(), Map.of(), Map.of(), null, Map.of(), Map.of());
        var sketch = new dev.kiln.runtime.bundle.ReferenceSketch("training rows", dev.kiln.data.Sketcher.sketch(training),
                "held-out rows", dev.kiln.runtime.profile.DatasetSketch.builder(
                        dev.kiln.runtime.bundle.ReferenceSketch.outputSchema(dev.kiln.runtime.Task.REGRESSION)).build());
        var withSketch = new dev.kiln.runtime.bundle.Bundle(null, manifest, pipeline,
                new dev.kiln.runtime.model.ConstantEstimator(pipeline.width(), new double[] {0}), Profiler.profile(training), sketch);
        var withoutSketch = new dev.kiln.runtime.bundle.Bundle(null, manifest, pipeline,
                new dev.kiln.runtime.model.ConstantEstimator(pipeline.width(), new double[] {0}), Profiler.profile(training));

        assertThat(Expectations.of(withoutSketch).knownCategories().get("city")).hasSize(20);
        assertThat(Expectations.of(withoutSketch).categoriesComplete().get("city")).isFalse();
        Expectations complete = Expectations.of(withSketch);
        assertThat(complete.knownCategories().get("city")).hasSize(25).contains("town24");
        assertThat(complete.categoriesComplete().get("city")).isTrue();

        DataFrame current = DataReader.readCsv(new ByteArrayInputStream("city\ntown24\ntown99\n".getBytes(StandardCharsets.UTF_8)),
                "cur.csv", ReadOptions.defaults().withOtherColumns(ColumnType.TEXT));
        ValidationReport report = Validator.validate(current, complete, ValidationOptions.defaults());
        assertThat(report.columns().get(0).counts().newCategory()).isEqualTo(1); // town99 only
    }

    /**
     * A file too big to read whole is validated a batch of rows at a time, every column as text: the same report as the
     * whole read (counts, rows, examples where the text is written canonically), over several batches, with a column
     * the model reads missing from the file. Parquet gives the same counts.
     */
    @Test
    void aFileReadInBatchesGivesTheWholeReadsReport() throws Exception {
        StringBuilder data = new StringBuilder("age,income,city,extra\n");
        String[] cities = {"paris", "rome", "berlin", "NA", "oslo"};
        for (int i = 0; i < 120_000; i++) {
            String age = i % 997 == 0 ? "abc" : i % 1009 == 0 ? "99" : i % 13 == 0 ? "" : Integer.toString(20 + i % 41);
            String income = i % 7 == 0 ? "NA" : i % 5003 == 0 ? "1000000" : (100 + i % 400) + ".25";
            data.append(age).append(',').append(income).append(',').append(cities[i % cities.length]).append(",x")
                    .append(i % 3).append('\n');
        }
        Path file = Files.writeString(dir.resolve("big.csv"), data);
        Expectations expected = expected(); // reads joined too, which the file lacks: every row fails
        ValidationReport whole = Validator.validate(file, expected, ValidationOptions.defaults());
        ValidationReport batched = Validator.validateInBatches(file, expected, ValidationOptions.defaults());
        assertThat(Json.mapper().writeValueAsString(batched)).isEqualTo(Json.mapper().writeValueAsString(whole));
        assertThat(batched.rows()).isEqualTo(120_000);
        assertThat(column(batched, "age").counts().invalidType()).isEqualTo(121);
        assertThat(batched.missingColumns()).containsExactly("joined");
        assertThat(batched.datasetSha256()).isEqualTo(DataReader.read(file).sha256());

        Path parquet = dir.resolve("big.parquet");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
             java.sql.Statement st = c.createStatement()) {
            st.execute("COPY (SELECT * FROM read_csv('" + file + "', all_varchar = true)) TO '" + parquet + "' (FORMAT PARQUET)");
        }
        ValidationReport fromParquet = Validator.validateInBatches(parquet, expected, ValidationOptions.defaults());
        assertThat(fromParquet.summary()).isEqualTo(whole.summary());
        for (ColumnReport c : whole.columns()) {
            assertThat(column(fromParquet, c.name()).counts()).as(c.name()).isEqualTo(c.counts());
        }
    }
}
