package io.lyre.scheduler.constraint;

/** A constraint that does not parse; the message names the field (when one was read) and the 1-based position. */
public class ConstraintSyntaxException extends IllegalArgumentException {

    private final int position;

    public ConstraintSyntaxException(String message, int position) {
        super(message);
        this.position = position;
    }

    public int position() {
        return position;
    }
}
