package io.lyre.scheduler.policy;

import io.lyre.devices.DeviceKind;
import io.lyre.scheduler.model.Requirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class PolicyJsonTest {

    private static final String GOOD = """
            { "app": "llm2", "cores": 4, "memory": "16 GiB",
              "devices": [ { "kind": "GPU", "vendor": "NVIDIA", "count": 1,
                             "constraints": ["memory >= 20 GiB", "cuda.cc >= 8.0"],
                             "affinities": [ { "when": "model matches A100", "weight": 50 } ],
                             "sharing": "exclusive" } ],
              "engineLabels": ["zone = basement"], "slot": 24001, "reschedule": false }
            """;

    static Stream<Arguments> badPolicies() {
        return Stream.of(
                arguments("{\"app\":\"a\",\"devices\":[{\"kind\":\"GPU\",\"count\":0}]}", "devices[0].count: must be >= 1"),
                arguments("{\"app\":\"a\",\"devices\":[{\"kind\":\"GPU\",\"count\":65}]}", "devices[0].count: must be <= 64"),
                arguments("{\"app\":\"a\",\"devices\":[{\"kind\":\"GPU\",\"count\":\"two\"}]}", "devices[0].count: must be an integer"),
                arguments("{\"app\":\"a\",\"devices\":[{\"kind\":\"TPU\"}]}", "devices[0].kind: must be one of GPU, FPGA, ACCELERATOR, got 'TPU'"),
                arguments("{\"app\":\"a\",\"devices\":[{\"count\":1}]}", "devices[0].kind: is required"),
                arguments("{\"app\":\"a\",\"devices\":[{\"kind\":\"CPU\"}]}", "devices[0].kind: CPU is asked with 'cores'"),
                arguments("{\"app\":\"a\",\"devices\":[{\"kind\":\"GPU\",\"colour\":\"red\"}]}", "devices[0].colour: unknown field"),
                arguments("{\"app\":\"a\",\"devices\":[{\"kind\":\"GPU\"},{\"kind\":\"GPU\",\"constraints\":[\"memory >= lots\"]}]}",
                        "devices[1].constraints[0]: field 'memory': '>=' needs a number"),
                arguments("{\"app\":\"a\",\"devices\":[{\"kind\":\"GPU\",\"constraints\":[\"memory 20\"]}]}",
                        "devices[0].constraints[0]: field 'memory': expected an operator (=, !=, <, <=, >, >=, matches, in) at position 8"),
                arguments("{\"app\":\"a\",\"devices\":[{\"kind\":\"GPU\",\"constraints\":\"memory >= 1\"}]}", "devices[0].constraints: must be a list"),
                arguments("{\"app\":\"a\",\"devices\":[{\"kind\":\"GPU\",\"sharing\":{\"maxApps\":0}}]}", "devices[0].sharing.maxApps: must be >= 1"),
                arguments("{\"app\":\"a\",\"devices\":[{\"kind\":\"GPU\",\"sharing\":\"sometimes\"}]}", "devices[0].sharing: must be \"exclusive\" or {\"maxApps\": N}"),
                arguments("{\"app\":\"a\",\"devices\":[{\"kind\":\"GPU\",\"count\":2,\"sharing\":{\"maxApps\":4}}]}", "devices[0].sharing: a shared ask takes exactly one device"),
                arguments("{\"app\":\"a\",\"devices\":[{\"kind\":\"GPU\",\"affinities\":[{\"when\":\"model matches A100\",\"weight\":0}]}]}",
                        "devices[0].affinities[0].weight: must be -100..100 and not 0"),
                arguments("{\"app\":\"a\",\"devices\":[{\"kind\":\"GPU\",\"affinities\":[{\"when\":\"model ~ A100\",\"weight\":5}]}]}",
                        "devices[0].affinities[0].when: field 'model': expected an operator"),
                arguments("{\"app\":\"a\",\"slot\":24100}", "slot: must be within 24001-24099, got 24100"),
                arguments("{\"app\":\"a\",\"cores\":0}", "cores: must be > 0"),
                arguments("{\"app\":\"a\",\"cores\":\"many\"}", "cores: must be a number of cores"),
                arguments("{\"app\":\"a\",\"memory\":\"lots\"}", "memory: must be bytes or a size like \"16 GiB\""),
                arguments("{\"app\":\"a\",\"memory\":1024}", "memory: must be >= 6 MiB"),
                arguments("{\"app\":\"a\",\"engineLabels\":[\"zone\"]}", "engineLabels[0]: field 'zone': expected an operator"),
                arguments("{\"app\":\"a\",\"reschedule\":\"yes\"}", "reschedule: must be true or false"),
                arguments("{\"devices\":[]}", "app: is required"),
                arguments("{\"app\":\"../etc\"}", "app: must be an ExApp id"),
                arguments("{\"app\":\"a\",\"gpus\":1}", "gpus: unknown field"),
                arguments("[1,2]", "policy: must be a JSON object"),
                arguments("{\"app\":", "policy: not valid JSON at line 1"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badPolicies")
    void badPolicyIsRefusedNamingTheField(String json, String message) {
        assertThatThrownBy(() -> PolicyJson.parse(json))
                .isInstanceOf(PolicyValidationException.class)
                .satisfies(e -> assertThat(((PolicyValidationException) e).errors()).anySatisfy(err -> assertThat(err).contains(message)));
    }

    @Test
    void allErrorsAreReportedAtOnce() {
        assertThatThrownBy(() -> PolicyJson.parse("{\"app\":\"a\",\"slot\":1,\"devices\":[{\"kind\":\"GPU\",\"count\":0}]}"))
                .satisfies(e -> assertThat(((PolicyValidationException) e).errors())
                        .containsExactlyInAnyOrder("devices[0].count: must be >= 1", "slot: must be within 24001-24099, got 1"));
    }

    @Test
    void goodPolicyRoundTripsThroughCanonicalJson() {
        PlacementPolicy p = PolicyJson.parse(GOOD);
        assertThat(p.app()).isEqualTo("llm2");
        assertThat(p.milliCores()).hasValue(4000);
        assertThat(p.memoryBytes()).hasValue(16L << 30);
        assertThat(p.devices().orElseThrow()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(DeviceKind.GPU);
            assertThat(a.constraints()).hasSize(2);
            assertThat(a.affinities()).singleElement().satisfies(af -> assertThat(af.weight()).isEqualTo(50));
        });
        assertThat(p.reschedule()).isFalse();
        assertThat(PolicyJson.parse(PolicyJson.write(p))).isEqualTo(p);
    }

    @ParameterizedTest(name = "compute_device {0}")
    @CsvSource(textBlock = """
            cuda, 1, nvidia
            rocm, 1, amd
            cpu,  0, ''
            '',   0, ''
            """)
    void appApiDefaults(String computeDevice, int devices, String vendor) {
        Requirement r = AppApiDefaults.requirement("app", computeDevice, 2L << 30, 1_500_000_000L);
        assertThat(r.devices()).hasSize(devices);
        if (devices > 0) {
            assertThat(r.devices().get(0).vendorKey()).isEqualTo(vendor);
            assertThat(r.devices().get(0).kind()).isEqualTo(DeviceKind.GPU);
        }
        assertThat(r.milliCores()).isEqualTo(1500);
        assertThat(r.memoryBytes()).isEqualTo(2L << 30);
    }

    @Test
    void unknownComputeDeviceIsRefused() {
        assertThatThrownBy(() -> AppApiDefaults.requirement("app", "tpu", null, null))
                .hasMessageContaining("compute_device: must be cpu, cuda or rocm, got 'tpu'");
    }

    @Test
    void policyOverridesDefaultsAndServiceCrudWorks() {
        PolicyService service = PolicyService.inMemory();
        service.put(GOOD);
        Requirement r = service.requirementFor("llm2", "cpu", 1L << 30, 1_000_000_000L);
        assertThat(r.devices()).hasSize(1);
        assertThat(r.milliCores()).isEqualTo(4000);
        assertThat(r.slot()).hasValue(24001);
        Requirement other = service.requirementFor("whisper", "cuda", null, null);
        assertThat(other.devices()).singleElement().satisfies(a -> assertThat(a.vendorKey()).isEqualTo("nvidia"));
        assertThat(service.list()).extracting(PlacementPolicy::app).containsExactly("llm2");
        assertThat(service.delete("llm2")).isTrue();
        assertThat(service.get("llm2")).isEmpty();
        assertThatThrownBy(() -> service.put("{\"app\":\"x\",\"slot\":5}")).hasMessageContaining("slot:");
        assertThat(service.list()).isEmpty();
    }

    @Test
    void fileLoaderReadsADirectoryAllOrNothing(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.json"), GOOD);
        Files.writeString(dir.resolve("b.json"), "[{\"app\":\"one\"},{\"app\":\"two\",\"devices\":[{\"kind\":\"FPGA\",\"vendor\":\"Xilinx\"}]}]");
        Files.writeString(dir.resolve("ignored.txt"), "not json");
        PolicyService service = PolicyService.inMemory();
        assertThat(PolicyFileLoader.load(dir, service)).isEqualTo(3);
        assertThat(service.list()).extracting(PlacementPolicy::app).containsExactly("llm2", "one", "two");

        Files.writeString(dir.resolve("c.json"), "[{\"app\":\"ok\"},{\"app\":\"bad\",\"devices\":[{\"kind\":\"GPU\",\"count\":0}]}]");
        PolicyService fresh = PolicyService.inMemory();
        assertThatThrownBy(() -> PolicyFileLoader.load(dir, fresh))
                .isInstanceOf(PolicyValidationException.class)
                .hasMessageContaining("c.json[1].devices[0].count: must be >= 1");
        assertThat(fresh.list()).isEmpty();
    }
}
