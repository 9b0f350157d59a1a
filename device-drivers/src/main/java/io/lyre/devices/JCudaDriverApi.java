package io.lyre.devices;

import java.nio.charset.StandardCharsets;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.CUuuid;
import jcuda.driver.JCudaDriver;

/** {@link CudaDriverApi} through JCuda's driver bindings. Its first use loads libcuda; without it that throws a LinkageError. */
final class JCudaDriverApi implements CudaDriverApi {

    @Override
    public int initAndGetDriverVersion() throws CallFailed {
        check("cuInit", JCudaDriver.cuInit(0));
        int[] version = new int[1];
        check("cuDriverGetVersion", JCudaDriver.cuDriverGetVersion(version));
        return version[0];
    }

    @Override
    public int deviceCount() throws CallFailed {
        int[] count = new int[1];
        check("cuDeviceGetCount", JCudaDriver.cuDeviceGetCount(count));
        return count[0];
    }

    @Override
    public DeviceFacts device(int ordinal) throws CallFailed {
        CUdevice device = new CUdevice();
        check("cuDeviceGet(" + ordinal + ")", JCudaDriver.cuDeviceGet(device, ordinal));
        byte[] name = new byte[256];
        check("cuDeviceGetName(" + ordinal + ")", JCudaDriver.cuDeviceGetName(name, name.length, device));
        CUuuid uuid = new CUuuid();
        check("cuDeviceGetUuid(" + ordinal + ")", JCudaDriver.cuDeviceGetUuid(uuid, device));
        long[] memory = new long[1];
        check("cuDeviceTotalMem(" + ordinal + ")", JCudaDriver.cuDeviceTotalMem(memory, device));
        String[] pci = new String[1];
        check("cuDeviceGetPCIBusId(" + ordinal + ")", JCudaDriver.cuDeviceGetPCIBusId(pci, 32, device));
        return new DeviceFacts(cString(name), uuid.bytes, memory[0],
                attribute(device, ordinal, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                attribute(device, ordinal, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
                attribute(device, ordinal, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT),
                pci[0]);
    }

    private static int attribute(CUdevice device, int ordinal, int attribute) throws CallFailed {
        int[] value = new int[1];
        check("cuDeviceGetAttribute(" + ordinal + ", " + CUdevice_attribute.stringFor(attribute) + ")",
                JCudaDriver.cuDeviceGetAttribute(value, attribute, device));
        return value[0];
    }

    private static void check(String call, int result) throws CallFailed {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CallFailed(call, CUresult.stringFor(result), result == CUresult.CUDA_ERROR_NO_DEVICE);
        }
    }

    private static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8).trim();
    }
}
