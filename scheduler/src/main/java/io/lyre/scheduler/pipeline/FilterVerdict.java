package io.lyre.scheduler.pipeline;

import java.util.function.Supplier;

/**
 * A filter's answer for one engine. The reason is built lazily: most refusals are never read (another
 * engine wins), and formatting a sentence per refused engine per request would cost more than deciding.
 */
public final class FilterVerdict {

    public static final FilterVerdict PASS = new FilterVerdict(true, () -> "");

    private final boolean passed;
    private final Supplier<String> reason;

    private FilterVerdict(boolean passed, Supplier<String> reason) {
        this.passed = passed;
        this.reason = reason;
    }

    public static FilterVerdict refuse(Supplier<String> reason) {
        return new FilterVerdict(false, reason);
    }

    public static FilterVerdict refuse(String reason) {
        return new FilterVerdict(false, () -> reason);
    }

    public boolean passed() {
        return passed;
    }

    public String reason() {
        return reason.get();
    }

    @Override
    public String toString() {
        return passed ? "pass" : "refused: " + reason();
    }
}
