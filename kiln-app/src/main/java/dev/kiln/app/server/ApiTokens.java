package dev.kiln.app.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.io.AtomicFiles;
import dev.kiln.store.ModelRef;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API tokens of a Kiln home, kept in {@code HOME/server-tokens.json} as
 * {@code [{"name", "role", "sha256", "created"}]}: the SHA-256 of each token, never the token itself.
 * The file is replaced atomically (temp file + rename) with owner-only permissions where the file system
 * has them. A token is 32 random bytes, base64url; it is shown once, when it is added.
 */
public final class ApiTokens {
    public static final String FILE = "server-tokens.json";
    private static final ObjectMapper MAPPER = Json.mapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One configured token. */
    public record Entry(String name, String role, String sha256, String created) {
        Role parsedRole() {
            return Role.parse(role);
        }
    }

    /** The entries read from the file, with the file's modification time and size when read. */
    private record Snapshot(List<Entry> entries, List<byte[]> hashes, long modified, long size) {
        static Snapshot of(List<Entry> entries, long modified, long size) {
            return new Snapshot(List.copyOf(entries), entries.stream().map(e -> HexFormat.of().parseHex(e.sha256())).toList(),
                    modified, size);
        }
    }

    private static final System.Logger LOG = System.getLogger("dev.kiln.server.tokens");
    /** How often a running server looks at the file for added or revoked tokens. */
    static final long RECHECK_NANOS = 1_000_000_000L;

    private final Path file;
    private final boolean startedEmpty;
    private volatile Snapshot current;
    private volatile long checkedAt;

    private ApiTokens(Path file, Snapshot snapshot) {
        this.file = file;
        this.current = snapshot;
        this.startedEmpty = snapshot.entries().isEmpty();
        this.checkedAt = System.nanoTime();
    }

    public static ApiTokens none() {
        return new ApiTokens(null, Snapshot.of(List.of(), 0, 0));
    }

    /**
     * The tokens of {@code home}; none when the file does not exist. A malformed file is an error, never "no tokens".
     * A running server re-reads the file when it changes (looked at at most once a second), so a revoked token stops
     * working and an added one starts, without a restart. Whether the server runs open (no tokens: loopback only,
     * every request admin) is decided once, when it loads: a server started with tokens never becomes open, and a
     * file that turns unreadable refuses every token until it is fixed.
     */
    public static ApiTokens load(Path home) {
        Path file = home.resolve(FILE);
        long[] stamp = stamp(file);
        return new ApiTokens(file, Snapshot.of(read(file), stamp[0], stamp[1]));
    }

    /** No tokens when this was loaded (the server then runs open until restarted). */
    public boolean isEmpty() {
        return startedEmpty;
    }

    public List<Entry> entries() {
        refresh();
        return current.entries();
    }

    /** The principal whose token this is, comparing hashes in constant time; empty for an unknown token. */
    public Optional<Principal> authenticate(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        return authenticateHash(sha256(token));
    }

    /**
     * The principal whose token has this SHA-256, as the file says now: a UI session keeps only its token's hash and
     * asks again on every request, so revoking the token (or changing its role) ends or changes the session at once.
     */
    Optional<Principal> authenticateHash(byte[] hash) {
        refresh();
        Snapshot s = current;
        Entry match = null;
        for (int i = 0; i < s.entries().size(); i++) {
            if (MessageDigest.isEqual(hash, s.hashes().get(i)) && match == null) {
                match = s.entries().get(i);
            }
        }
        return match == null ? Optional.empty() : Optional.of(new Principal(match.name(), match.parsedRole()));
    }

    /** Re-reads the file when its modification time or size changed since it was read (at most once a second). */
    private void refresh() {
        if (file == null || System.nanoTime() - checkedAt < RECHECK_NANOS) {
            return;
        }
        synchronized (this) {
            if (System.nanoTime() - checkedAt < RECHECK_NANOS) {
                return;
            }
            checkedAt = System.nanoTime();
            long[] stamp = stamp(file);
            Snapshot s = current;
            if (stamp[0] == s.modified() && stamp[1] == s.size()) {
                return;
            }
            try {
                current = Snapshot.of(read(file), stamp[0], stamp[1]);
            } catch (KilnException e) {
                current = Snapshot.of(List.of(), stamp[0], stamp[1]); // fail closed
                LOG.log(System.Logger.Level.WARNING, "API tokens file " + file + " cannot be read; refusing every token until "
                        + "it is fixed: " + e.getMessage());
            }
        }
    }

    private static long[] stamp(Path file) {
        try {
            return new long[] {Files.getLastModifiedTime(file).toMillis(), Files.size(file)};
        } catch (IOException e) {
            return new long[] {-1, -1}; // absent
        }
    }

    /** Removes the token named {@code name} from {@code home}'s file; a running server stops taking it within a second. */
    public static Entry revoke(Path home, String name) {
        Path file = home.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new KilnException(ErrorCode.MODEL_NOT_FOUND, "there is no API token named '" + name + "' (no tokens in "
                    + home + ")", Map.of("name", name));
        }
        try (FileChannel lockFile = FileChannel.open(home.resolve(FILE + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            lockFile.lock();
            List<Entry> entries = new ArrayList<>(read(file));
            Entry gone = entries.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow(() -> new KilnException(
                    ErrorCode.MODEL_NOT_FOUND, "there is no API token named '" + name + "'", Map.of("name", name)));
            entries.remove(gone);
            write(file, entries);
            return gone;
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot update " + file + ": " + e.getMessage(), Map.of("file", file.toString()), e);
        }
    }

    /** The token added and the entry recorded for it. */
    public record Added(String token, Entry entry) {
    }

    /** Adds a token named {@code name} with {@code role} to {@code home}'s file; the name must be new. */
    public static Added add(Path home, String name, Role role) {
        checkName(name);
        Path file = home.resolve(FILE);
        try {
            Files.createDirectories(home);
            // One writer at a time across processes; the lock goes with the channel.
            try (FileChannel lockFile = FileChannel.open(home.resolve(FILE + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                lockFile.lock();
                List<Entry> entries = new ArrayList<>(read(file));
                if (entries.stream().anyMatch(e -> e.name().equals(name))) {
                    throw new KilnException(ErrorCode.CONFLICT, "there is already an API token named '" + name + "'",
                            Map.of("name", name));
                }
                byte[] raw = new byte[32];
                RANDOM.nextBytes(raw);
                String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
                Entry entry = new Entry(name, role.wireName(), HexFormat.of().formatHex(sha256(token)), Instant.now().toString());
                entries.add(entry);
                write(file, entries);
                return new Added(token, entry);
            }
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot update " + file + ": " + e.getMessage(), Map.of("file", file.toString()), e);
        }
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void checkName(String name) {
        if (name == null || !ModelRef.NAME.matcher(name).matches() || name.contains("..")) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "token name '" + name + "' is not valid: use letters, digits, "
                    + "'.', '_' and '-', starting with a letter or digit (it is recorded as the actor of changes)",
                    Map.of("name", String.valueOf(name)));
        }
    }

    private static List<Entry> read(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<Entry> entries;
        try {
            entries = MAPPER.readValue(file.toFile(), new TypeReference<List<Entry>>() { });
        } catch (IOException e) {
            throw malformed(file, e.getMessage());
        }
        if (entries == null) {
            throw malformed(file, "it holds null");
        }
        for (Entry e : entries) {
            if (e == null || e.name() == null || e.sha256() == null || !e.sha256().matches("[0-9a-f]{64}")) {
                throw malformed(file, "every entry needs a name and the hex SHA-256 of its token");
            }
            try {
                e.parsedRole();
            } catch (KilnException bad) {
                throw malformed(file, "token '" + e.name() + "': " + bad.getMessage());
            }
        }
        return entries;
    }

    private static KilnException malformed(Path file, String why) {
        return new KilnException(ErrorCode.INVALID_ARGUMENT, "cannot read the API tokens in " + file + ": " + why
                + " (fix or remove the file; the server will not start on a file it cannot read)", Map.of("file", file.toString()));
    }

    private static void write(Path file, List<Entry> entries) throws IOException {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        Path tmp = AtomicFiles.temporaryFor(file);
        try {
            // Owner-only from its creation: the hashes never sit in a readable file, even for a moment.
            if (posix) {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(tmp);
            }
            Files.write(tmp, MAPPER.writeValueAsBytes(entries));
            AtomicFiles.publish(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
