package io.lyre.scheduler.model;

import io.lyre.scheduler.constraint.Constraint;

/** A soft preference: devices satisfying {@code when} score {@code weight} (-100..100; negative = avoid). */
public record Affinity(Constraint when, int weight) {

    public static Affinity parse(String expression, int weight) {
        return new Affinity(Constraint.parse(expression), weight);
    }

    @Override
    public String toString() {
        return when + " (weight " + weight + ")";
    }
}
