package io.lyre.devices;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AmdGpusTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"90010, gfx90a", "90008, gfx908", "90402, gfx942", "110000, gfx1100", "100300, gfx1030"})
    void namesTheIsaFromKfdsGfxTargetVersion(long version, String gfx) {
        assertThat(AmdGpus.gfxName(version)).isEqualTo(gfx);
    }
}
