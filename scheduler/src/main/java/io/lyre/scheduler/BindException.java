package io.lyre.scheduler;

/** The engine refused the container (create or start failed, tunnel down, device driver missing). */
public class BindException extends Exception {

    public BindException(String message) {
        super(message);
    }

    public BindException(String message, Throwable cause) {
        super(message, cause);
    }
}
