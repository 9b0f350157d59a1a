package io.lyre.proxy.docker;

/** No ready engine can take the request; the front door answers 503. */
public final class NoEngineAvailableException extends RuntimeException {
    public NoEngineAvailableException(String message) {
        super(message);
    }
}
