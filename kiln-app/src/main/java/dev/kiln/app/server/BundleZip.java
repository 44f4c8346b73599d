package dev.kiln.app.server;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.bundle.BundleManifest;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Unpacks an uploaded bundle zip: a few plain files at the top level, or all inside one top-level directory.
 *
 * <p>The archive is read from its central directory by this class itself (java.util.zip hides the entry
 * attributes that mark symbolic links), and everything is checked before a byte is written: at most
 * {@link #MAX_ENTRIES} entries; names without backslashes, absolute paths, {@code .} or {@code ..} parts, or
 * directories below the one optional top directory; no symbolic links or other special entries; no
 * duplicate names (compared ignoring case); stored or deflated, not encrypted, not ZIP64 or multi-disk; a
 * {@code manifest.json}. Declared sizes are not trusted: bytes are counted while inflating, and an entry
 * that inflates past its declared size, or a total past {@link #MAX_UNPACKED_BYTES}, stops the unpacking
 * (413, like a body over its limit), so at most that many bytes are ever written. CRC and size are checked
 * per entry.
 */
final class BundleZip {
    static final int MAX_ENTRIES = 20;
    static final long MAX_UNPACKED_BYTES = 64L << 20;
    /** A file name inside a bundle, as the artifact store accepts them. */
    static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,254}");

    private static final int EOCD = 0x06054b50;
    private static final int CEN = 0x02014b50;
    private static final int LOC = 0x04034b50;
    private static final int EOCD_SIZE = 22;
    private static final int CEN_SIZE = 46;
    private static final int LOC_SIZE = 30;
    private static final long MAX_CENTRAL_DIRECTORY = 1L << 20;

    private BundleZip() {
    }

    /** One central-directory entry, its name already checked; {@code file} is the name without the top directory. */
    private record Entry(String name, String file, int method, long crc, long compressedSize, long size, long localOffset) {
    }

    /** Unpacks {@code zip} into the empty directory {@code into}; returns the files written (plain names). */
    static List<String> unpack(Path zip, Path into) {
        try (RandomAccessFile raf = new RandomAccessFile(zip.toFile(), "r")) {
            List<Entry> entries = entries(raf);
            List<String> written = new ArrayList<>();
            long total = 0;
            for (Entry e : entries) {
                if (e.file() == null) {
                    continue; // the top directory's own entry
                }
                total += extract(raf, e, into.resolve(e.file()), MAX_UNPACKED_BYTES - total);
                written.add(e.file());
            }
            return written;
        } catch (IOException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot unpack an uploaded zip: " + e.getMessage(), Map.of(), e);
        }
    }

    // ---------------------------------------------------------------- central directory

    private static List<Entry> entries(RandomAccessFile raf) throws IOException {
        EndRecord end = endRecord(raf);
        byte[] cen = new byte[(int) end.cenSize()];
        raf.seek(end.cenOffset());
        raf.readFully(cen);
        List<Entry> entries = new ArrayList<>();
        Layout layout = new Layout();
        long declared = 0;
        int p = 0;
        for (int n = 0; n < end.count(); n++) {
            CentralRecord r = centralRecord(cen, p);
            p += r.length();
            entries.add(entry(r, layout));
            declared += r.size();
            if (declared > MAX_UNPACKED_BYTES) {
                throw tooLarge("the zip unpacks to more than " + MAX_UNPACKED_BYTES + " bytes");
            }
        }
        if (p != cen.length) {
            throw bad("the zip's central directory is malformed", Map.of());
        }
        if (!layout.seen.contains(BundleManifest.MANIFEST_FILE)) {
            throw new KilnException(ErrorCode.BUNDLE_CORRUPT, "the uploaded zip is not a Kiln bundle: it has no "
                    + BundleManifest.MANIFEST_FILE + " at its top level (or inside its one top directory)", Map.of());
        }
        for (Entry e : entries) {
            checkLocalHeader(raf, e, end.cenOffset());
        }
        return entries;
    }

    /** The end of central directory record: how many entries, where the central directory is and how long. */
    private record EndRecord(int count, long cenSize, long cenOffset) {
    }

    private static EndRecord endRecord(RandomAccessFile raf) throws IOException {
        long length = raf.length();
        if (length < EOCD_SIZE) {
            throw bad("the request body is not a zip archive (too short for one)", Map.of());
        }
        // The end record sits at the very end, after an optional comment of up to 65,535 bytes.
        int tailLength = (int) Math.min(length, EOCD_SIZE + 0xFFFF);
        byte[] tail = new byte[tailLength];
        raf.seek(length - tailLength);
        raf.readFully(tail);
        int end = -1;
        for (int i = tailLength - EOCD_SIZE; i >= 0; i--) {
            if (i32(tail, i) == EOCD && i + EOCD_SIZE + u16(tail, i + 20) == tailLength) {
                end = i;
                break;
            }
        }
        if (end < 0) {
            throw bad("the request body is not a zip archive (no end of central directory record)", Map.of());
        }
        int disk = u16(tail, end + 4);
        int cenDisk = u16(tail, end + 6);
        int onDisk = u16(tail, end + 8);
        int count = u16(tail, end + 10);
        long cenSize = u32(tail, end + 12);
        long cenOffset = u32(tail, end + 16);
        if (count == 0xFFFF || cenSize == 0xFFFFFFFFL || cenOffset == 0xFFFFFFFFL) {
            throw bad("ZIP64 archives are not accepted (a bundle is a few small files)", Map.of());
        }
        if (disk != 0 || cenDisk != 0 || onDisk != count) {
            throw bad("multi-volume zip archives are not accepted", Map.of());
        }
        if (count > MAX_ENTRIES) {
            throw bad("the zip has " + count + " entries; a bundle upload has at most " + MAX_ENTRIES,
                    Map.of("entries", count, "limit", MAX_ENTRIES));
        }
        long endOffset = length - tailLength + end;
        if (cenSize > MAX_CENTRAL_DIRECTORY || cenOffset + cenSize > endOffset) {
            throw bad("the zip's central directory is malformed", Map.of());
        }
        return new EndRecord(count, cenSize, cenOffset);
    }

    /** One central directory record as stored; {@code length} is its size with name, extra field and comment. */
    private record CentralRecord(String name, int madeBy, int flags, int method, long crc, long compressed, long size,
                                 long attributes, long localOffset, int length) {
    }

    private static CentralRecord centralRecord(byte[] cen, int p) {
        if (p + CEN_SIZE > cen.length || i32(cen, p) != CEN) {
            throw bad("the zip's central directory is malformed", Map.of());
        }
        int nameLength = u16(cen, p + 28);
        int extraLength = u16(cen, p + 30);
        int commentLength = u16(cen, p + 32);
        int length = CEN_SIZE + nameLength + extraLength + commentLength;
        if (p + length > cen.length) {
            throw bad("the zip's central directory is malformed", Map.of());
        }
        return new CentralRecord(new String(cen, p + CEN_SIZE, nameLength, StandardCharsets.ISO_8859_1), u16(cen, p + 4),
                u16(cen, p + 8), u16(cen, p + 10), u32(cen, p + 16), u32(cen, p + 20), u32(cen, p + 24), u32(cen, p + 38),
                u32(cen, p + 42), length);
    }

    /**
     * Where the entries sit: all at the top level, or all inside one top directory ({@code top}); and the names
     * seen so far (case-insensitively, as a case-insensitive file system would see them).
     */
    private static final class Layout {
        String top;
        boolean topLevelFiles;
        final Set<String> seen = new HashSet<>();

        /** The plain file name an entry unpacks to; null for the top directory's own entry. */
        String place(String name, String[] parts, boolean directory, long size) {
            if (directory) {
                if (parts.length != 1 || (top != null && !top.equals(parts[0])) || topLevelFiles) {
                    throw nested(name);
                }
                top = parts[0];
                if (size != 0) {
                    throw bad("zip entry '" + printable(name) + "' is a directory with content", Map.of("entry", printable(name)));
                }
                return null;
            }
            if (parts.length == 1) {
                if (top != null) {
                    throw nested(name);
                }
                topLevelFiles = true;
                return parts[0];
            }
            if (parts.length == 2) {
                if (topLevelFiles || (top != null && !top.equals(parts[0]))) {
                    throw nested(name);
                }
                top = parts[0];
                return parts[1];
            }
            throw nested(name);
        }
    }

    /** The entry of a central record, refused when it is not a plain, unencrypted, stored or deflated bundle file. */
    private static Entry entry(CentralRecord r, Layout layout) {
        String name = r.name();
        String[] parts = checkName(name);
        int unixType = (int) (r.attributes() >>> 16) & 0xF000;
        boolean unix = (r.madeBy() >>> 8) == 3;
        if (unix && unixType == 0xA000) {
            throw bad("zip entry '" + printable(name) + "' is a symbolic link; a bundle holds regular files only", Map.of("entry", printable(name)));
        }
        boolean directory = name.endsWith("/");
        if (unix && unixType != 0 && unixType != (directory ? 0x4000 : 0x8000)) {
            throw bad("zip entry '" + printable(name) + "' is not a regular file", Map.of("entry", printable(name)));
        }
        if ((r.flags() & 1) != 0) {
            throw bad("zip entry '" + printable(name) + "' is encrypted", Map.of("entry", printable(name)));
        }
        String file = layout.place(name, parts, directory, r.size());
        if (file != null && !FILE_NAME.matcher(file).matches()) {
            throw bad("zip entry '" + printable(name) + "': bundle file names use letters, digits, '.', '_' and '-', starting with a "
                    + "letter, digit or '_'", Map.of("entry", printable(name)));
        }
        if (!layout.seen.add((file == null ? name : file).toLowerCase(Locale.ROOT))) {
            throw bad("zip entry '" + printable(name) + "' appears twice", Map.of("entry", printable(name)));
        }
        if (r.method() != 0 && r.method() != 8) {
            throw bad("zip entry '" + printable(name) + "' uses compression method " + r.method() + "; use stored or deflated",
                    Map.of("entry", printable(name), "method", r.method()));
        }
        if (r.method() == 0 && r.compressed() != r.size()) {
            throw bad("zip entry '" + printable(name) + "' is stored with inconsistent sizes", Map.of("entry", printable(name)));
        }
        return new Entry(name, file, r.method(), r.crc(), r.compressed(), r.size(), r.localOffset());
    }

    /** The name's '/'-separated parts; refuses backslashes, absolute paths, '.', '..', empty parts and control characters. */
    private static String[] checkName(String name) {
        String shown = printable(name);
        if (name.isEmpty() || name.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw bad("zip entry '" + shown + "' has an empty name or control characters in it", Map.of("entry", shown));
        }
        if (name.indexOf('\\') >= 0) {
            throw bad("zip entry '" + shown + "' has a backslash in its name", Map.of("entry", shown));
        }
        if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
            throw bad("zip entry '" + shown + "' has an absolute path", Map.of("entry", shown));
        }
        String trimmed = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        String[] parts = trimmed.split("/", -1);
        for (String part : parts) {
            if (part.equals("..")) {
                throw bad("zip entry '" + shown + "' leaves the bundle ('..')", Map.of("entry", shown));
            }
            if (part.isEmpty() || part.equals(".")) {
                throw bad("zip entry '" + shown + "' has an empty or '.' part in its name", Map.of("entry", shown));
            }
        }
        return parts;
    }

    /** The local header must be a local header, name the same entry, and its data must lie before the central directory. */
    private static void checkLocalHeader(RandomAccessFile raf, Entry e, long cenOffset) throws IOException {
        if (e.localOffset() + LOC_SIZE > cenOffset) {
            throw bad("zip entry '" + printable(e.name()) + "' points outside the archive", Map.of("entry", printable(e.name())));
        }
        byte[] header = new byte[LOC_SIZE];
        raf.seek(e.localOffset());
        raf.readFully(header);
        int nameLength = u16(header, 26);
        int extraLength = u16(header, 28);
        byte[] name = new byte[nameLength];
        if (i32(header, 0) != LOC || e.localOffset() + LOC_SIZE + nameLength > cenOffset) {
            throw bad("zip entry '" + printable(e.name()) + "' has no valid local header", Map.of("entry", printable(e.name())));
        }
        raf.readFully(name);
        if (!new String(name, StandardCharsets.ISO_8859_1).equals(e.name())) {
            throw bad("zip entry '" + printable(e.name()) + "' is named differently in its local header", Map.of("entry", printable(e.name())));
        }
        if (dataOffset(e, nameLength, extraLength) + e.compressedSize() > cenOffset) {
            throw bad("zip entry '" + printable(e.name()) + "' runs into the central directory", Map.of("entry", printable(e.name())));
        }
    }

    private static long dataOffset(Entry e, int nameLength, int extraLength) {
        return e.localOffset() + LOC_SIZE + nameLength + extraLength;
    }

    // ---------------------------------------------------------------- extraction

    /** Writes one entry, counting what it inflates to; returns the bytes written. */
    private static long extract(RandomAccessFile raf, Entry e, Path target, long budget) throws IOException {
        byte[] header = new byte[LOC_SIZE];
        raf.seek(e.localOffset());
        raf.readFully(header);
        raf.seek(dataOffset(e, u16(header, 26), u16(header, 28)));
        long cap = Math.min(e.size(), budget); // never write more than declared, nor past the total
        CRC32 crc = new CRC32();
        long written;
        try (OutputStream o = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            written = e.method() == 0 ? copyStored(raf, e, o, crc, cap) : inflate(raf, e, o, crc, cap);
        }
        if (written != e.size()) {
            throw corrupt(e, "it holds " + written + " bytes, not the " + e.size() + " its header declares");
        }
        if (crc.getValue() != e.crc()) {
            throw corrupt(e, "its CRC-32 does not match");
        }
        return written;
    }

    /** A stored entry's bytes, copied as they are; returns how many. */
    private static long copyStored(RandomAccessFile raf, Entry e, OutputStream o, CRC32 crc, long cap) throws IOException {
        byte[] in = new byte[64 * 1024];
        long written = 0;
        long left = e.compressedSize();
        while (left > 0) {
            int n = raf.read(in, 0, (int) Math.min(in.length, left));
            if (n < 0) {
                throw truncated(e);
            }
            left -= n;
            written = write(o, crc, in, n, written, cap, e);
        }
        return written;
    }

    /** A deflated entry, inflated at most to {@code cap} bytes (counted as they come out); returns how many. */
    private static long inflate(RandomAccessFile raf, Entry e, OutputStream o, CRC32 crc, long cap) throws IOException {
        byte[] in = new byte[64 * 1024];
        byte[] out = new byte[64 * 1024];
        long written = 0;
        Inflater inflater = new Inflater(true);
        try {
            long left = e.compressedSize();
            boolean padded = false;
            while (!inflater.finished()) {
                if (inflater.needsInput()) {
                    if (left > 0) {
                        int n = raf.read(in, 0, (int) Math.min(in.length, left));
                        if (n < 0) {
                            throw truncated(e);
                        }
                        left -= n;
                        inflater.setInput(in, 0, n);
                    } else if (!padded) {
                        inflater.setInput(new byte[1]); // raw inflate may want one byte past the data
                        padded = true;
                    } else {
                        throw truncated(e);
                    }
                }
                if (inflater.needsDictionary()) {
                    throw corrupt(e, "it needs a preset dictionary");
                }
                int n = inflater.inflate(out);
                written = write(o, crc, out, n, written, cap, e);
            }
        } catch (DataFormatException x) {
            throw corrupt(e, "its compressed data is invalid (" + x.getMessage() + ")");
        } finally {
            inflater.end();
        }
        return written;
    }

    private static long write(OutputStream o, CRC32 crc, byte[] buf, int n, long written, long cap, Entry e) throws IOException {
        if (written + n > cap) {
            throw tooLarge(written + n > e.size()
                    ? "zip entry '" + printable(e.name()) + "' inflates to more than the " + e.size() + " bytes it declares (a zip bomb?)"
                    : "the zip unpacks to more than " + MAX_UNPACKED_BYTES + " bytes");
        }
        o.write(buf, 0, n);
        crc.update(buf, 0, n);
        return written + n;
    }

    // ---------------------------------------------------------------- helpers

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }

    private static int i32(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
    }

    private static long u32(byte[] b, int i) {
        return i32(b, i) & 0xFFFFFFFFL;
    }

    /** A name as it may appear in a message: control characters and non-ASCII bytes escaped, at most 200 characters. */
    private static String printable(String name) {
        StringBuilder sb = new StringBuilder();
        for (char ch : name.toCharArray()) {
            if (sb.length() >= 200) {
                sb.append('…');
                break;
            }
            sb.append(ch < 0x20 || ch >= 0x7f ? String.format("\\x%02x", (int) ch) : String.valueOf(ch));
        }
        return sb.toString();
    }

    private static KilnException nested(String name) {
        return bad("zip entry '" + printable(name) + "' is not a top-level file: a bundle zip holds its files at the top level, "
                + "or all inside one top-level directory", Map.of("entry", printable(name)));
    }

    private static KilnException truncated(Entry e) {
        return corrupt(e, "its data is truncated");
    }

    private static KilnException corrupt(Entry e, String why) {
        return bad("zip entry '" + printable(e.name()) + "' is corrupt: " + why, Map.of("entry", printable(e.name())));
    }

    private static KilnException bad(String message, Map<String, Object> details) {
        return new KilnException(ErrorCode.INVALID_ARGUMENT, message, new LinkedHashMap<>(details));
    }

    static KilnException tooLarge(String message) {
        return KilnException.answer(ErrorCode.PAYLOAD_TOO_LARGE, message, Map.of("limit_bytes", MAX_UNPACKED_BYTES));
    }
}
