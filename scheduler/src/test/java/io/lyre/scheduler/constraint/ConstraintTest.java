package io.lyre.scheduler.constraint;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConstraintTest {

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            memory >= 20 GiB        | 21474836480  | true
            memory >= 20 GiB        | 21474836479  | false
            memory >= 20GiB         | 42949672960  | true
            memory < 512MiB         | 536870911    | true
            memory <= 80 GB         | 80000000000  | true
            memory > 80 GB          | 80000000000  | false
            cuda.cc >= 8.0          | 8.6          | true
            cuda.cc >= 8.0          | 12.0         | true
            cuda.cc >= 12.0         | 8.6          | false
            cuda.cc > 8.9           | 8.10         | true
            cuda.cc >= 8            | 8.6          | true
            cuda.cc = 8             | 8.0          | true
            cuda.cc < 9.0           | 9.0          | false
            compute_units >= 100    | 108          | true
            compute_units != 108    | 108          | false
            model = a100            | A100         | true
            model != H100           | A100         | true
            model matches [AH]100   | NVIDIA A100-SXM4-80GB | true
            model matches ^H100     | NVIDIA A100  | false
            model matches (?i)mi2\\d0 | AMD Instinct MI210 | true
            numa in (0, 1)          | 1            | true
            numa in [0,1]           | 2            | false
            driver in nvidia,amdgpu | amdgpu       | true
            zone = basement         | basement     | true
            zone != attic           | basement     | true
            memory >= 1 GiB         | lots         | false
            """)
    void evaluates(String expression, String fact, boolean expected) {
        assertThat(Constraint.parse(expression).test(FactValue.of(fact))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "vendor {0} vs {1}")
    @CsvSource(textBlock = """
            vendor = nvidia,   NVIDIA,   true
            vendor = 10de,     NVIDIA,   true
            vendor = ATI,      AMD,      true
            vendor = 0x1002,   Advanced Micro Devices,  true
            vendor = altera,   Intel,    true
            vendor = 10ee,     Xilinx,   true
            vendor != nvidia,  AMD,      true
            vendor = amd,      Xilinx,   false
            """)
    void vendorsMatchByAlias(String expression, String reported, boolean expected) {
        FactValue fact = FactValue.ofText(VendorAliases.key(reported));
        assertThat(Constraint.parse(expression).test(fact)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "missing fact never satisfies {0}")
    @CsvSource({"memory >= 1", "model != A100", "numa in (0)", "model matches .*"})
    void missingFactNeverSatisfies(String expression) {
        assertThat(Constraint.parse(expression).test(null)).isFalse();
    }

    @ParameterizedTest(name = "''{0}'' -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            ''                     | expected a field name                 | 1
            >= 5                   | expected a field name                 | 1
            memory                 | field 'memory': expected an operator  | 7
            memory ~ 5             | field 'memory': expected an operator  | 8
            memory >=              | field 'memory': expected a value      | 10
            memory >= lots         | field 'memory': '>=' needs a number   | 11
            model matches A100(    | field 'model': bad regex              | 20
            numa in (0,,1)         | field 'numa': empty item              | 12
            """)
    void parseErrorsNameFieldAndPosition(String expression, String message, int position) {
        assertThatThrownBy(() -> Constraint.parse(expression))
                .isInstanceOf(ConstraintSyntaxException.class)
                .hasMessageContaining(message)
                .hasMessageContaining("at position " + position)
                .satisfies(e -> assertThat(((ConstraintSyntaxException) e).position()).isEqualTo(position));
    }

    @ParameterizedTest(name = "{0} = {1} bytes")
    @CsvSource({"20 GiB, 21474836480", "512MiB, 536870912", "80GB, 80000000000", "1.5 gib, 1610612736", "4096, 4096", "lots, -1", "5 parsecs, -1"})
    void quantities(String text, long bytes) {
        assertThat(Quantity.bytes(text)).isEqualTo(bytes);
    }
}
