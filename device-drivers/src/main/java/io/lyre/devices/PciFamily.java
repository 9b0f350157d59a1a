package io.lyre.devices;

import java.util.List;

/** A kind of PCI device the sysfs probe recognises (Xilinx FPGAs, AMD GPUs, ...) and how it turns functions into devices. */
interface PciFamily {

    /** Whether this family wants the function; decided from ids alone so that other functions are never read further. */
    boolean claims(int vendor, int device, int classCode);

    /** The devices that the claimed functions make up (several functions may be one card). */
    List<Device> describe(List<PciFunction> functions, SysfsScan scan);
}
