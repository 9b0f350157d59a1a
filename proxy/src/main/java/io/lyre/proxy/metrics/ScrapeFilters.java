package io.lyre.proxy.metrics;

import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Set;

/**
 * Keeps /q/metrics clean for {@code promtool check metrics}: Micrometer's processor binder exports two series
 * whose names promtool's lint rejects ({@code process_cpu_time_ns_total}: abbreviated unit;
 * {@code system_cpu_count}: a gauge with "_count"). {@code process_cpu_usage} and {@code system_cpu_usage} stay.
 */
public class ScrapeFilters {
    private static final Set<String> DENIED = Set.of("process.cpu.time", "system.cpu.count");

    @Produces
    @Singleton
    MeterFilter lintClean() {
        return MeterFilter.deny(id -> DENIED.contains(id.getName()));
    }
}
