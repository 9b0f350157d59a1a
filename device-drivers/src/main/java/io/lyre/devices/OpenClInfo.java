package io.lyre.devices;

import static org.jocl.CL.CL_SUCCESS;
import static org.jocl.CL.clGetDeviceInfo;
import static org.jocl.CL.clGetPlatformInfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** Typed reads of clGetPlatformInfo and clGetDeviceInfo; a failed query names its parameter and the CL error. */
final class OpenClInfo {

    /** A query returned an error code. */
    static final class QueryFailed extends Exception {
        QueryFailed(String what, int status) {
            super(what + ": " + CL.stringFor_errorCode(status));
        }
    }

    private OpenClInfo() {
    }

    static String platformString(cl_platform_id platform, int param, String what) throws QueryFailed {
        long[] size = new long[1];
        check(what, clGetPlatformInfo(platform, param, 0, null, size));
        byte[] bytes = new byte[(int) size[0]];
        check(what, clGetPlatformInfo(platform, param, bytes.length, Pointer.to(bytes), null));
        return cString(bytes);
    }

    static String deviceString(cl_device_id device, int param, String what) throws QueryFailed {
        return cString(deviceBytes(device, param, what));
    }

    static byte[] deviceBytes(cl_device_id device, int param, String what) throws QueryFailed {
        long[] size = new long[1];
        check(what, clGetDeviceInfo(device, param, 0, null, size));
        byte[] bytes = new byte[(int) size[0]];
        check(what, clGetDeviceInfo(device, param, bytes.length, Pointer.to(bytes), null));
        return bytes;
    }

    static long deviceLong(cl_device_id device, int param, String what) throws QueryFailed {
        long[] value = new long[1];
        check(what, clGetDeviceInfo(device, param, Long.BYTES, Pointer.to(value), null));
        return value[0];
    }

    static int deviceInt(cl_device_id device, int param, String what) throws QueryFailed {
        int[] value = new int[1];
        check(what, clGetDeviceInfo(device, param, Integer.BYTES, Pointer.to(value), null));
        return value[0];
    }

    /** A vendor-extension query: empty when the device does not answer it. */
    static Optional<byte[]> optionalBytes(cl_device_id device, int param, int size) {
        byte[] bytes = new byte[size];
        int status = clGetDeviceInfo(device, param, size, Pointer.to(bytes), null);
        return status == CL_SUCCESS ? Optional.of(bytes) : Optional.empty();
    }

    static Optional<Integer> optionalInt(cl_device_id device, int param) {
        return optionalBytes(device, param, Integer.BYTES)
                .map(b -> ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt());
    }

    private static void check(String what, int status) throws QueryFailed {
        if (status != CL_SUCCESS) {
            throw new QueryFailed(what, status);
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
