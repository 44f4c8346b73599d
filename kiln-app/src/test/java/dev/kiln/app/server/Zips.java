package dev.kiln.app.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Zips for upload tests: bundles, and archives that a well-behaved tool would never write (patched after writing). */
final class Zips {
    private Zips() {
    }

    /** The files of a bundle directory by name. */
    static Map<String, byte[]> files(Path dir) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                out.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** A bundle's files zipped at the top level, or inside {@code top/} (with its directory entry) when {@code top} is given. */
    static byte[] bundle(Path dir, String top) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        if (top != null) {
            entries.put(top + "/", new byte[0]);
        }
        files(dir).forEach((name, bytes) -> entries.put(top == null ? name : top + "/" + name, bytes));
        return zip(entries);
    }

    /** Entries in order, deflated; a name ending in '/' is a directory entry. */
    static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A zip whose one extra entry {@code name} inflates to {@code size} zero bytes (about a thousandth of that compressed). */
    static byte[] withZeros(Map<String, byte[]> entries, String name, long size) {
        return withZeros(entries, Map.of(name, size));
    }

    /** A zip whose extra entries inflate to so many zero bytes each. */
    static byte[] withZeros(Map<String, byte[]> entries, Map<String, Long> zeroEntries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
            byte[] zeros = new byte[1 << 20];
            for (Map.Entry<String, Long> z : new java.util.TreeMap<>(zeroEntries).entrySet()) {
                zip.putNextEntry(new ZipEntry(z.getKey()));
                for (long left = z.getValue(); left > 0; left -= zeros.length) {
                    zip.write(zeros, 0, (int) Math.min(zeros.length, left));
                }
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Marks the central-directory entry {@code name} as a Unix symbolic link. */
    static byte[] asSymlink(byte[] zip, String name) {
        byte[] out = zip.clone();
        int p = central(out, name);
        out[p + 5] = 3; // made by: Unix
        put32(out, p + 38, 0120777L << 16);
        return out;
    }

    /** Sets the uncompressed size that the central directory declares for {@code name} (the data stays as it is). */
    static byte[] declaringSize(byte[] zip, String name, long size) {
        byte[] out = zip.clone();
        put32(out, central(out, name) + 24, size);
        return out;
    }

    /** Replaces every occurrence of a name (same length) in local headers and the central directory. */
    static byte[] renaming(byte[] zip, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.ISO_8859_1);
        byte[] t = to.getBytes(StandardCharsets.ISO_8859_1);
        if (f.length != t.length) {
            throw new IllegalArgumentException("same length only");
        }
        byte[] out = zip.clone();
        for (int i = 0; i + f.length <= out.length; i++) {
            if (java.util.Arrays.equals(out, i, i + f.length, f, 0, f.length)) {
                System.arraycopy(t, 0, out, i, t.length);
            }
        }
        return out;
    }

    static long crc(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }

    private static int central(byte[] zip, String name) {
        byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
        for (int p = 0; p + 46 <= zip.length; p++) {
            if (u32(zip, p) == 0x02014b50L && u16(zip, p + 28) == n.length
                    && java.util.Arrays.equals(zip, p + 46, p + 46 + n.length, n, 0, n.length)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no central directory entry " + name);
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }

    private static long u32(byte[] b, int i) {
        return ((b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (long) (b[i + 3] & 0xff) << 24);
    }

    private static void put32(byte[] b, int i, long v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
        b[i + 2] = (byte) (v >>> 16);
        b[i + 3] = (byte) (v >>> 24);
    }
}
