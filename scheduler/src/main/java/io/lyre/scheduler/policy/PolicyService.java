package io.lyre.scheduler.policy;

import io.lyre.scheduler.model.Requirement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Placement policies by app: put (validated), get, delete, list, and the effective requirement of a deploy.
 * The REST API ({@code /api/v1/policies}), the CLI and the config-file loader all go through here.
 */
public final class PolicyService {

    private final PolicyRepository repository;
    private final Map<String, PlacementPolicy> policies = new ConcurrentHashMap<>();

    public PolicyService(PolicyRepository repository) {
        this.repository = repository;
        for (var e : repository.loadPolicies().entrySet()) {
            policies.put(e.getKey(), PolicyJson.parse(e.getValue()));
        }
    }

    public static PolicyService inMemory() {
        return new PolicyService(PolicyRepository.NONE);
    }

    /** Parses, validates and stores; throws {@link PolicyValidationException} naming each bad field. */
    public PlacementPolicy put(String json) {
        return put(PolicyJson.parse(json));
    }

    public PlacementPolicy put(PlacementPolicy policy) {
        PolicyValidator.check(policy);
        String json = PolicyJson.write(policy);
        repository.savePolicy(policy.app(), json, PolicyHash.of(policy.over(Requirement.cpuOnly(policy.app(), 0, 0))));
        policies.put(policy.app(), policy);
        return policy;
    }

    public Optional<PlacementPolicy> get(String app) {
        return Optional.ofNullable(policies.get(app));
    }

    public boolean delete(String app) {
        boolean stored = repository.deletePolicy(app);
        return policies.remove(app) != null || stored;
    }

    public List<PlacementPolicy> list() {
        List<PlacementPolicy> all = new ArrayList<>(policies.values());
        all.sort(Comparator.comparing(PlacementPolicy::app));
        return all;
    }

    /** AppAPI's deploy defaults with the app's policy (if any) laid over them. */
    public Requirement requirementFor(String app, String computeDevice, Long memoryBytes, Long nanoCpus) {
        Requirement defaults = AppApiDefaults.requirement(app, computeDevice, memoryBytes, nanoCpus);
        return get(app).map(p -> p.over(defaults)).orElse(defaults);
    }
}
