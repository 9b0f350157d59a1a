package io.lyre.devices;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VendorsTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "NVIDIA Corporation,              NVIDIA",
            "'Advanced Micro Devices, Inc.',  AMD",
            "AuthenticAMD,                    AMD",
            "AMD,                             AMD",
            "GenuineIntel,                    Intel",
            "Intel(R) Corporation,            Intel",
            "Altera Corporation,              Intel",
            "Xilinx,                          Xilinx",
            "Portable Computing Language,     Portable Computing Language",
    })
    void spellsEachVendorOneWay(String reported, String canonical) {
        assertThat(Vendors.canonical(reported)).isEqualTo(canonical);
    }
}
