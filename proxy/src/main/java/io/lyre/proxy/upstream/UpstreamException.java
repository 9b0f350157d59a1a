package io.lyre.proxy.upstream;

/** Why an ExApp could not be reached: the front door answers 503 for CONNECT and 504 for TIMEOUT. */
public final class UpstreamException extends RuntimeException {
    public enum Kind { CONNECT, TIMEOUT }

    private final Kind kind;

    public UpstreamException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
