package io.lyre.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Lyre's own variables: the receive budget's value and its refusals. */
class LyreSettingsTest {

    @ParameterizedTest(name = "LYRE_TUNNEL_RECEIVE_BUDGET_MIB=''{0}'' gives {1} bytes")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
        "none   | none",
        "''     | none",
        "'   '  | none",
        "1      | 1048576",
        "96     | 100663296",
        "' 512 '| 536870912",
        "1048576| 1099511627776",
    })
    void readsTheReceiveBudgetInMebibytes(String value, Long bytes) {
        Map<String, String> env = value == null ? Map.of() : Map.of("LYRE_TUNNEL_RECEIVE_BUDGET_MIB", value);
        assertThat(LyreSettings.fromEnv(env).receiveBudgetBytes()).isEqualTo(java.util.Optional.ofNullable(bytes));
    }

    @ParameterizedTest(name = "LYRE_TUNNEL_RECEIVE_BUDGET_MIB=''{0}'' is refused")
    @CsvSource(delimiter = '|', value = {
        "abc     | is not a whole number of MiB",
        "512m    | is not a whole number of MiB",
        "1.5     | is not a whole number of MiB",
        "0       | must be between 1 and 1048576 MiB, not 0",
        "-4      | must be between 1 and 1048576 MiB, not -4",
        "1048577 | must be between 1 and 1048576 MiB, not 1048577",
    })
    void refusesABadReceiveBudgetNamingTheVariable(String value, String problem) {
        assertThatThrownBy(() -> LyreSettings.fromEnv(Map.of("LYRE_TUNNEL_RECEIVE_BUDGET_MIB", value)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("LYRE_TUNNEL_RECEIVE_BUDGET_MIB: ")
                .hasMessageContaining(problem);
    }
}
