package io.lyre.scheduler.constraint;

/** The operators of the constraint language, with the spelling the parser accepts. */
public enum Operator {
    EQ("="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">="), MATCHES("matches"), IN("in");

    private final String symbol;

    Operator(String symbol) {
        this.symbol = symbol;
    }

    public String symbol() {
        return symbol;
    }

    /** Operators that order values: their operand must be a number, a size or a dotted version. */
    public boolean ordering() {
        return this == LT || this == LE || this == GT || this == GE;
    }
}
