package io.lyre.devices;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PciAddressTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "0000:3b:00.0,      0000:3b:00.0",   // sysfs
            "00000000:3B:00.0,  0000:3b:00.0",   // CUDA's cuDeviceGetPCIBusId, nvidia-smi
            "3b:00.1,           0000:3b:00.1",   // lspci without -D
            "0001:c3:1f.7,      0001:c3:1f.7",
            "' 0000:07:00.0 ',  0000:07:00.0",
    })
    void normalisesEverySpellingProbesUse(String given, String normalised) {
        assertThat(PciAddress.normalise(given)).isEqualTo(normalised);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "opencl:0:0", "GPU-1234", "0000:3b:00", "0000:3b:20.0", "0000:3b:00.8", "100000:3b:00.0"})
    void rejectsWhatIsNoPciAddress(String text) {
        assertThat(PciAddress.parse(text)).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> location_id {1}")
    @CsvSource({"0000:c3:00.0, 49920", "0000:3b:00.1, 15105", "0000:00:1f.3, 251"})
    void packsBusAndDevfnAsKfdLocationId(String address, int locationId) {
        assertThat(PciAddress.parse(address).orElseThrow().locationId()).isEqualTo(locationId);
    }

    @ParameterizedTest
    @CsvSource({"0000:3b:00.1, 0000:3b:00.0", "0000:3b:00.0, 0000:3b:00.0"})
    void namesAMultiFunctionCardByFunctionZero(String address, String card) {
        assertThat(PciAddress.parse(address).orElseThrow().functionZero().toString()).isEqualTo(card);
    }
}
