package io.lyre.devices;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PCI function address. Every probe writes it in one form, {@code 0000:3b:00.0}, so that the
 * merger can match what CUDA ({@code 00000000:3B:00.0}), OpenCL (numbers) and sysfs (directory names) say.
 */
public record PciAddress(int domain, int bus, int device, int function) implements Comparable<PciAddress> {

    // Domain is optional and may be up to 8 hex digits (CUDA and nvidia-smi print 8).
    private static final Pattern FORM = Pattern.compile(
            "(?:([0-9a-fA-F]{1,8}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\\.([0-7])");

    public PciAddress {
        if (domain < 0 || domain > 0xffff || bus < 0 || bus > 0xff || device < 0 || device > 0x1f
                || function < 0 || function > 7) {
            throw new IllegalArgumentException(
                    "not a PCI address: domain=" + domain + " bus=" + bus + " device=" + device + " function=" + function);
        }
    }

    /** Parses "0000:3b:00.0", "3b:00.0" or "00000000:3B:00.0"; empty when the text is no PCI address. */
    public static Optional<PciAddress> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        long domain = m.group(1) == null ? 0 : Long.parseLong(m.group(1), 16);
        int device = Integer.parseInt(m.group(3), 16);
        if (domain > 0xffff || device > 0x1f) {
            return Optional.empty();
        }
        return Optional.of(new PciAddress((int) domain, Integer.parseInt(m.group(2), 16), device,
                Integer.parseInt(m.group(4))));
    }

    /** The normalised form of any accepted spelling, or null when it is none. */
    public static String normalise(String text) {
        return parse(text).map(PciAddress::toString).orElse(null);
    }

    /** bus, device and function packed as the kernel's PCI_DEVID does: (bus << 8) | devfn. KFD calls it location_id. */
    public int locationId() {
        return (bus << 8) | (device << 3) | function;
    }

    /** The same slot's function 0: the address that names a multi-function card. */
    public PciAddress functionZero() {
        return new PciAddress(domain, bus, device, 0);
    }

    public boolean sameSlot(PciAddress other) {
        return domain == other.domain && bus == other.bus && device == other.device;
    }

    @Override
    public int compareTo(PciAddress o) {
        return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%04x:%02x:%02x.%d", domain, bus, device, function);
    }
}
