package io.lyre.proxy.config;

/** A setting from the environment that the proxy refuses to start with; the message names the variable. */
public final class InvalidSettingException extends RuntimeException {
    private final String variable;

    public InvalidSettingException(String variable, String problem) {
        super(variable + ": " + problem);
        this.variable = variable;
    }

    public String variable() {
        return variable;
    }
}
