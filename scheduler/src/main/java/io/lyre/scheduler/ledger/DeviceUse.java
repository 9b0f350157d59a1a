package io.lyre.scheduler.ledger;

import java.util.Arrays;

/**
 * Who holds one device: the sharing limit of each holder. The device is full when its holder count reaches the
 * smallest limit among them, so a late app cannot loosen what an earlier app asked for.
 */
public record DeviceUse(int[] holderLimits) {

    public static final DeviceUse FREE = new DeviceUse(new int[0]);

    public int apps() {
        return holderLimits.length;
    }

    /** The smallest sharing limit among the holders; MAX_VALUE when free. */
    public int limit() {
        int min = Integer.MAX_VALUE;
        for (int l : holderLimits) {
            min = Math.min(min, l);
        }
        return min;
    }

    /** Whether an app asking with {@code maxApps} may take this device now. Exclusive never mixes with shared. */
    public boolean admits(int maxApps) {
        int n = holderLimits.length;
        if (n == 0) {
            return true;
        }
        return maxApps > 1 && n < Math.min(limit(), maxApps);
    }

    DeviceUse plus(int maxApps) {
        int[] next = Arrays.copyOf(holderLimits, holderLimits.length + 1);
        next[holderLimits.length] = maxApps;
        return new DeviceUse(next);
    }

    DeviceUse minus(int maxApps) {
        for (int i = 0; i < holderLimits.length; i++) {
            if (holderLimits[i] == maxApps) {
                int[] next = new int[holderLimits.length - 1];
                System.arraycopy(holderLimits, 0, next, 0, i);
                System.arraycopy(holderLimits, i + 1, next, i, holderLimits.length - i - 1);
                return new DeviceUse(next);
            }
        }
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceUse d && Arrays.equals(d.holderLimits, holderLimits);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(holderLimits);
    }

    @Override
    public String toString() {
        return apps() == 0 ? "free" : apps() + " app(s), limit " + limit();
    }
}
