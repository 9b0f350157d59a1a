package io.lyre.devices;

/** What a device is, as the scheduler asks for it. FPGA boards seen only through OpenCL report ACCELERATOR. */
public enum DeviceKind {
    CPU, GPU, FPGA, ACCELERATOR
}
