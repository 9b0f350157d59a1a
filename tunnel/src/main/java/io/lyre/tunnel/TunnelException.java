package io.lyre.tunnel;

/**
 * An exchange that could not be carried. {@link #httpStatus()} is what the proxy's HTTP front should
 * answer: 502 when the agent or its upstream failed mid-way, 503 when no agent or stream is available,
 * 504 on a timeout, 403 when the agent's relay policy refused the target.
 */
public class TunnelException extends RuntimeException {

    private final int httpStatus;

    public TunnelException(int httpStatus, String message) {
        super(message);
        this.httpStatus = httpStatus;
    }

    public TunnelException(int httpStatus, String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
