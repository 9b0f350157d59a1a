package io.lyre.devices;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Reads one sysfs attribute file. A file that cannot be read or holds garbage is recorded in
 * {@link ScanProblems} under a short "where" label and read as absent, so the caller degrades one fact,
 * not the scan.
 */
final class SysfsFile {

    private static final int SHOWN = 40;

    private SysfsFile() {
    }

    /** Trimmed content; empty when the file does not exist (not a problem), or is unreadable (recorded). */
    static Optional<String> read(Path file, String where, ScanProblems problems) {
        if (!Files.exists(file)) {
            if (Files.isSymbolicLink(file)) {
                problems.add(where, "unreadable (dangling link)");
            }
            return Optional.empty();
        }
        try {
            // ISO-8859-1 never fails to decode, so garbage bytes reach the parser and get named there.
            return Optional.of(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).strip());
        } catch (IOException e) {
            problems.add(where, "unreadable (" + OneLineReason.cause(e) + ")");
            return Optional.empty();
        }
    }

    /** Like {@link #read}, but a missing file is a problem too. */
    static Optional<String> readRequired(Path file, String where, ScanProblems problems) {
        if (!Files.exists(file) && !Files.isSymbolicLink(file)) {
            problems.add(where, "missing");
            return Optional.empty();
        }
        return read(file, where, problems);
    }

    /** A "0x10ee" style id; garbage is recorded as "not a hex id 'zzz'". */
    static OptionalInt hexId(Optional<String> text, String where, ScanProblems problems) {
        if (text.isEmpty()) {
            return OptionalInt.empty();
        }
        String value = text.get();
        String digits = value.startsWith("0x") || value.startsWith("0X") ? value.substring(2) : value;
        try {
            if (digits.isEmpty() || digits.length() > 8) {
                throw new NumberFormatException();
            }
            return OptionalInt.of((int) Long.parseLong(digits, 16));
        } catch (NumberFormatException e) {
            problems.add(where, "not a hex id '" + shown(value) + "'");
            return OptionalInt.empty();
        }
    }

    /** A decimal number; garbage is recorded as "not a number 'x'". */
    static OptionalLong number(Optional<String> text, String where, ScanProblems problems) {
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(text.get()));
        } catch (NumberFormatException e) {
            problems.add(where, "not a number '" + shown(text.get()) + "'");
            return OptionalLong.empty();
        }
    }

    /** Garbage made printable and short enough for a status line. */
    static String shown(String value) {
        StringBuilder out = new StringBuilder();
        for (char c : value.toCharArray()) {
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
            if (out.length() == SHOWN) {
                return out + "...";
            }
        }
        return out.toString();
    }
}
