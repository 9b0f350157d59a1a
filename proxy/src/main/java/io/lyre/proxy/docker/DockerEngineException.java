package io.lyre.proxy.docker;

import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;

/**
 * The engine could not be talked to: HaRP answers 503 "Could not connect to Docker Engine on port N" when it
 * is unreachable and 504 when it is too slow.
 */
public final class DockerEngineException extends RuntimeException {
    public enum Kind { UNREACHABLE, TIMEOUT }

    private final Kind kind;
    private final int slot;

    public DockerEngineException(Kind kind, int slot, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.slot = slot;
    }

    public Kind kind() {
        return kind;
    }

    public int slot() {
        return slot;
    }

    public int httpStatus() {
        return kind == Kind.TIMEOUT ? 504 : 503;
    }

    /** The text HaRP answers with. */
    public String answer() {
        return kind == Kind.TIMEOUT ? "Docker Engine on port " + slot + " timed out"
                : "Could not connect to Docker Engine on port " + slot;
    }

    /** Classifies a transport failure from a DockerHttpClient. */
    public static DockerEngineException of(int slot, Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DockerEngineException d) {
                return d;
            }
            if (t instanceof SocketTimeoutException
                    || (t instanceof InterruptedIOException && String.valueOf(t.getMessage()).toLowerCase().contains("timeout"))) {
                return new DockerEngineException(Kind.TIMEOUT, slot, "Docker engine " + slot + " timed out", failure);
            }
        }
        return new DockerEngineException(Kind.UNREACHABLE, slot,
                "Docker engine " + slot + " unreachable: " + failure, failure);
    }
}
