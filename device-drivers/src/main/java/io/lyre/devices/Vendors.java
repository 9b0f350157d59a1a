package io.lyre.devices;

import java.util.Locale;

/** One spelling per vendor, so that a placement asking for vendor "AMD" matches what every probe reports. */
final class Vendors {

    static final String NVIDIA = "NVIDIA";
    static final String AMD = "AMD";
    static final String INTEL = "Intel";
    static final String XILINX = "Xilinx";

    private Vendors() {
    }

    /** "NVIDIA Corporation" -> NVIDIA, "Advanced Micro Devices, Inc." and "AuthenticAMD" -> AMD, ...; others as given. */
    static String canonical(String reported) {
        if (reported == null) {
            return "";
        }
        String name = reported.trim();
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.contains("nvidia")) {
            return NVIDIA;
        }
        if (lower.contains("advanced micro devices") || lower.equals("authenticamd") || lower.matches(".*\\bamd\\b.*")) {
            return AMD;
        }
        if (lower.contains("intel") || lower.contains("altera")) {
            return INTEL;
        }
        if (lower.contains("xilinx")) {
            return XILINX;
        }
        return name;
    }
}
