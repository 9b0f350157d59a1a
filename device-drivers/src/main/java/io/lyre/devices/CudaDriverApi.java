package io.lyre.devices;

/** The few CUDA driver calls the CUDA probe makes, behind an interface so tests can stand in for a GPU. */
interface CudaDriverApi {

    /** What the driver tells about one device. */
    record DeviceFacts(String name, byte[] uuid, long totalMemory, int ccMajor, int ccMinor, int multiprocessors,
                       String pciBusId) {
    }

    /** A driver call returned an error code. */
    final class CallFailed extends Exception {
        private final String call;
        private final String errorName;
        private final boolean noDevice;

        CallFailed(String call, String errorName, boolean noDevice) {
            super(call + ": " + errorName);
            this.call = call;
            this.errorName = errorName;
            this.noDevice = noDevice;
        }

        String call() {
            return call;
        }

        String errorName() {
            return errorName;
        }

        /** CUDA_ERROR_NO_DEVICE: a driver without a GPU, not a failure. */
        boolean noDevice() {
            return noDevice;
        }
    }

    /** cuInit, then cuDriverGetVersion: 12040 for 12.4. Throws LinkageError when the driver library cannot be loaded. */
    int initAndGetDriverVersion() throws CallFailed;

    int deviceCount() throws CallFailed;

    DeviceFacts device(int ordinal) throws CallFailed;
}
