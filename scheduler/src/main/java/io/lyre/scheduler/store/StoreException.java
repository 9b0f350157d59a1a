package io.lyre.scheduler.store;

/** The store could not read or write; a failed write changed nothing. */
public class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
