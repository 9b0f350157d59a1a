package io.lyre.proxy.exapp;

/** AppAPI's route access levels: 0 public, 1 any logged-in user, 2 admins. */
public enum AccessLevel {
    PUBLIC, USER, ADMIN;

    public static AccessLevel of(int level) {
        return switch (level) {
            case 0 -> PUBLIC;
            case 1 -> USER;
            case 2 -> ADMIN;
            default -> throw new IllegalArgumentException("access_level must be 0, 1 or 2, not " + level);
        };
    }

    public int level() {
        return ordinal();
    }
}
