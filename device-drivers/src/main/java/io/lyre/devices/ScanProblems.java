package io.lyre.devices;

import java.util.ArrayList;
import java.util.List;

/**
 * What went wrong while a probe looked, collected so that one bad entry never hides the others.
 * The probe still reports OK when it could look at all; the problems go into its status detail.
 */
final class ScanProblems {

    private static final int LISTED = 5;

    private final List<String> problems = new ArrayList<>();

    /** Records one problem, e.g. where="0000:05:00.0/vendor", what="not a hex id 'zzz'". */
    synchronized void add(String where, String what) {
        problems.add(where + ": " + what);
    }

    synchronized boolean isEmpty() {
        return problems.isEmpty();
    }

    synchronized List<String> all() {
        return List.copyOf(problems);
    }

    /** "found 3 devices in 9 PCI functions; 1 problem: 0000:05:00.0/vendor: not a hex id 'zzz'". */
    synchronized String summary(String found) {
        if (problems.isEmpty()) {
            return found;
        }
        StringBuilder line = new StringBuilder(found).append("; ").append(problems.size())
                .append(problems.size() == 1 ? " problem: " : " problems: ");
        line.append(String.join("; ", problems.subList(0, Math.min(LISTED, problems.size()))));
        if (problems.size() > LISTED) {
            line.append("; and ").append(problems.size() - LISTED).append(" more");
        }
        return line.toString();
    }

    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
