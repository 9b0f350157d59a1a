package io.lyre.devices;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a Throwable into one short line for a status. Native-library errors carry pages of nested
 * stack traces in their message (JCuda's do); an admin needs only "libcuda.so.1 not found".
 */
final class OneLineReason {

    private static final Pattern MISSING_LIBRARY =
            Pattern.compile("([\\w.+-]+\\.so(?:\\.[\\w]+)*): cannot open shared object file");
    private static final int MAX_LENGTH = 200;

    private OneLineReason() {
    }

    /** "libcuda.so.1 not found" when a shared library is missing anywhere in the chain, else the first message line. */
    static String cause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                Matcher m = MISSING_LIBRARY.matcher(t.getMessage());
                if (m.find()) {
                    return m.group(1) + " not found";
                }
            }
        }
        if (failure instanceof FileSystemException fse) {
            return fileSystemReason(fse);
        }
        return firstLine(failure.getMessage(), failure.getClass().getSimpleName());
    }

    // Their message is only the path, which the caller already names.
    private static String fileSystemReason(FileSystemException e) {
        if (e.getReason() != null && !e.getReason().isBlank()) {
            return firstLine(e.getReason(), "file system error");
        }
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof AccessDeniedException) {
            return "access denied";
        }
        return e.getClass().getSimpleName();
    }

    /** The exception's simple type name and its short cause: "RuntimeException: boom". */
    static String of(Throwable failure) {
        String cause = cause(failure);
        String type = failure.getClass().getSimpleName();
        return cause.equals(type) ? type : type + ": " + cause;
    }

    private static String firstLine(String message, String fallback) {
        if (message == null || message.isBlank()) {
            return fallback;
        }
        String line = message.strip().lines().findFirst().orElse(fallback).strip();
        return line.length() <= MAX_LENGTH ? line : line.substring(0, MAX_LENGTH - 3) + "...";
    }
}
