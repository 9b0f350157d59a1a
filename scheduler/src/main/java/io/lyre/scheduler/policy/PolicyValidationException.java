package io.lyre.scheduler.policy;

import java.util.List;

/** A refused policy; each error starts with the field path: {@code devices[0].count: must be >= 1}. */
public class PolicyValidationException extends IllegalArgumentException {

    private final List<String> errors;

    public PolicyValidationException(List<String> errors) {
        super("invalid policy: " + String.join("; ", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
