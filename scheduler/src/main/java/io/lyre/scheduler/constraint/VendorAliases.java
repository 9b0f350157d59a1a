package io.lyre.scheduler.constraint;

import java.util.Locale;

/**
 * One key per vendor, however a probe or a policy spells it: names, PCI vendor ids, old brands.
 * Altera is Intel's FPGA line; ATI is AMD's old GPU brand.
 */
public final class VendorAliases {

    private VendorAliases() {
    }

    /** "NVIDIA Corporation", "nvidia", "10de", "0x10de" -> "nvidia"; unknown names lowercased. Empty for null. */
    public static String key(String vendor) {
        if (vendor == null) {
            return "";
        }
        String v = vendor.trim().toLowerCase(Locale.ROOT);
        if (v.startsWith("0x")) {
            v = v.substring(2);
        }
        if (v.contains("nvidia") || v.equals("10de")) {
            return "nvidia";
        }
        if (v.equals("amd") || v.equals("ati") || v.equals("1002") || v.contains("advanced micro devices")
                || v.equals("authenticamd") || v.startsWith("amd ")) {
            return "amd";
        }
        if (v.contains("xilinx") || v.equals("10ee")) {
            return "xilinx";
        }
        if (v.contains("intel") || v.contains("altera") || v.equals("8086") || v.equals("1172")) {
            return "intel";
        }
        return v;
    }
}
